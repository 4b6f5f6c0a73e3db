/**
 * The live overview at the top of the reports page (`GET /api/reports/live`): open, unassigned,
 * waiting longest, agents online. It follows the inbox as it changes: the synced `conversations`
 * and `agents` tables are observed through a cheap query (their counts) whose re-runs trigger
 * a debounced refresh, and it refreshes every 30 s anyway (the wait grows with the clock).
 */
import type { ReportError, ReportState } from './reports'
import type { ReportLive } from '~/protocol/reports'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, readonly, ref, shallowRef } from 'vue'
import { isApiError } from '~/utils/api/client'
import { pageApiClient } from '~/utils/api/page'
import { db } from '~/utils/db'

export const LIVE_REFRESH_MS = 30_000
export const LIVE_DEBOUNCE_MS = 1_000

export function useReportLive(options: { refreshMs?: number, debounceMs?: number } = {}) {
  const refreshMs = options.refreshMs ?? LIVE_REFRESH_MS
  const debounceMs = options.debounceMs ?? LIVE_DEBOUNCE_MS
  const state = ref<ReportState>('idle')
  const data = shallowRef<ReportLive | null>(null)
  const error = shallowRef<ReportError | null>(null)
  /** the clock the waits are measured with (moves with every refresh) */
  const now = ref(Date.now())
  let inFlight: Promise<void> | null = null
  let again = false

  async function fetchLive(): Promise<void> {
    // A change arriving during a request asks once more after it, never twice at a time.
    if (inFlight) {
      again = true
      return inFlight
    }
    inFlight = (async () => {
      if (!data.value)
        state.value = 'loading'
      try {
        const api = await pageApiClient()
        data.value = await api.get<ReportLive>('/api/reports/live')
        error.value = null
        state.value = 'ready'
      }
      catch (failure) {
        const code = isApiError(failure)
          ? failure.code
          : 'unknown'
        error.value = { code }
        state.value = code === 'forbidden'
          ? 'forbidden'
          : 'error'
      }
      finally {
        now.value = Date.now()
      }
    })()
    try {
      await inFlight
    }
    finally {
      inFlight = null
    }
    if (again) {
      again = false
      await fetchLive()
    }
  }

  let debounce: ReturnType<typeof setTimeout> | undefined
  function soon(): void {
    clearTimeout(debounce)
    debounce = setTimeout(() => void fetchLive(), debounceMs)
  }

  // The first answer is the tables as they are: only later answers mean something changed.
  let first = true
  const subscription = liveQuery(() => Promise.all([
    db.conversations.count(),
    db.agents.count(),
  ])).subscribe({
    next: () => {
      if (first)
        first = false
      else soon()
    },
    error: (err: unknown) => console.error('[wa-inbox] live overview trigger failed', err),
  })

  const timer = setInterval(() => void fetchLive(), refreshMs)
  void fetchLive()

  onScopeDispose(() => {
    subscription.unsubscribe()
    clearInterval(timer)
    clearTimeout(debounce)
  })

  return {
    state: readonly(state),
    data: computed(() => data.value),
    error: computed(() => error.value),
    now: readonly(now),
    refresh: fetchLive,
  }
}
