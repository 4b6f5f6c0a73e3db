/**
 * Whether a page's change is still on its way: the outbox rows of one entity (a conversation, a
 * contact, a note …), queued or failed, with the server's error. Pages observe the outbox like any
 * other table; retrying and dismissing a failed row (utils/actions/pending.ts) are the only writes.
 */
import type { Ref } from 'vue'
import type { OutboxMatcher } from '~/utils/actions/pending'
import type { AppDB, OutboxEntry } from '~/utils/db'
import { computed, isRef } from 'vue'
import { giveUpPending, pendingStatusOf, retryPending } from '~/utils/actions/pending'
import { db as defaultDb } from '~/utils/db'
import { useLiveQuery } from './live-query'

/**
 * Every outbox row, observed (the outbox is short: what was not pushed yet). One subscription per
 * scope; derive statuses from it with `pendingStatusOf`.
 */
export function useOutboxRows(db: AppDB = defaultDb) {
  const { data: rows, error } = useLiveQuery(() => db.outbox.orderBy('seq').toArray(), [] as OutboxEntry[])
  return { rows, error }
}

/**
 * One entity's pending state, observed: queued / failed with the error, and retry / dismiss.
 * `match` is a matcher, or a ref to one when the entity changes (not a getter: a matcher is a function).
 */
export function usePending(match: OutboxMatcher | Ref<OutboxMatcher>, db: AppDB = defaultDb) {
  const { rows } = useOutboxRows(db)
  const status = computed(() => pendingStatusOf(rows.value, isRef(match)
    ? match.value
    : match))
  return {
    status,
    state: computed(() => status.value?.state ?? null),
    error: computed(() => status.value?.error ?? null),
    retry: () => retryPending(status.value, db),
    discard: () => giveUpPending(status.value, db),
  }
}
