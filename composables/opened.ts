import type { Ref } from 'vue'
import { onScopeDispose, ref } from 'vue'
import { OPENED_STORAGE_KEY, readOpened } from '~/utils/conversations/opened'

/** The opened-at map, kept current when this or another extension page opens a conversation. */
export function useOpenedConversations(): Ref<Record<string, number>> {
  const value = ref(readOpened())
  const refresh = (): void => {
    value.value = readOpened()
  }
  const onStorage = (event: StorageEvent): void => {
    if (event.key === OPENED_STORAGE_KEY)
      refresh()
  }
  window.addEventListener('storage', onStorage)
  window.addEventListener(OPENED_STORAGE_KEY, refresh)
  onScopeDispose(() => {
    window.removeEventListener('storage', onStorage)
    window.removeEventListener(OPENED_STORAGE_KEY, refresh)
  })
  return value
}
