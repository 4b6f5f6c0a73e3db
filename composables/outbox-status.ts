import type { OutboxEntry } from '~/utils/db'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef } from 'vue'
import { db } from '~/utils/db'
import { retryOutboxEntry } from '~/utils/db/outbox'
import { requestSync } from '~/utils/sync/request'

/** Every queued action of this agent: how many wait, which failed (with the server's error). */
export function useOutboxStatus() {
  const rows = shallowRef<OutboxEntry[]>([])
  const subscription = liveQuery(() => db.outbox.orderBy('seq').toArray()).subscribe({
    next: (value) => {
      rows.value = value
    },
    error: (error: unknown) => console.error('[wa-inbox] outbox query failed', error),
  })
  onScopeDispose(() => subscription.unsubscribe())

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
