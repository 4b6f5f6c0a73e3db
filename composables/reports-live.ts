/**
 * The live overview at the top of the reports page (`GET /api/reports/live`): open, unassigned,
 * waiting longest, agents online. It follows the inbox as it changes: the synced `conversations`
 * and `agents` tables are observed through a cheap query (their counts) whose re-runs trigger
 * a debounced refresh, and it refreshes every 30 s anyway (the wait grows with the clock).
 */
import type { Ref } from 'vue'
import type { ReportLive } from '~/protocol/reports'
import type { ReportError, ReportState } from '~/utils/reports/labels'
import { computed, onScopeDispose, readonly, ref, shallowRef, watch } from 'vue'
import { useLiveQuery } from '~/composables/live-query'
import { isApiError } from '~/utils/api/client'
import { pageApiClient } from '~/utils/api/page'
import { contactDisplayName } from '~/utils/chats/text'
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
  const trigger = useLiveQuery(() => Promise.all([
    db.conversations.count(),
    db.agents.count(),
  ]), null)
  let first = true
  watch(trigger.data, () => {
    if (first)
      first = false
    else soon()
  })

  const timer = setInterval(() => void fetchLive(), refreshMs)
  void fetchLive()

  onScopeDispose(() => {
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

/** The waiting customer's name, from the synced conversation (when this agent has it). */
export function useWaitingName(live: Ref<ReportLive | null>): Readonly<Ref<string | null>> {
  const name = shallowRef<string | null>(null)
  watch(() => live.value?.waitingLongest?.conversationId, async (id) => {
    name.value = null
    if (!id)
      return
    const conversation = await db.conversations.get(id)
    if (conversation && live.value?.waitingLongest?.conversationId === id)
      name.value = contactDisplayName(conversation.contact)
  }, { immediate: true })
  return readonly(name)
}
