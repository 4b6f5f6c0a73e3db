/**
 * Number, date and duration formatting for the reports page, in the UI's language
 * (`uiLocale()`: the translation shown, not the browser's guess). Plain functions with the
 * locale as an argument, so tests can pin it.
 */
import { uiLocale } from '~/utils/page-document'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const unitFormats = new Map<string, Intl.NumberFormat>()

function unitFormat(locale: string, unit: 'second' | 'minute' | 'hour' | 'day'): Intl.NumberFormat {
  const key = `${locale}|${unit}`
  let format = unitFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit,
      unitDisplay: 'short',
      maximumFractionDigits: 0,
    })
    unitFormats.set(key, format)
  }
  return format
}

/**
 * A duration as people say it: "45 sec", "4 min", "1 hr 20 min", "2 days 3 hr" (two units at
 * most, the larger ones; rounded to the smaller). `null` (no data) is an en dash.
 */
export function formatDuration(ms: number | null | undefined, locale = uiLocale()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms))
    return '–'
  const value = Math.max(0, ms)
  if (value < MINUTE)
    return unitFormat(locale, 'second').format(Math.round(value / 1000))
  if (value < HOUR)
    return unitFormat(locale, 'minute').format(Math.round(value / MINUTE))
  if (value < DAY) {
    const minutes = Math.round(value / MINUTE)
    const hours = Math.floor(minutes / 60)
    const rest = minutes % 60
    if (hours >= 24)
      return unitFormat(locale, 'day').format(1)
    return rest
      ? `${unitFormat(locale, 'hour').format(hours)} ${unitFormat(locale, 'minute').format(rest)}`
      : unitFormat(locale, 'hour').format(hours)
  }
  const hours = Math.round(value / HOUR)
  const days = Math.floor(hours / 24)
  const rest = hours % 24
  return rest
    ? `${unitFormat(locale, 'day').format(days)} ${unitFormat(locale, 'hour').format(rest)}`
    : unitFormat(locale, 'day').format(days)
}

/** A count or a plain number in the UI's language ("1,234" / "1.234"); null is an en dash. */
export function formatNumber(value: number | null | undefined, locale = uiLocale(), options: Intl.NumberFormatOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value))
    return '–'
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1, ...options }).format(value)
}

/** A share (0…1) as a percentage: "42%" / "42 %". */
export function formatPercent(share: number | null | undefined, locale = uiLocale()): string {
  if (share === null || share === undefined || !Number.isFinite(share))
    return '–'
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share)
}

/** A calendar day `YYYY-MM-DD` (as the server sends days) read as that date, whatever the zone. */
export function dayToDate(day: string): Date {
  const [year, month, date] = day.split('-').map(Number)
  return new Date(Date.UTC(year!, (month ?? 1) - 1, date ?? 1, 12))
}

/** A calendar day, short ("Jan 5" / "5 ian."). */
export function formatDay(day: string, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(dayToDate(day))
}

/** A calendar day, long ("Sunday, January 5, 2025"), for tooltips and descriptions. */
export function formatLongDay(day: string, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(dayToDate(day))
}

/** A moment, date and time ("Jan 5, 2025, 14:03") in the given time zone. */
export function formatDateTime(at: number, timeZone?: string, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at)
}

/**
 * Weekday names, Monday first (ISO: index 0 = Monday … 6 = Sunday), as the heatmap lays them
 * out. `width` 'short' ("Mon") or 'long' ("Monday").
 */
export function weekdayNames(width: 'short' | 'long', locale = uiLocale()): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: width, timeZone: 'UTC' })
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, index) => format.format(Date.UTC(2024, 0, 1 + index, 12)))
}

/** An hour of the day as a clock time in the UI's language ("14:00" / "2:00 PM"). */
export function formatHour(hour: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1, hour))
}

/** A time of day given in minutes after midnight ("09:30" / "9:30 AM"). */
export function formatClock(minutes: number, locale = uiLocale()): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1, 0, minutes))
}
