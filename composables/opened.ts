import type { Ref } from 'vue'
import { onScopeDispose, ref } from 'vue'

/** When this agent last opened each conversation, on this browser (for "newly assigned" markers). */
const STORAGE_KEY = 'wa-inbox:opened'
/** Only the most recently opened ones are kept. */
const MAX_ENTRIES = 500

function read(): Record<string, number> {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as unknown
    return value && typeof value === 'object'
      ? value as Record<string, number>
      : {}
  }
  catch {
    return {}
  }
}

/** Records that the agent opened a conversation now (every extension page shares it). */
export function markOpened(conversationId: string, now = Date.now()): void {
  const entries = Object.entries({
    ...read(),
    [conversationId]: now,
  })
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_ENTRIES)
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(entries)))
    window.dispatchEvent(new Event(STORAGE_KEY))
  }
  catch {}
}

/** The opened-at map, kept current when this or another extension page opens a conversation. */
export function useOpenedConversations(): Ref<Record<string, number>> {
  const value = ref(read())
  const refresh = (): void => {
    value.value = read()
  }
  const onStorage = (event: StorageEvent): void => {
    if (event.key === STORAGE_KEY)
      refresh()
  }
  window.addEventListener('storage', onStorage)
  window.addEventListener(STORAGE_KEY, refresh)
  onScopeDispose(() => {
    window.removeEventListener('storage', onStorage)
    window.removeEventListener(STORAGE_KEY, refresh)
  })
  return value
}
