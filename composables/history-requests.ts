/**
 * The server requests of a conversation's message history: pages fetched, stored in Dexie and
 * their cursor kept, with what the list shows meanwhile (fetching the first page, loading older
 * ones, the last failure). Answers for a previous conversation are ignored.
 */
import type { Ref } from 'vue'
import type { AppDB } from '~/utils/db'
import type { MessagesError } from '~/utils/messages/history'
import { onScopeDispose, ref, watch } from 'vue'
import { fetchMessagePage } from '~/utils/messages/api'
import { historyCursors, historyError, storeMessagePage } from '~/utils/messages/history'

export function useHistoryRequests(conversationId: Ref<string>, db: AppDB) {
  const fetchingFirst = ref(false)
  const loadingOlder = ref(false)
  const error = ref<MessagesError | null>(null)
  /** bumps when the conversation changes, so late answers of the previous one are ignored */
  const generation = ref(0)
  /** set after a server page was fetched, so `hasMore` follows the in-memory cursor */
  const cursorVersion = ref(0)

  // Another conversation: everything starts again (before the window's query follows the source).
  watch(conversationId, () => {
    generation.value++
    error.value = null
    loadingOlder.value = false
    fetchingFirst.value = false
  })

  onScopeDispose(() => {
    generation.value++
  })

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

  /** Fetches and stores the page `before` a cursor (null: the newest), keeping the next cursor. */
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

  return {
    fetchingFirst,
    loadingOlder,
    error,
    generation,
    cursorVersion,
    guarded,
    fetchPage,
    fetchFirstPage,
  }
}
