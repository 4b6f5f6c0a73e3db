/**
 * A conversation's message history: the live window of stored messages (message-window.ts),
 * the first page fetched when the conversation's history was never fetched, and older pages
 * from the server (cached in Dexie) as the agent scrolls up.
 */
import type { Ref } from 'vue'
import type { AppDB } from '~/utils/db'
import type { Snapshot } from '~/utils/messages/rows'
import { computed, watch } from 'vue'
import { MESSAGE_PAGE_SIZE } from '~/utils/messages/api'
import { hasOlderMessages, historyCursors } from '~/utils/messages/history'
import { isOlder } from '~/utils/messages/rows'
import { useHistoryRequests } from './history-requests'
import { useMessageWindow } from './message-window'

/**
 * The history of one conversation (the ref may change: everything restarts for the new one).
 * Everything ends with the calling scope.
 */
export function useMessageHistory(conversationId: Ref<string>, db: AppDB) {
  const { fetchingFirst, loadingOlder, error, generation, cursorVersion, guarded, fetchPage, fetchFirstPage } = useHistoryRequests(conversationId, db)

  let checkedFirstPage = false

  // Another conversation: its history may need its first page too.
  watch(conversationId, () => {
    checkedFirstPage = false
  })

  const { limit, snapshot, rows, liveError } = useMessageWindow(conversationId, db, (value: Snapshot) => {
    // A conversation whose history was never fetched holds only its latest message(s).
    if (!checkedFirstPage) {
      checkedFirstPage = true
      if (value.total < MESSAGE_PAGE_SIZE && !historyCursors.has(conversationId.value))
        void fetchFirstPage()
    }
  })

  watch(liveError, (err) => {
    if (err !== undefined)
      error.value = 'unknown'
  })

  const hasMore = computed(() => {
    void cursorVersion.value
    return snapshot.value !== null && hasOlderMessages(snapshot.value, historyCursors.get(conversationId.value))
  })

  /**
   * Shows older messages: first the ones already stored, then pages from the server (following
   * its cursor from the newest page when this session has none yet, until a page reaches past
   * the oldest message shown).
   */
  async function loadOlder(): Promise<void> {
    const value = snapshot.value
    if (!value || loadingOlder.value || fetchingFirst.value)
      return
    if (value.total > value.messages.length) {
      limit.value += MESSAGE_PAGE_SIZE
      return
    }
    if (historyCursors.get(conversationId.value)?.nextCursor === null)
      return
    const oldest = value.messages[0]
    await guarded(loadingOlder, async (id, gen) => {
      // Bounded: a session without a cursor walks down from the newest page at most this far.
      for (let pages = 0; pages < 100; pages++) {
        const page = await fetchPage(id, historyCursors.get(id)?.nextCursor ?? null)
        if (page.nextCursor === null || !oldest || page.items.some(message => isOlder(message, oldest)))
          break
      }
      if (gen === generation.value)
        limit.value += MESSAGE_PAGE_SIZE
    })
  }

  /** Tries the failed request again: the first page if it never came, else the older one. */
  async function retry(): Promise<void> {
    if (!historyCursors.has(conversationId.value))
      await fetchFirstPage()
    else
      await loadOlder()
  }

  return {
    snapshot,
    rows,
    /** nothing to show yet: the first local read, or the first page of an empty conversation */
    loading: computed(() => snapshot.value === null || (fetchingFirst.value && rows.value.length === 0)),
    loadingOlder: computed(() => loadingOlder.value),
    error: computed(() => error.value),
    hasMore,
    loadOlder,
    retry,
  }
}
