/**
 * Business hours: a weekly schedule in a time zone, with holidays (closed all day). Local time
 * comes from Intl, which knows every daylight-saving rule; formatters are cached per zone.
 */
import type { BusinessHours } from '../../../protocol/bots.ts'

const formatters = new Map<string, Intl.DateTimeFormat>()
const DAYS = [
  'Sun',
  'Mon',
  'Tue',
  'Wed',
  'Thu',
  'Fri',
  'Sat',
]

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
    if (formatters.size < 500)
      formatters.set(timeZone, f)
  }
  return f
}

export interface LocalTime { day: number, minutes: number, date: string, label: string }

export function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {}
  for (const p of formatter(timeZone).formatToParts(at))
    parts[p.type] = p.value
  const day = DAYS.indexOf(parts.weekday!)
  const hour = Number(parts.hour) % 24
  const minute = Number(parts.minute)
  return {
    day,
    minutes: hour * 60 + minute,
    date: `${parts.year}-${parts.month}-${parts.day}`,
    label: `${parts.weekday} ${String(hour).padStart(2, '0')}:${parts.minute} ${timeZone}`,
  }
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return h! * 60 + m!
}

export interface HoursState { open: boolean, holiday: boolean, local: string }

/** Whether the business is open at `at`. */
export function hoursAt(hours: BusinessHours, at: number): HoursState {
  const t = localTime(at, hours.timeZone)
  const holiday = hours.holidays.includes(t.date)
  const open = !holiday && hours.schedule.some(s => s.day === t.day && t.minutes >= toMinutes(s.from) && t.minutes < toMinutes(s.to))
  return { open, holiday, local: t.label }
}
