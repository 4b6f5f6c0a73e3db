/**
 * A report's context: the checked query (period, time zone, business hours, filters) and who asks
 * (an agent only ever sees themself), with the clock and the duration function every measurement
 * uses.
 */
import type { ReportQuery } from '../../../protocol/reports.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { ScheduleRange } from './time.ts'
import { REPORT_MAX_DAYS } from '../../../protocol/reports.ts'
import { AppError } from '../errors.ts'
import { badInput, BusinessHours, checkTimeZone, DAY, LocalClock, parseSchedule } from './time.ts'

export interface ReportContext {
  workspaceId: string
  caller: SessionAgent
  from: number
  to: number
  clock: LocalClock
  schedule: ScheduleRange[] | null
  duration: (a: number, b: number) => number
  agentId?: string
  teamId?: string
  labelId?: string
  channelId?: string
}

const clocks = new Map<string, LocalClock>()

/** One clock per time zone (its offset caches serve every report). */
function clockOf(tz: string): LocalClock {
  let clock = clocks.get(tz)
  if (!clock) {
    if (clocks.size >= 100)
      clocks.clear()
    clock = new LocalClock(tz)
    clocks.set(tz, clock)
  }
  return clock
}

/** Validates the query and who asks; answers what the replay needs. */
export function reportContext(caller: SessionAgent, query: ReportQuery): ReportContext {
  const tz = query.tz ?? 'UTC'
  checkTimeZone(tz)
  if (query.from >= query.to)
    throw badInput('from', 'from_after_to', 'must be before to')
  if (query.to - query.from > REPORT_MAX_DAYS * DAY)
    throw badInput('to', 'period_too_long', `a report covers at most ${REPORT_MAX_DAYS} days`)
  const schedule = parseSchedule(query.hours)
  let agentId = query.agentId
  if (caller.role !== 'admin') {
    if (agentId !== undefined && agentId !== caller.id)
      throw new AppError(403, 'forbidden', 'an agent may only see reports about themself')
    agentId = caller.id
  }
  const clock = clockOf(tz)
  const from = query.from
  const to = query.to
  clock.prepare(Math.max(0, from - 92 * DAY), to + DAY)
  let duration = (a: number, b: number) => b - a
  if (schedule) {
    const hours = new BusinessHours(clock, schedule, Math.max(0, from - 91 * DAY), to)
    duration = (a, b) => hours.between(a, b)
  }
  return {
    workspaceId: caller.workspace_id,
    caller,
    from,
    to,
    clock,
    schedule,
    duration,
    agentId,
    teamId: query.teamId,
    labelId: query.labelId,
    channelId: query.channelId,
  }
}

export function matches(ctx: ReportContext, agentId: string | null, teamId: string | null): boolean {
  return (ctx.agentId === undefined || agentId === ctx.agentId) && (ctx.teamId === undefined || teamId === ctx.teamId)
}
