/**
 * The reports page's state: the controls (kept in the address), the summary and drill-down
 * requests with their loading / error / forbidden states, the filter choices (from Dexie) and
 * the CSV downloads. Reports are not synced: they are asked from the server with the session.
 */
import type { Ref } from 'vue'
import type { DrillTarget, ReportControls, ReportTab } from './reports-query'
import type { ReportConversationPage, ReportConversationRow, ReportGroupRow, ReportMetric, ReportQuery, ReportSummary } from '~/protocol/reports'
import type { Agent, Channel, Label, Team } from '~/utils/db'
import type { Session } from '~/utils/session'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, readonly, ref, shallowRef, watch } from 'vue'
import { i18n } from '#i18n'
import { isApiError } from '~/utils/api/client'
import { fetchApiBlob, pageApiClient } from '~/utils/api/page'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import { buildDrillQuery, buildReportQuery, defaultControls, parseHash, toHash, toSearch } from './reports-query'

/** Where a request stands. `forbidden`: the server refused this viewer (403). */
export type ReportState = 'idle' | 'loading' | 'ready' | 'error' | 'forbidden'

/** A failure as the page shows it: the server's code (and `details.reason` of a bad input). */
export interface ReportError {
  code: string
  reason?: string
}

function toReportError(error: unknown): ReportError {
  if (isApiError(error)) {
    const reason = (error.details as { reason?: unknown } | undefined)?.reason
    return {
      code: error.code,
      reason: typeof reason === 'string'
        ? reason
        : undefined,
    }
  }
  console.error('[wa-inbox] report request failed', error)
  return { code: 'unknown' }
}

/** The sentence for a failure, in the UI's language (codes, never the server's message). */
export function reportErrorText(error: ReportError): string {
  switch (error.code) {
    case 'offline': return i18n.t('reports.errors.offline')
    case 'unauthorized': return i18n.t('reports.errors.unauthorized')
    case 'forbidden': return i18n.t('reports.errors.forbidden')
    case 'rate_limited': return i18n.t('reports.errors.rateLimited')
    case 'service_unavailable': return i18n.t('reports.errors.unavailable')
    case 'not_found': return i18n.t('reports.errors.notFound')
    case 'invalid_request':
      switch (error.reason) {
        case 'unknown_time_zone': return i18n.t('reports.errors.unknownTimeZone')
        case 'from_after_to': return i18n.t('reports.errors.fromAfterTo')
        case 'period_too_long': return i18n.t('reports.errors.periodTooLong')
        case 'invalid_schedule': return i18n.t('reports.errors.invalidSchedule')
        default: return i18n.t('reports.errors.invalidRequest')
      }
    default: return i18n.t('reports.errors.generic', [error.code])
  }
}

/** The stored session, and whether it has been read yet. */
export function useReportSession(): { session: Ref<Session | null>, loaded: Ref<boolean> } {
  const session = shallowRef<Session | null>(null)
  const loaded = ref(false)
  void authSessionStorage.getValue().then((value) => {
    if (!loaded.value)
      session.value = value
    loaded.value = true
  })
  onScopeDispose(authSessionStorage.watch((value) => {
    session.value = value
    loaded.value = true
  }))
  return { session, loaded }
}

/**
 * The controls, read from and written to `location.hash` (replaceState: no history entry per
 * click). An agent (not an admin) is locked to themself: `agentId` is always theirs.
 */
export function useReportControls(session: Ref<Session | null>) {
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

/** A drill-down being looked at: what was clicked, and what it is about ("Monday, 14:00", "Ana"). */
export interface DrillSelection extends DrillTarget {
  scope?: string
}

/** A drill-down's heading: the metric, and what it was narrowed to. */
export function drillTitle(selection: DrillSelection): string {
  return selection.scope
    ? `${metricLabel(selection.metric)} · ${selection.scope}`
    : metricLabel(selection.metric)
}

/**
 * The conversations behind one figure (`GET /api/reports/conversations`), paged: `open` asks
 * for the first page of a target, `more` for the next.
 */
export function useReportDrillDown(query: Ref<ReportQuery | null>) {
  const selection = shallowRef<DrillSelection | null>(null)
  const items = shallowRef<ReportConversationRow[]>([])
  const total = ref(0)
  const nextCursor = ref<string | null>(null)
  const state = ref<ReportState>('idle')
  const error = shallowRef<ReportError | null>(null)
  let generation = 0

  async function fetchPage(cursor: string | null): Promise<void> {
    const target = selection.value
    const base = query.value
    if (!target || !base)
      return
    const mine = ++generation
    state.value = 'loading'
    error.value = null
    try {
      const api = await pageApiClient()
      const page = await api.get<ReportConversationPage>(`/api/reports/conversations${toSearch(buildDrillQuery(base, target, cursor))}`)
      if (mine !== generation)
        return
      items.value = cursor
        ? [
            ...items.value,
            ...page.items,
          ]
        : page.items
      total.value = page.total
      nextCursor.value = page.nextCursor
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

  function open(target: DrillSelection): void {
    selection.value = target
    items.value = []
    total.value = 0
    nextCursor.value = null
    void fetchPage(null)
  }

  function close(): void {
    generation++
    selection.value = null
    items.value = []
    state.value = 'idle'
  }

  // Other controls: the open list would no longer match the page.
  watch(query, () => {
    if (selection.value)
      open(selection.value)
  }, { deep: true })

  return {
    selection: computed(() => selection.value),
    items: computed(() => items.value),
    total: readonly(total),
    nextCursor: readonly(nextCursor),
    state: readonly(state),
    error: computed(() => error.value),
    open,
    close,
    more: () => fetchPage(nextCursor.value),
    retry: () => fetchPage(items.value.length ? nextCursor.value : null),
  }
}

export interface ReportFilterOptions {
  agents: Agent[]
  teams: Team[]
  labels: Label[]
  channels: Channel[]
}

/** The agents, teams, labels and WhatsApp numbers to filter by (synced tables, kept current). */
export function useReportFilterOptions() {
  const options = shallowRef<ReportFilterOptions>({
    agents: [],
    teams: [],
    labels: [],
    channels: [],
  })
  const byName = <T extends { name: string }>(rows: T[]): T[] => rows.sort((a, b) => a.name.localeCompare(b.name))
  const subscription = liveQuery(async () => {
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
  }).subscribe({
    next: (value) => {
      options.value = value
    },
    error: (err: unknown) => console.error('[wa-inbox] report filters query failed', err),
  })
  onScopeDispose(() => subscription.unsubscribe())
  return options
}

export type CsvKind = 'conversations' | 'aggregates'

/** The file name of a CSV download: `wa-inbox-conversations-2025-01-01_2025-01-31.csv`. */
export function csvFileName(kind: CsvKind, from: string, to: string): string {
  return `wa-inbox-${kind}-${from}_${to}.csv`
}

/**
 * Downloads `GET /api/reports/<kind>.csv` for the query (with the session's token, so not a plain
 * link): the Blob goes through an object URL and an `<a download>`, revoked afterwards.
 */
export async function downloadReportCsv(kind: CsvKind, query: ReportQuery, fileName: string): Promise<void> {
  const blob = await fetchApiBlob(`/api/reports/${kind}.csv${toSearch(query)}`, {
    headers: { Accept: 'text/csv' },
  })
  const url = URL.createObjectURL(blob)
  try {
    const link = document.createElement('a')
    link.href = url
    link.download = fileName
    link.rel = 'noopener'
    document.body.append(link)
    link.click()
    link.remove()
  }
  finally {
    // The click starts the download synchronously; the URL is not needed after.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
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

/** A metric's name, as the drill-down and the table show it. */
export function metricLabel(metric: ReportMetric): string {
  switch (metric) {
    case 'opened': return i18n.t('reports.metrics.opened')
    case 'assigned': return i18n.t('reports.metrics.assigned')
    case 'closed': return i18n.t('reports.metrics.closed')
    case 'messagesIn': return i18n.t('reports.metrics.messagesIn')
    case 'messagesOut': return i18n.t('reports.metrics.messagesOut')
    case 'botMessages': return i18n.t('reports.metrics.botMessages')
    case 'failed': return i18n.t('reports.metrics.failed')
    case 'botHandled': return i18n.t('reports.metrics.botHandled')
    case 'humanHandled': return i18n.t('reports.metrics.humanHandled')
    case 'firstResponse': return i18n.t('reports.metrics.firstResponse')
    case 'reply': return i18n.t('reports.metrics.reply')
    case 'resolution': return i18n.t('reports.metrics.resolution')
    case 'unassignedWait': return i18n.t('reports.metrics.unassignedWait')
  }
}

/** The duration metrics (their drill-down rows carry a value in ms). */
export const DURATION_METRICS: readonly ReportMetric[] = [
  'firstResponse',
  'reply',
  'resolution',
  'unassignedWait',
]

/** The groups of the summary's table, and the filter each narrows. */
export const GROUP_FILTER = {
  agents: 'agentId',
  teams: 'teamId',
  labels: 'labelId',
  channels: 'channelId',
} as const satisfies Record<ReportTab, keyof DrillTarget>

/** A table / bar row's name: its own, else "No agent" / "No team" … */
export function groupRowName(tab: ReportTab, row: ReportGroupRow): string {
  if (row.name)
    return row.name
  switch (tab) {
    case 'agents': return i18n.t('reports.table.noAgent')
    case 'teams': return i18n.t('reports.table.noTeam')
    case 'labels': return i18n.t('reports.table.noLabel')
    case 'channels': return i18n.t('reports.table.noNumber')
  }
}

/** Nothing happened in the period: no conversation, no message. */
export function isEmptySummary(summary: ReportSummary): boolean {
  const totals = summary.totals
  return totals.opened + totals.closed + totals.messagesIn + totals.messagesOut + totals.assigned === 0
}
