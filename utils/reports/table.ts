/**
 * The report table's columns as plain data: every count metric, then the duration percentiles,
 * each with its heading in the UI's language and how to read its figure from a row's metrics.
 */
import type { ReportMetric, ReportMetrics } from '~/protocol/reports'
import { i18n } from '#i18n'
import { metricLabel } from './labels'

export interface ReportColumn {
  key: string
  label: string
  kind: 'count' | 'duration'
  metric: ReportMetric
  value: (metrics: ReportMetrics) => number | null
}

/** The metrics shown as a plain count, in column order. */
type CountMetric = 'opened' | 'assigned' | 'closed' | 'humanHandled' | 'botHandled' | 'messagesIn' | 'messagesOut' | 'failed'

/** The metrics shown as a duration percentile. */
type DurationMetric = 'firstResponse' | 'reply' | 'resolution' | 'unassignedWait'

type Percentile = 'p50' | 'p90'

const COUNT_METRICS: CountMetric[] = [
  'opened',
  'assigned',
  'closed',
  'humanHandled',
  'botHandled',
  'messagesIn',
  'messagesOut',
  'failed',
]

/** The duration columns, in order: a metric and the percentile shown. */
const DURATION_COLUMNS: [DurationMetric, Percentile][] = [
  ['firstResponse', 'p50'],
  ['firstResponse', 'p90'],
  ['reply', 'p50'],
  ['resolution', 'p50'],
  ['unassignedWait', 'p50'],
]

/** A percentile's heading: `name` is the metric's label. */
function percentileLabel(percentile: Percentile, name: string): string {
  return percentile === 'p50'
    ? i18n.t('reports.table.p50', [name])
    : i18n.t('reports.table.p90', [name])
}

export function countColumn(metric: CountMetric): ReportColumn {
  return {
    key: metric,
    label: metricLabel(metric),
    kind: 'count',
    metric,
    value: m => m[metric],
  }
}

/** A duration percentile column, keyed like `firstResponseP50`. */
export function durationColumn(metric: DurationMetric, percentile: Percentile): ReportColumn {
  return {
    key: `${metric}${percentile.toUpperCase()}`,
    label: percentileLabel(percentile, metricLabel(metric)),
    kind: 'duration',
    metric,
    value: m => m[metric][percentile],
  }
}

/** Every column of the table, in order (built anew so the headings follow the UI's language). */
export function reportColumns(): ReportColumn[] {
  return [
    ...COUNT_METRICS.map(countColumn),
    ...DURATION_COLUMNS.map(([metric, percentile]) => durationColumn(metric, percentile)),
  ]
}
