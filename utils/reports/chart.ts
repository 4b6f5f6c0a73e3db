// @unocss-include (the tone classes below are written here, in a .ts file UnoCSS does not scan by default)
/**
 * What the reports page's hand-written SVG charts share, as plain functions: a nice value axis,
 * the colour of a series, labels that fit, and where a roving keyboard focus moves (one tab stop
 * per chart; arrow keys move between its points). The Vue side: composables/reports-chart.ts.
 */
import { formatDuration, formatNumber } from './format'

/** The colour roles a series can take (theme tokens of uno.config.ts, never hex). */
export type ChartTone = 'primary' | 'warning' | 'danger' | 'success' | 'muted'

// Full class strings, so UnoCSS sees them.
export const TONE_FILL: Record<ChartTone, string> = {
  primary: 'fill-primary',
  warning: 'fill-warning',
  danger: 'fill-danger',
  success: 'fill-success',
  muted: 'fill-fg-muted',
}
export const TONE_STROKE: Record<ChartTone, string> = {
  primary: 'stroke-primary',
  warning: 'stroke-warning',
  danger: 'stroke-danger',
  success: 'stroke-success',
  muted: 'stroke-fg-muted',
}
export const TONE_BG: Record<ChartTone, string> = {
  primary: 'bg-primary',
  warning: 'bg-warning',
  danger: 'bg-danger',
  success: 'bg-success',
  muted: 'bg-fg-muted',
}

/** A series of a chart: a key, its legend text and colour. */
export interface ChartSeries {
  key: string
  label: string
  tone: ChartTone
}

/** What a chart's values are: counts, or durations in ms. */
export type ChartValueKind = 'count' | 'duration'

/** A chart value as text: a duration ("1 hr 20 min") or a number, in the UI locale. */
export function formatChartValue(kind: ChartValueKind, value: number | null): string {
  return kind === 'duration'
    ? formatDuration(value)
    : formatNumber(value)
}

/** The value axis for every non-null value of a chart's series. */
export function chartScale(kind: ChartValueKind, series: ReadonlyArray<ReadonlyArray<number | null>>): { max: number, ticks: number[] } {
  let max = 0
  for (const values of series) {
    for (const value of values) {
      if (value !== null && value > max)
        max = value
    }
  }
  return kind === 'duration'
    ? niceDurationScale(max)
    : niceScale(Math.ceil(max))
}

/**
 * A value axis from 0 that ends on a round number: `{ max, ticks }` with `count` steps
 * (max 0 → a 0…count axis, so an empty chart still has one). Counts get whole steps.
 */
export function niceScale(maxValue: number, count = 4, integer = true): { max: number, ticks: number[] } {
  const top = Number.isFinite(maxValue) && maxValue > 0
    ? maxValue
    : count
  const rough = top / count
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const factors = integer
    ? [1, 2, 3, 5, 10]
    : [1, 2, 2.5, 5, 10]
  const step = Math.max(integer ? 1 : 0, factors.map(f => f * magnitude).find(s => s * count >= top) ?? magnitude * 10)
  return {
    max: step * count,
    ticks: Array.from({ length: count + 1 }, (_, index) => step * index),
  }
}

/**
 * A nice axis for durations in ms: steps of whole seconds, minutes, hours or days, so the
 * labels read "5 min", "10 min"… rather than "4.7 min".
 */
export function niceDurationScale(maxMs: number, count = 4): { max: number, ticks: number[] } {
  const steps = [
    1,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
    172800,
    604800,
  ].map(s => s * 1000)
  const top = Number.isFinite(maxMs) && maxMs > 0
    ? maxMs
    : 60_000
  const step = steps.find(s => s * count >= top) ?? Math.ceil(top / count / 86_400_000) * 86_400_000
  return {
    max: step * count,
    ticks: Array.from({ length: count + 1 }, (_, index) => step * index),
  }
}

/** Shortens a label for an axis (the full text stays in the tooltip and the table). */
export function ellipsize(text: string, max: number): string {
  return text.length > max
    ? `${text.slice(0, Math.max(1, max - 1)).trimEnd()}…`
    : text
}

/**
 * Where an arrow / Home / End key moves a roving focus in a grid of `rows` × `columns` items
 * (a list is one row or one column). Answers the new index, or null for keys it does not own.
 */
export function moveFocus(key: string, index: number, rows: number, columns: number): number | null {
  const count = rows * columns
  if (count === 0)
    return null
  const row = Math.floor(index / columns)
  const column = index % columns
  switch (key) {
    case 'ArrowRight':
      return columns > 1
        ? row * columns + Math.min(columns - 1, column + 1)
        : Math.min(count - 1, index + 1)
    case 'ArrowLeft':
      return columns > 1
        ? row * columns + Math.max(0, column - 1)
        : Math.max(0, index - 1)
    case 'ArrowDown':
      return rows > 1
        ? Math.min(rows - 1, row + 1) * columns + column
        : Math.min(count - 1, index + 1)
    case 'ArrowUp':
      return rows > 1
        ? Math.max(0, row - 1) * columns + column
        : Math.max(0, index - 1)
    case 'Home':
      return columns > 1
        ? row * columns
        : 0
    case 'End':
      return columns > 1
        ? row * columns + columns - 1
        : count - 1
    default:
      return null
  }
}
