/** When this agent last opened each conversation, on this browser (for "newly assigned" markers). */
export const OPENED_STORAGE_KEY = 'wa-inbox:opened'
/** Only the most recently opened ones are kept. */
const MAX_ENTRIES = 500

/** The opened-at map as stored ({} when missing or unreadable). */
export function readOpened(): Record<string, number> {
  try {
    const value = JSON.parse(localStorage.getItem(OPENED_STORAGE_KEY) ?? '{}') as unknown
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
    ...readOpened(),
    [conversationId]: now,
  })
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_ENTRIES)
  try {
    localStorage.setItem(OPENED_STORAGE_KEY, JSON.stringify(Object.fromEntries(entries)))
    window.dispatchEvent(new Event(OPENED_STORAGE_KEY))
  }
  catch {}
}
