/**
 * Feeds a report every measurement of its period that its filters keep, from the materialised
 * facts (facts-read.ts), falling back to the replay for the few conversations the facts cannot
 * answer for: the same measurements the replay would produce.
 */
import type { Kysely } from 'kysely'
import type { Db } from '../storage/db.ts'
import type { Segment } from './codec.ts'
import type { ReportContext } from './context.ts'
import type { Keys } from './keys.ts'
import type { MetricId } from './metrics.ts'
import { conversationVisibility } from '../services/access.ts'
import { matches } from './context.ts'
import { replay } from './engine.ts'
import { conversationIds, conversationLabels, loadFacts, longOpen } from './facts-read.ts'
import { refreshFacts } from './facts-refresh.ts'
import { reasonKey } from './keys.ts'
import { COUNT_METRICS, Metric } from './metrics.ts'

/** Metrics that depend on the conversation's cycles (the rest do not: counts of messages and assignments). */
const CYCLE_METRICS = new Set<number>([
  Metric.opened,
  Metric.closed,
  Metric.botHandled,
  Metric.humanHandled,
  Metric.firstResponse,
  Metric.reply,
  Metric.resolution,
  Metric.unassignedWait,
])

/** one measurement that passed the report's filters; conversation, agent, team, number and reason as indexes */
export type Visit = (metric: MetricId, conversation: number, at: number, value: number | null, agent: number, team: number, channel: number, reason: number) => void

export interface Scanned { keys: Keys, labelsOf: Map<number, string[]> }

/** The report's filters as indexes (null: no filter; -2: a key the facts never saw, matching nothing). */
interface Filter {
  from: number
  to: number
  /** whether `conversationOk` must be asked */
  byConversation: boolean
  conversationOk: (conversation: number) => boolean
  channel: number | null
  agent: number | null
  team: number | null
  /** conversations whose cycle metrics come from the replay (`replayed`) */
  long: Set<number>
  /** conversations whose bot / human judgement comes from the replay */
  handled: Set<number>
  /** business time, or null for wall time */
  duration: ((a: number, b: number) => number) | null
}

/**
 * Feeds `visit` every measurement of the period that the report's filters keep, from the
 * materialised facts (facts-read.ts): the same measurements the replay would produce.
 */
export async function scan(db: Db, ctx: ReportContext, makeVisit: (scanned: Scanned) => Visit): Promise<void> {
  const ws = ctx.workspaceId
  const { from, to } = ctx
  await refreshFacts(db, ws)
  const [facts, labelsOf, visibleSet, long] = await Promise.all([
    loadFacts(db, ws, from, to),
    conversationLabels(db, ws),
    visibleConversations(db, ctx),
    longOpen(db, ws, from),
  ])
  const { keys } = facts
  const visit = makeVisit({ keys, labelsOf })
  const labelId = ctx.labelId
  const filter: Filter = {
    from,
    to,
    byConversation: visibleSet !== null || labelId !== undefined,
    conversationOk: c => (!visibleSet || visibleSet.has(c)) && (labelId === undefined || (labelsOf.get(c)?.includes(labelId) ?? false)),
    channel: ctx.channelId === undefined
      ? null
      : keys.find('channel', ctx.channelId),
    agent: ctx.agentId === undefined
      ? null
      : keys.find('agent', ctx.agentId),
    team: ctx.teamId === undefined
      ? null
      : keys.find('team', ctx.teamId),
    // Conversations replayed as before: a cycle open since before the lookback (`long`), or a cycle
    // still open at `to` whose assignee or team changed at or after `to` (its bot / human judgement
    // is attributed to the assignee at `to`, which the facts do not keep).
    long: new Set(long.values()),
    handled: new Set(),
    duration: ctx.schedule ? ctx.duration : null,
  }
  for (const s of facts.segments)
    changedAfterPeriod(s, filter)
  if (filter.long.size > 0 || filter.handled.size > 0)
    await replayed(db, ctx, keys, long, filter, visit)
  for (const s of facts.segments) {
    scanMeasures(s, filter, visit)
    scanCycles(s, filter, visit)
  }
}

/** the indexes of the conversations the caller may see (null: all) */
async function visibleConversations(db: Db, ctx: ReportContext): Promise<Set<number> | null> {
  const visible = conversationVisibility(ctx.caller)
  if (!visible)
    return null
  const adb = db as unknown as Kysely<any>
  const rows = await adb.selectFrom('conversations').innerJoin('report_conv as rc', join => join.onRef('rc.conversation_id', '=', 'conversations.id').onRef('rc.workspace_id', '=', 'conversations.workspace_id')).select('rc.idx').where('conversations.workspace_id', '=', ctx.workspaceId).where(visible as any).execute()
  return new Set(rows.map(r => Number(r.idx)))
}

/** adds to `filter.handled` the conversations of cycles started in the period, open at its end, changed at or after it */
function changedAfterPeriod(s: Segment, filter: Filter): void {
  const { from, to, long, handled } = filter
  const { cycleCount, cycleStart, cycleClosedAt, cycleLastChangeAt, cycleConversation } = s
  for (let i = 0; i < cycleCount; i++) {
    const start = cycleStart[i]!
    const closed = cycleClosedAt[i]!
    if (start >= from && start < to && !(closed < to) && cycleLastChangeAt[i]! >= to && !long.has(cycleConversation[i]!))
      handled.add(cycleConversation[i]!)
  }
}

/** The fallback: the conversations the facts cannot answer for, replayed for the period. */
async function replayed(db: Db, ctx: ReportContext, keys: Keys, long: Map<string, number>, filter: Filter, visit: Visit): Promise<void> {
  const ids = new Map<string, number>(long)
  for (const [idx, id] of await conversationIds(db, ctx.workspaceId, [...filter.handled]))
    ids.set(id, idx)
  await replay(db, {
    ...ctx,
    onlyConversations: [
      ...ids.keys(),
    ],
  }, {
    measure(metric, conv, at, value, agentId, teamId, reason) {
      const c = ids.get(conv.id)!
      if (!CYCLE_METRICS.has(metric))
        return
      if (!filter.long.has(c) && metric !== Metric.botHandled && metric !== Metric.humanHandled)
        return
      if (!matches(ctx, agentId, teamId))
        return
      visit(metric, c, at, value, keys.idx('agent', agentId), keys.idx('team', teamId), keys.idx('channel', conv.channelId), metric === Metric.failed
        ? keys.idx('reason', reasonKey(reason ?? null))
        : -1)
    },
  })
}

/** the segment's measurements in the period that the filters keep (bot / human judgement aside) */
function scanMeasures(s: Segment, filter: Filter, visit: Visit): void {
  const { from, to, byConversation, conversationOk, long, duration } = filter
  const channelF = filter.channel
  const agentF = filter.agent
  const teamF = filter.team
  const skipLong = long.size > 0
  const { measureCount, metric, at, start, conversation, agent, team, channel, reason } = s
  for (let i = 0; i < measureCount; i++) {
    const t = at[i]!
    if (t < from || t >= to)
      continue
    const c = conversation[i]!
    if (byConversation && !conversationOk(c))
      continue
    if (channelF !== null && channel[i] !== channelF)
      continue
    const m = metric[i]! as MetricId
    if (skipLong && long.has(c) && CYCLE_METRICS.has(m))
      continue
    const a = agent[i]!
    const tm = team[i]!
    if ((agentF !== null && a !== agentF) || (teamF !== null && tm !== teamF))
      continue
    let value: number | null = null
    if (m >= COUNT_METRICS) {
      value = duration
        ? duration(start[i]!, t)
        : t - start[i]!
    }
    visit(m, c, t, value, a, tm, channel[i]!, reason[i]!)
  }
}

/** Bot- / human-handled: cycles started in the period, judged on the cycle up to `to`. */
function scanCycles(s: Segment, filter: Filter, visit: Visit): void {
  const { from, to, byConversation, conversationOk, long, handled } = filter
  const channelF = filter.channel
  const agentF = filter.agent
  const teamF = filter.team
  const { cycleCount, cycleStart, cycleConversation, cycleChannel, cycleAgent, cycleTeam, cycleClosedAt, cycleFirstHumanAt, cycleFirstOutAt } = s
  for (let i = 0; i < cycleCount; i++) {
    const st = cycleStart[i]!
    if (st < from || st >= to)
      continue
    const c = cycleConversation[i]!
    if (long.has(c) || handled.has(c))
      continue
    if (byConversation && !conversationOk(c))
      continue
    if (channelF !== null && cycleChannel[i] !== channelF)
      continue
    const a = cycleAgent[i]!
    const tm = cycleTeam[i]!
    if ((agentF !== null && a !== agentF) || (teamF !== null && tm !== teamF))
      continue
    const closed = cycleClosedAt[i]!
    let human: boolean
    let any: boolean
    if (closed < to) {
      human = !Number.isNaN(cycleFirstHumanAt[i]!)
      any = !Number.isNaN(cycleFirstOutAt[i]!)
    }
    else {
      human = cycleFirstHumanAt[i]! < to
      any = cycleFirstOutAt[i]! < to
    }
    if (human)
      visit(Metric.humanHandled, c, st, null, a, tm, cycleChannel[i]!, -1)
    else if (any)
      visit(Metric.botHandled, c, st, null, a, tm, cycleChannel[i]!, -1)
  }
}
