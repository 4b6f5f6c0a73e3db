/**
 * A conversation's message history: the live window of stored messages (message-window.ts),
 * the first page fetched when the conversation's history was never fetched, and older pages
 * from the server (cached in Dexie) as the agent scrolls up.
 */
import type { Ref } from 'vue'
import type { AppDB } from '~/utils/db'
import type { MessagesError } from '~/utils/messages/history'
import type { Snapshot } from '~/utils/messages/rows'
import { computed, onScopeDispose, ref, watch } from 'vue'
import { fetchMessagePage, MESSAGE_PAGE_SIZE } from '~/utils/messages/api'
import { historyCursors, historyError, storeMessagePage } from '~/utils/messages/history'
import { isOlder } from '~/utils/messages/rows'
import { useMessageWindow } from './message-window'

/**
 * The history of one conversation (the ref may change: everything restarts for the new one).
 * Everything ends with the calling scope.
 */
export function useMessageHistory(conversationId: Ref<string>, db: AppDB) {
  const fetchingFirst = ref(false)
  const loadingOlder = ref(false)
  const error = ref<MessagesError | null>(null)
  /** bumps when the conversation changes, so late answers of the previous one are ignored */
  const generation = ref(0)
  /** set after a server page was fetched, so `hasMore` follows the in-memory cursor */
  const cursorVersion = ref(0)

  /** Runs `fetch` for the current conversation; its failure is shown unless the conversation changed. */
  async function guarded(flag: Ref<boolean>, fetch: (id: string, gen: number) => Promise<void>): Promise<void> {
    const gen = generation.value
    flag.value = true
    error.value = null
    try {
      await fetch(conversationId.value, gen)
    }
    catch (err) {
      if (gen === generation.value)
        error.value = historyError(err)
    }
    finally {
      if (gen === generation.value)
        flag.value = false
    }
  }

  async function fetchPage(id: string, before: string | null) {
    const page = await fetchMessagePage(id, before)
    await storeMessagePage(db, page.items)
    historyCursors.set(id, { nextCursor: page.nextCursor })
    cursorVersion.value++
    return page
  }

  function fetchFirstPage(): Promise<void> {
    return guarded(fetchingFirst, async (id) => {
      await fetchPage(id, null)
    })
  }

  let checkedFirstPage = false

  // Another conversation: everything starts again (before the window's query follows the source).
  watch(conversationId, () => {
    generation.value++
    checkedFirstPage = false
    error.value = null
    loadingOlder.value = false
    fetchingFirst.value = false
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

  onScopeDispose(() => {
    generation.value++
  })

  const hasMore = computed(() => {
    void cursorVersion.value
    const value = snapshot.value
    if (!value)
      return false
    if (value.total > value.messages.length)
      return true
    const cursor = historyCursors.get(conversationId.value)
    return cursor === undefined
      ? value.total > 0
      : cursor.nextCursor !== null
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
