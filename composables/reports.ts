/**
 * The reports page's state: the controls (kept in the address), the summary request with its
 * loading / error / forbidden states, the filter choices (from Dexie) and the CSV downloads.
 * Reports are not synced: they are asked from the server with the session (stores/session.ts).
 * The drill-down: reports-drill.ts; plain helpers: utils/reports/.
 */
import type { Ref } from 'vue'
import type { ReportQuery, ReportSummary } from '~/protocol/reports'
import type { Agent, Channel, Label, Team } from '~/utils/db'
import type { CsvKind } from '~/utils/reports/csv'
import type { ReportError, ReportState } from '~/utils/reports/labels'
import type { ReportControls } from '~/utils/reports/query'
import { computed, onScopeDispose, readonly, ref, shallowRef, watch } from 'vue'
import { useLiveQuery } from '~/composables/live-query'
import { useSessionStore } from '~/stores/session'
import { pageApiClient } from '~/utils/api/page'
import { db } from '~/utils/db'
import { downloadReportCsv } from '~/utils/reports/csv'
import { toReportError } from '~/utils/reports/labels'
import { buildReportQuery, defaultControls, parseHash, toHash, toSearch } from '~/utils/reports/query'

/**
 * The controls, read from and written to `location.hash` (replaceState: no history entry per
 * click). An agent (not an admin) is locked to themself: `agentId` is always theirs. The session:
 * stores/session.ts.
 */
export function useReportControls() {
  const sessionStore = useSessionStore()
  const session = computed(() => sessionStore.session)
  const defaults = defaultControls()
  const controls = ref<ReportControls>(parseHash(location.hash, defaults))
  /** the agent a non-admin viewer is locked to */
  const lockedAgentId = computed(() => session.value && session.value.agent.role !== 'admin'
    ? session.value.agent.id
    : null)

  watch(lockedAgentId, (id) => {
    if (id)
      controls.value.agentId = id
  }, { immediate: true })

  watch(controls, (value) => {
    const hash = toHash(value, defaults)
    if (hash !== location.hash)
      history.replaceState(null, '', `${location.pathname}${location.search}${hash}`)
  }, { deep: true, immediate: true })

  function onHashChange(): void {
    const next = parseHash(location.hash, defaults)
    if (lockedAgentId.value)
      next.agentId = lockedAgentId.value
    controls.value = next
  }
  window.addEventListener('hashchange', onHashChange)
  onScopeDispose(() => window.removeEventListener('hashchange', onHashChange))

  /** the period's end moves with the clock: bumped on every (re)load */
  const now = ref(Date.now())
  const query = computed<ReportQuery | null>(() => session.value
    ? buildReportQuery(controls.value, now.value)
    : null)

  function refreshNow(): void {
    now.value = Date.now()
  }

  return {
    controls,
    lockedAgentId,
    query,
    now: readonly(now),
    refreshNow,
  }
}

/**
 * `GET /api/reports/summary` for the query, again whenever it changes. An answer to an older
 * query is dropped. `retry` asks again.
 */
export function useReportSummary(query: Ref<ReportQuery | null>) {
  const state = ref<ReportState>('idle')
  const data = shallowRef<ReportSummary | null>(null)
  const error = shallowRef<ReportError | null>(null)
  let generation = 0

  async function load(value: ReportQuery | null): Promise<void> {
    const mine = ++generation
    if (!value) {
      state.value = 'idle'
      return
    }
    state.value = 'loading'
    error.value = null
    try {
      const api = await pageApiClient()
      const summary = await api.get<ReportSummary>(`/api/reports/summary${toSearch(value)}`)
      if (mine !== generation)
        return
      data.value = summary
      state.value = 'ready'
    }
    catch (failure) {
      if (mine !== generation)
        return
      error.value = toReportError(failure)
      state.value = error.value.code === 'forbidden'
        ? 'forbidden'
        : 'error'
    }
  }

  watch(query, value => void load(value), { immediate: true, deep: true })

  return {
    state: readonly(state),
    data: computed(() => data.value),
    error: computed(() => error.value),
    retry: () => load(query.value),
  }
}

export interface ReportFilterOptions {
  agents: Agent[]
  teams: Team[]
  labels: Label[]
  channels: Channel[]
}

/** The agents, teams, labels and WhatsApp numbers to filter by (synced tables, kept current). */
export function useReportFilterOptions(): Readonly<Ref<ReportFilterOptions>> {
  const byName = <T extends { name: string }>(rows: T[]): T[] => rows.sort((a, b) => a.name.localeCompare(b.name))
  const { data } = useLiveQuery(async (): Promise<ReportFilterOptions> => {
    const [agents, teams, labels, channels] = await Promise.all([
      db.agents.toArray(),
      db.teams.toArray(),
      db.labels.toArray(),
      db.channels.toArray(),
    ])
    return {
      agents: byName(agents),
      teams: byName(teams),
      labels: byName(labels),
      channels: channels.sort((a, b) => (a.displayPhoneNumber ?? a.phoneNumberId).localeCompare(b.displayPhoneNumber ?? b.phoneNumberId)),
    }
  }, {
    agents: [],
    teams: [],
    labels: [],
    channels: [],
  })
  return data
}

/** A CSV download's busy flag and failure, per kind. */
export function useReportCsv(query: Ref<ReportQuery | null>, fileName: (kind: CsvKind) => string) {
  const busy = ref<CsvKind | null>(null)
  const error = shallowRef<ReportError | null>(null)

  async function download(kind: CsvKind): Promise<void> {
    const value = query.value
    if (!value || busy.value)
      return
    busy.value = kind
    error.value = null
    try {
      await downloadReportCsv(kind, value, fileName(kind))
    }
    catch (failure) {
      error.value = toReportError(failure)
    }
    finally {
      busy.value = null
    }
  }

  return {
    busy: readonly(busy),
    error: computed(() => error.value),
    download,
  }
}
