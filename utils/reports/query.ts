/**
 * The reports page's controls as data: what the user picked (period, time zone, business
 * hours, filters, table tab), how it is kept in the address (`#period=30&tz=…`, so a view can
 * be shared and reloaded), and the `ReportQuery` it asks the server for. Plain functions.
 */
import type { ReportConversationsQuery, ReportMetric, ReportQuery } from '~/protocol/reports'

// The protocol's values are repeated here, not imported: importing protocol/reports.ts at run
// time would pull its schemas and TypeBox (about 70 kB) into this page. A test keeps them equal.

/** Longest period one report may cover (REPORT_MAX_DAYS of protocol/reports.ts). */
export const MAX_PERIOD_DAYS = 366

/** Every drill-down metric, in the protocol's order (REPORT_METRICS of protocol/reports.ts). */
export const METRICS = [
  'opened',
  'assigned',
  'closed',
  'messagesIn',
  'messagesOut',
  'botMessages',
  'failed',
  'botHandled',
  'humanHandled',
  'firstResponse',
  'reply',
  'resolution',
  'unassignedWait',
] as const satisfies readonly ReportMetric[]

export const PERIOD_PRESETS = ['7', '30', '90', 'custom'] as const
export type PeriodPreset = typeof PERIOD_PRESETS[number]

export const REPORT_TABS = [
  'agents',
  'teams',
  'labels',
  'channels',
] as const
export type ReportTab = typeof REPORT_TABS[number]

export interface ReportControls {
  period: PeriodPreset
  /** custom period: first day, `YYYY-MM-DD` (inclusive) */
  from: string
  /** custom period: last day, `YYYY-MM-DD` (inclusive) */
  to: string
  /** IANA time zone of days, hours and the schedule */
  tz: string
  /** count only time inside business hours (Monday to Friday, `hoursStart`…`hoursEnd`) */
  businessHours: boolean
  /** minutes after local midnight */
  hoursStart: number
  hoursEnd: number
  agentId: string | null
  teamId: string | null
  labelId: string | null
  channelId: string | null
  /** the table's tab */
  tab: ReportTab
}

/** Business days of the schedule (ISO weekdays: Monday … Friday). */
export const BUSINESS_DAYS = [1, 2, 3, 4, 5] as const

export function browserTimeZone(): string {
  try {
    return new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  }
  catch {
    return 'UTC'
  }
}

/** The time zones offered (the browser's list; never empty). */
export function supportedTimeZones(): string[] {
  try {
    const zones = Intl.supportedValuesOf('timeZone')
    return zones.includes('UTC')
      ? zones
      : ['UTC', ...zones]
  }
  catch {
    return ['UTC']
  }
}

export function isTimeZone(value: string): boolean {
  try {
    void new Intl.DateTimeFormat('en', { timeZone: value })
    return true
  }
  catch {
    return false
  }
}

export function defaultControls(timeZone = browserTimeZone()): ReportControls {
  return {
    period: '30',
    from: '',
    to: '',
    tz: timeZone,
    businessHours: false,
    hoursStart: 9 * 60,
    hoursEnd: 17 * 60,
    agentId: null,
    teamId: null,
    labelId: null,
    channelId: null,
    tab: 'agents',
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar days in a time zone

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

export function isDay(value: string): boolean {
  if (!DAY_PATTERN.test(value))
    return false
  const [year, month, day] = value.split('-').map(Number)
  const date = new Date(Date.UTC(year!, month! - 1, day!))
  return date.getUTCMonth() === month! - 1 && date.getUTCDate() === day
}

/** The calendar day `at` falls on in `timeZone`, `YYYY-MM-DD`. */
export function dayIn(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at)
  const part = (type: string): string => parts.find(item => item.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

/** `day` plus `count` days (negative: earlier). */
export function addDays(day: string, count: number): string {
  const [year, month, date] = day.split('-').map(Number)
  return new Date(Date.UTC(year!, month! - 1, date! + count)).toISOString().slice(0, 10)
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}

/** How far `timeZone`'s clock is ahead of UTC at `at`, in ms. */
function zoneOffset(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at)
  const part = (type: string): number => Number(parts.find(item => item.type === type)?.value ?? 0)
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'))
  return asUtc - Math.floor(at / 1000) * 1000
}

/** The moment `day` starts (local midnight) in `timeZone`, ms since the epoch (DST-safe). */
export function startOfDay(day: string, timeZone: string): number {
  const [year, month, date] = day.split('-').map(Number)
  const wall = Date.UTC(year!, month! - 1, date!)
  let at = wall - zoneOffset(wall, timeZone)
  // The offset at the guess can differ from the one at the answer across a DST change.
  at = wall - zoneOffset(at, timeZone)
  return at
}

// ---------------------------------------------------------------------------------------------
// The period

export type PeriodProblem = 'missing' | 'fromAfterTo' | 'tooLong'

/** The first and last day (inclusive) the controls cover, or why they cover none. */
export function periodDays(controls: ReportControls, now: number): { from: string, to: string } | { problem: PeriodProblem } {
  if (controls.period !== 'custom') {
    const today = dayIn(now, controls.tz)
    return {
      from: addDays(today, -(Number(controls.period) - 1)),
      to: today,
    }
  }
  if (!isDay(controls.from) || !isDay(controls.to))
    return { problem: 'missing' }
  if (controls.from > controls.to)
    return { problem: 'fromAfterTo' }
  if (daysBetween(controls.from, controls.to) + 1 > MAX_PERIOD_DAYS)
    return { problem: 'tooLong' }
  return { from: controls.from, to: controls.to }
}

/** The schedule of `hours` (see ReportQuerySchema): Monday–Friday, start–end. */
export function businessHoursParam(controls: Pick<ReportControls, 'hoursStart' | 'hoursEnd'>): string {
  return BUSINESS_DAYS.map(day => `${day}:${controls.hoursStart}-${controls.hoursEnd}`).join(',')
}

/**
 * The summary's query for these controls at `now`; null when the period is not valid.
 * `agentId` is the viewer's own for an agent (they may only ask about themself).
 */
export function buildReportQuery(controls: ReportControls, now: number): ReportQuery | null {
  const days = periodDays(controls, now)
  if ('problem' in days)
    return null
  const query: ReportQuery = {
    from: startOfDay(days.from, controls.tz),
    to: startOfDay(addDays(days.to, 1), controls.tz),
    tz: controls.tz,
  }
  if (controls.businessHours && controls.hoursStart < controls.hoursEnd)
    query.hours = businessHoursParam(controls)
  if (controls.agentId)
    query.agentId = controls.agentId
  if (controls.teamId)
    query.teamId = controls.teamId
  if (controls.labelId)
    query.labelId = controls.labelId
  if (controls.channelId)
    query.channelId = controls.channelId
  return query
}

/** What a drill-down adds to the query: the metric, and a day or a heatmap cell. */
export interface DrillTarget {
  metric: ReportMetric
  day?: string
  weekday?: number
  hour?: number
  /** narrows the filters (a bar or table row of one agent / team / label / number) */
  agentId?: string
  teamId?: string
  labelId?: string
  channelId?: string
}

export function buildDrillQuery(base: ReportQuery, target: DrillTarget, cursor?: string | null): ReportConversationsQuery {
  const query: ReportConversationsQuery = { ...base, metric: target.metric }
  for (const key of [
    'agentId',
    'teamId',
    'labelId',
    'channelId',
  ] as const) {
    if (target[key])
      query[key] = target[key]
  }
  if (target.day)
    query.day = target.day
  if (target.weekday !== undefined && target.hour !== undefined) {
    query.weekday = target.weekday
    query.hour = target.hour
  }
  if (cursor)
    query.cursor = cursor
  return query
}

/** A query as a `?a=1&b=2` search string (undefined / null / '' left out), keys in a stable order. */
export function toSearch(query: object): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '')
      continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text
    ? `?${text}`
    : ''
}

// ---------------------------------------------------------------------------------------------
// The address: `#period=30&tz=Europe%2FBucharest&bh=540-1020&agent=…&team=…&label=…&number=…&tab=teams`

const ID_PATTERN = /^[\w-]{1,64}$/

/** Reads the controls from a `location.hash`; anything missing or invalid keeps its default. */
export function parseHash(hash: string, defaults: ReportControls): ReportControls {
  const params = new URLSearchParams(hash.replace(/^#\/?/, ''))
  const controls = { ...defaults }
  const period = params.get('period')
  if (period && (PERIOD_PRESETS as readonly string[]).includes(period))
    controls.period = period as PeriodPreset
  if (controls.period === 'custom') {
    const from = params.get('from') ?? ''
    const to = params.get('to') ?? ''
    controls.from = isDay(from)
      ? from
      : ''
    controls.to = isDay(to)
      ? to
      : ''
  }
  const tz = params.get('tz')
  if (tz && isTimeZone(tz))
    controls.tz = tz
  const hours = /^(\d{1,4})-(\d{1,4})$/.exec(params.get('bh') ?? '')
  if (hours) {
    const start = Number(hours[1])
    const end = Number(hours[2])
    if (start < end && end <= 1440) {
      controls.businessHours = true
      controls.hoursStart = start
      controls.hoursEnd = end
    }
  }
  const id = (name: string): string | null => {
    const value = params.get(name)
    return value && ID_PATTERN.test(value)
      ? value
      : null
  }
  controls.agentId = id('agent')
  controls.teamId = id('team')
  controls.labelId = id('label')
  controls.channelId = id('number')
  const tab = params.get('tab')
  if (tab && (REPORT_TABS as readonly string[]).includes(tab))
    controls.tab = tab as ReportTab
  return controls
}

/** The controls as a `location.hash` (defaults left out, but the time zone always written). */
export function toHash(controls: ReportControls, defaults: ReportControls): string {
  const params = new URLSearchParams()
  if (controls.period !== defaults.period)
    params.set('period', controls.period)
  if (controls.period === 'custom') {
    if (controls.from)
      params.set('from', controls.from)
    if (controls.to)
      params.set('to', controls.to)
  }
  // Always: a shared link shows the same days and hours in a colleague's other time zone.
  params.set('tz', controls.tz)
  if (controls.businessHours)
    params.set('bh', `${controls.hoursStart}-${controls.hoursEnd}`)
  if (controls.agentId)
    params.set('agent', controls.agentId)
  if (controls.teamId)
    params.set('team', controls.teamId)
  if (controls.labelId)
    params.set('label', controls.labelId)
  if (controls.channelId)
    params.set('number', controls.channelId)
  if (controls.tab !== defaults.tab)
    params.set('tab', controls.tab)
  return `#${params.toString()}`
}
