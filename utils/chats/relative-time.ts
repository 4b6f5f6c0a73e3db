import { uiLocale } from '~/utils/page-document'

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
]

/**
 * A short relative time for a list row ("5m ago", "acum 5 min.", "yesterday"); null under a minute
 * or in the future (clock skew). Narrow where the locale's narrow form says "ago"; some do not
 * (Romanian's reads "-5 m"), and they get the short form.
 */
export function formatShortRelativeTime(timestamp: number, now: number, locale = uiLocale()): string | null {
  const elapsed = Math.min(0, timestamp - now)
  const style = new Intl.RelativeTimeFormat(locale, { style: 'narrow' }).format(-1, 'hour').startsWith('-')
    ? 'short'
    : 'narrow'
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(elapsed) >= size)
      return new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style }).format(Math.round(elapsed / size), unit)
  }
  return null
}
