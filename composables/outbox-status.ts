import type { OutboxEntry } from '~/utils/db'
import { computed } from 'vue'
import { db } from '~/utils/db'
import { retryOutboxEntry } from '~/utils/db/outbox'
import { requestSync } from '~/utils/sync/request'
import { useLiveQuery } from './live-query'

/** Every queued action of this agent: how many wait, which failed (with the server's error). */
export function useOutboxStatus() {
  const { data: rows } = useLiveQuery(() => db.outbox.orderBy('seq').toArray(), [] as OutboxEntry[])

  return {
    waiting: computed(() => rows.value.filter(row => row.state !== 'failed').length),
    failed: computed(() => rows.value.filter(row => row.state === 'failed')),
    async retry(seq: number) {
      await retryOutboxEntry(db, seq)
      requestSync()
    },
    async discard(seq: number) {
      const entry = rows.value.find(row => row.seq === seq)
      if (entry) {
        // loaded on demand: the panel's first JS stays small
        const { discardAndRevert } = await import('~/utils/actions/revert')
        await discardAndRevert(db, entry)
      }
    },
  }
}
