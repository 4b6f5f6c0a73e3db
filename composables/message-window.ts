/**
 * The live window of a conversation's message list: the newest messages observed in Dexie, a
 * window that grows as the agent scrolls up (and as new messages arrive, so nothing shifts), and
 * the rows built from it.
 */
import type { Ref } from 'vue'
import type { AppDB } from '~/utils/db'
import type { MessageRow, RowCache, Snapshot } from '~/utils/messages/rows'
import { ref, shallowRef, watch } from 'vue'
import { MESSAGE_PAGE_SIZE } from '~/utils/messages/api'
import { buildMessageRows, isOlder, reuseRows } from '~/utils/messages/rows'
import { readSnapshot } from '~/utils/messages/snapshot'
import { useLiveQuery } from './live-query'

/**
 * The window of `conversationId` (everything restarts for another one). `onSnapshot` runs after
 * each published snapshot.
 */
export function useMessageWindow(conversationId: Ref<string>, db: AppDB, onSnapshot: (value: Snapshot) => void) {
  const limit = ref(MESSAGE_PAGE_SIZE)
  const snapshot = shallowRef<Snapshot | null>(null)
  const rows = shallowRef<MessageRow[]>([])
  let rowCache: RowCache = new Map()

  // Another conversation: the window starts again (before the query below follows the source).
  watch(conversationId, () => {
    snapshot.value = null
    rows.value = []
    rowCache = new Map()
    limit.value = MESSAGE_PAGE_SIZE
  })

  const live = useLiveQuery(([id, count]) => readSnapshot(db, id, count), null as Snapshot | null, {
    source: () => [conversationId.value, limit.value] as const,
    keepPrevious: true,
  })

  watch(live.data, (value) => {
    if (!value)
      return
    // New messages widen the window instead of pushing its oldest ones out (which would
    // shift everything the agent is reading); the wider query publishes instead of this one.
    const previous = snapshot.value?.messages
    const oldest = previous?.[0]
    const newest = previous?.at(-1)
    const first = value.messages[0]
    if (oldest && newest && first && isOlder(oldest, first)) {
      const newer = value.messages.filter(message => isOlder(newest, message)).length
      if (newer > 0) {
        limit.value += newer
        return
      }
    }
    snapshot.value = value
    const reused = reuseRows(rowCache, buildMessageRows(value))
    rows.value = reused.rows
    rowCache = reused.cache
    onSnapshot(value)
  }, { immediate: true })

  return {
    limit,
    snapshot,
    rows,
    liveError: live.error,
  }
}
