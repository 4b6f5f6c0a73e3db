import type { SyncStatus } from '~/utils/db'
import { computed, onScopeDispose, ref, watch } from 'vue'
import { db } from '~/utils/db'
import { summarizeSyncStatus } from '~/utils/sync-status/summary'
import { useLiveQuery } from './live-query'

/** How often the relative time ("2 minutes ago") is refreshed. */
const CLOCK_TICK_MS = 30_000

/**
 * The background's sync status, observed in Dexie (`meta.syncStatus`), and its summary for
 * display. The query and the clock end with the calling scope.
 */
export function useSyncStatus() {
  const entry = useLiveQuery(() => db.meta.get('syncStatus'), undefined)
  const status = computed(() => entry.data.value?.value as SyncStatus | undefined)
  const now = ref(Date.now())
  watch(entry.data, () => {
    now.value = Date.now()
  }, { flush: 'sync' })
  const clock = setInterval(() => {
    now.value = Date.now()
  }, CLOCK_TICK_MS)
  onScopeDispose(() => clearInterval(clock))

  return {
    status,
    error: entry.error,
    summary: computed(() => summarizeSyncStatus(status.value, now.value)),
  }
}
