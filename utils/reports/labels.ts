/**
 * The reports page's words and states as plain functions: request states and failures (with
 * their sentence in the UI's language), metric and group names, the drill-down's heading.
 */
import type { DrillTarget, ReportTab } from './query'
import type { ReportGroupRow, ReportMetric, ReportSummary } from '~/protocol/reports'
import { i18n } from '#i18n'
import { isApiError } from '~/utils/api/client'

/** Where a request stands. `forbidden`: the server refused this viewer (403). */
export type ReportState = 'idle' | 'loading' | 'ready' | 'error' | 'forbidden'

/** A failure as the page shows it: the server's code (and `details.reason` of a bad input). */
export interface ReportError {
  code: string
  reason?: string
}

/** A failed request as the page keeps it (logged when it is not an API error). */
export function toReportError(error: unknown): ReportError {
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
