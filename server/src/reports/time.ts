/**
 * Local time for reports without a time-zone library: UTC offsets come from Intl (which knows
 * every DST rule) and are cached per 15 minutes (every real offset and transition falls on a
 * quarter hour), so a million timestamps cost a few thousand Intl calls. Business hours are a
 * prefix sum over local days, so clipping an interval to the schedule is O(1) per interval.
 */
import type { ReportInputError } from '../../../protocol/reports.ts'
import { AppError } from '../errors.ts'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
const QUARTER = 15 * MINUTE

export function badInput(field: string, reason: ReportInputError, message: string): AppError {
  return new AppError(400, 'invalid_request', `${field}: ${message}`, {
    field,
    details: { reason },
  })
}

export interface ScheduleRange { weekday: number, start: number, end: number }

/** Parses `1:540-1020,2:540-1020` (ISO weekday : start-end minutes); throws 400 invalid_schedule. */
export function parseSchedule(text: string | undefined): ScheduleRange[] | null {
  if (text === undefined)
    return null
  const ranges: ScheduleRange[] = []
  for (const part of text.split(',').map(s => s.trim()).filter(Boolean)) {
    const m = /^([1-7]):(\d{1,4})-(\d{1,4})$/.exec(part)
    if (!m)
      throw badInput('hours', 'invalid_schedule', `"${part.slice(0, 40)}" is not weekday:start-end (e.g. 1:540-1020)`)
    const [weekday, start, end] = [
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
    ]
    if (end > 1440 || start >= end)
      throw badInput('hours', 'invalid_schedule', `"${part}": minutes must satisfy 0 <= start < end <= 1440`)
    ranges.push({ weekday, start, end })
  }
  ranges.sort((a, b) => a.weekday - b.weekday || a.start - b.start)
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.weekday === ranges[i - 1]!.weekday && ranges[i]!.start < ranges[i - 1]!.end)
      throw badInput('hours', 'invalid_schedule', `ranges of weekday ${ranges[i]!.weekday} overlap`)
  }
  return ranges
}

const knownZones = new Set<string>()

export function checkTimeZone(tz: string): void {
  if (knownZones.has(tz))
    return
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    if (knownZones.size < 1000)
      knownZones.add(tz)
  }
  catch {
    throw badInput('tz', 'unknown_time_zone', `"${tz.slice(0, 64)}" is not an IANA time zone`)
  }
}

/** Local calendar of one IANA time zone. */
export class LocalClock {
  private readonly format: Intl.DateTimeFormat
  private readonly offsets = new Map<number, number>()
  private readonly dayNames = new Map<number, string>()

  readonly tz: string

  constructor(tz: string) {
    this.tz = tz
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  }

  private windowStart = 0
  private window: Float64Array | null = null

  /** Precomputes the offsets of [from, to) into an array (a report reads millions of instants). */
  prepare(from: number, to: number): void {
    const first = Math.floor(from / QUARTER)
    const last = Math.floor(to / QUARTER)
    if (last - first > 500_000)
      return
    const window = new Float64Array(last - first + 1)
    this.window = null
    // Probe every 6 hours; where the offset differs between two probes, find the quarter it
    // changes at by bisection (time zones change offset at most once in 6 hours).
    const STEP = 24
    for (let q = first; q <= last; q += STEP) {
      const end = Math.min(q + STEP, last)
      const a = this.offset(q * QUARTER)
      const b = this.offset(end * QUARTER)
      let change = end + 1
      if (a !== b) {
        let lo = q
        let hi = end
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1
          if (this.offset(mid * QUARTER) === a)
            lo = mid
          else hi = mid
        }
        change = hi
      }
      for (let k = q; k <= end; k++) {
        window[k - first] = k < change
          ? a
          : b
      }
    }
    this.windowStart = first
    this.window = window
  }

  /** local time − UTC at instant t, in ms */
  offset(t: number): number {
    const key = Math.floor(t / QUARTER)
    if (this.window) {
      const i = key - this.windowStart
      if (i >= 0 && i < this.window.length)
        return this.window[i]!
    }
    let off = this.offsets.get(key)
    if (off === undefined) {
      const at = key * QUARTER
      const p: Record<string, number> = {}
      for (const part of this.format.formatToParts(at)) {
        if (part.type !== 'literal')
          p[part.type] = Number(part.value)
      }
      off = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - at
      this.offsets.set(key, off)
    }
    return off
  }

  /** ms since the epoch of local wall-clock time (as if UTC) → instant; gaps resolve forward, overlaps to the first. */
  toInstant(local: number): number {
    const first = local - this.offset(local)
    const second = local - this.offset(first)
    return second
  }

  /** local day number (days since 1970-01-01 in local time) */
  day(t: number): number {
    return Math.floor((t + this.offset(t)) / DAY)
  }

  /** ISO weekday 1 (Monday) … 7 of a local day number */
  static weekdayOfDay(day: number): number {
    return ((((day + 3) % 7) + 7) % 7) + 1
  }

  weekday(t: number): number {
    return LocalClock.weekdayOfDay(this.day(t))
  }

  hour(t: number): number {
    const local = t + this.offset(t)
    return Math.floor((local - Math.floor(local / DAY) * DAY) / HOUR)
  }

  /** YYYY-MM-DD of a local day number */
  dayName(day: number): string {
    let name = this.dayNames.get(day)
    if (name === undefined) {
      name = new Date(day * DAY).toISOString().slice(0, 10)
      this.dayNames.set(day, name)
    }
    return name
  }

  /** local ISO 8601 with offset, second precision: 2025-03-30T09:05:00+03:00 */
  iso(t: number): string {
    const off = this.offset(t)
    const local = new Date(t + off).toISOString().slice(0, 19)
    const sign = off < 0
      ? '-'
      : '+'
    const abs = Math.abs(off) / MINUTE
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  }
}

/** local day number of a YYYY-MM-DD string, or null */
export function parseDay(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text))
    return null
  const t = Date.parse(`${text}T00:00:00Z`)
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== text)
    return null
  return t / DAY
}

/**
 * How much of [a, b) falls inside the schedule, for instants within [start, end] (the span it was
 * built for; instants outside are clamped). Built once per report: per local day the schedule's
 * windows as instants, and the running total of business time before each day.
 */
export class BusinessHours {
  private readonly firstDay: number
  private readonly windows: Array<Array<[number, number]>> = []
  private readonly before: number[] = []
  private readonly lo: number
  private readonly hi: number
  private readonly clock: LocalClock

  constructor(clock: LocalClock, schedule: ScheduleRange[], start: number, end: number) {
    this.clock = clock
    this.lo = start
    this.hi = end
    this.firstDay = clock.day(start) - 1
    const lastDay = clock.day(end) + 1
    let total = 0
    for (let d = this.firstDay; d <= lastDay; d++) {
      const weekday = LocalClock.weekdayOfDay(d)
      const list: Array<[number, number]> = []
      for (const r of schedule) {
        if (r.weekday !== weekday)
          continue
        const ws = clock.toInstant(d * DAY + r.start * MINUTE)
        const we = clock.toInstant(d * DAY + r.end * MINUTE)
        if (we > ws)
          list.push([ws, we])
      }
      this.windows.push(list)
      this.before.push(total)
      for (const [ws, we] of list)
        total += we - ws
    }
  }

  /** business time from the span's start to t */
  private upTo(t: number): number {
    const x = Math.min(Math.max(t, this.lo), this.hi)
    const i = Math.min(Math.max(this.clock.day(x) - this.firstDay, 0), this.windows.length - 1)
    let sum = this.before[i]!
    for (const [ws, we] of this.windows[i]!) {
      if (x > ws)
        sum += Math.min(x, we) - ws
    }
    return sum
  }

  between(a: number, b: number): number {
    return b > a
      ? this.upTo(b) - this.upTo(a)
      : 0
  }
}
