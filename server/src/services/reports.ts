/**
 * Reports (issue 7): the summary, the drill-down behind each figure, CSV exports and the live
 * overview. Measurements come from one replay of the recorded history (reports-engine.ts); this
 * file checks who may ask what, aggregates and formats.
 */
import type { DurationStats, ReportConversationPage, ReportConversationsQuery, ReportGroupRow, ReportLive, ReportMetrics, ReportQuery, ReportSummary, TrendPoint } from '../../../protocol/reports.ts'
import type { Db } from '../storage/db.ts'
import type { Conv, Cycle, MetricId } from './reports-engine.ts'
import type { ScheduleRange } from './reports-time.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AGGREGATES_CSV_COLUMNS, CONVERSATIONS_CSV_COLUMNS, REPORT_MAX_DAYS } from '../../../protocol/reports.ts'
import { AppError } from '../errors.ts'
import { conversationVisibility } from './access.ts'
import { csvDocument } from './reports-csv.ts'
import { COUNT_METRICS, DURATION_METRICS, M, replay } from './reports-engine.ts'
import { badInput, BusinessHours, checkTimeZone, DAY, LocalClock, parseDay, parseSchedule } from './reports-time.ts'

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
  const clock = new LocalClock(tz)
  const from = query.from
  const to = query.to
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

function matches(ctx: ReportContext, agentId: string | null, teamId: string | null): boolean {
  return (ctx.agentId === undefined || agentId === ctx.agentId) && (ctx.teamId === undefined || teamId === ctx.teamId)
}

/** Nearest rank: the value at rank ⌈p/100 · n⌉ of the sorted values. */
export function nearestRank(sorted: number[], p: number): number | null {
  if (sorted.length === 0)
    return null
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!
}

function stats(values: number[]): DurationStats {
  if (values.length === 0) {
    return {
      count: 0,
      p50: null,
      p90: null,
      mean: null,
    }
  }
  values.sort((a, b) => a - b)
  let sum = 0
  for (const v of values)
    sum += v
  return {
    count: values.length,
    p50: nearestRank(values, 50),
    p90: nearestRank(values, 90),
    mean: Math.round(sum / values.length),
  }
}

class Acc {
  counts = Array.from<number>({ length: COUNT_METRICS }).fill(0)
  durations: number[][] = Array.from({ length: DURATION_METRICS }, () => [])

  add(metric: MetricId, value: number | null) {
    if (metric < COUNT_METRICS)
      this.counts[metric]!++
    else this.durations[metric - COUNT_METRICS]!.push(value!)
    // a close is counted with its resolution: `closed` is emitted separately
  }

  metrics(): ReportMetrics {
    const c = this.counts
    return {
      opened: c[M.opened]!,
      assigned: c[M.assigned]!,
      closed: c[M.closed]!,
      messagesIn: c[M.messagesIn]!,
      messagesOut: c[M.messagesOut]!,
      botMessages: c[M.botMessages]!,
      failed: c[M.failed]!,
      botHandled: c[M.botHandled]!,
      humanHandled: c[M.humanHandled]!,
      firstResponse: stats(this.durations[M.firstResponse - COUNT_METRICS]!),
      reply: stats(this.durations[M.reply - COUNT_METRICS]!),
      resolution: stats(this.durations[M.resolution - COUNT_METRICS]!),
      unassignedWait: stats(this.durations[M.unassignedWait - COUNT_METRICS]!),
    }
  }
}

function accIn<K>(map: Map<K, Acc>, key: K): Acc {
  let acc = map.get(key)
  if (!acc) {
    acc = new Acc()
    map.set(key, acc)
  }
  return acc
}

interface Names { agents: Map<string, string>, teams: Map<string, string>, labels: Map<string, string>, channels: Map<string, string> }

async function loadNames(db: Db, workspaceId: string): Promise<Names> {
  const [agents, teams, labels, channels] = await Promise.all([
    db.selectFrom('agents').select(['id', 'name']).where('workspace_id', '=', workspaceId).execute(),
    db.selectFrom('teams').select(['id', 'name']).where('workspace_id', '=', workspaceId).execute(),
    db.selectFrom('labels').select(['id', 'name']).where('workspace_id', '=', workspaceId).execute(),
    db.selectFrom('channels').select(['id', 'display_phone_number', 'phone_number_id']).where('workspace_id', '=', workspaceId).execute(),
  ])
  return {
    agents: new Map(agents.map(r => [r.id, r.name])),
    teams: new Map(teams.map(r => [r.id, r.name])),
    labels: new Map(labels.map(r => [r.id, r.name])),
    channels: new Map(channels.map(r => [r.id, r.display_phone_number ?? r.phone_number_id])),
  }
}

function rowsOf(map: Map<string | null, Acc>, names: Map<string, string>): ReportGroupRow[] {
  return [...map].map(([id, acc]) => ({
    id,
    name: id === null
      ? null
      : (names.get(id) ?? null),
    metrics: acc.metrics(),
  })).sort((a, b) => (a.name ?? '\uFFFF').localeCompare(b.name ?? '\uFFFF') || (a.id ?? '').localeCompare(b.id ?? ''))
}

interface DayAcc { opened: number, closed: number, messagesIn: number, messagesOut: number, firstResponse: number[], reply: number[], resolution: number[] }

export interface Aggregated {
  totals: Acc
  agents: Map<string | null, Acc>
  teams: Map<string | null, Acc>
  labels: Map<string | null, Acc>
  channels: Map<string | null, Acc>
  failed: Map<string, { code: number, title: string, count: number }>
  days: Map<number, DayAcc>
  heatIn: number[][]
  heatOpened: number[][]
}

async function aggregate(db: Db, ctx: ReportContext): Promise<Aggregated> {
  const out: Aggregated = {
    totals: new Acc(),
    agents: new Map(),
    teams: new Map(),
    labels: new Map(),
    channels: new Map(),
    failed: new Map(),
    days: new Map(),
    heatIn: Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0)),
    heatOpened: Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0)),
  }
  const { clock } = ctx
  await replay(db, ctx, {
    measure(metric, conv, at, value, agentId, teamId, reason) {
      if (!matches(ctx, agentId, teamId))
        return
      out.totals.add(metric, value)
      accIn(out.agents, agentId).add(metric, value)
      accIn(out.teams, teamId).add(metric, value)
      accIn(out.channels, conv.channelId).add(metric, value)
      for (const label of conv.labels)
        accIn(out.labels, label).add(metric, value)
      if (metric === M.failed) {
        const { code, title } = errorOf(reason ?? null)
        const key = String(code)
        const entry = out.failed.get(key)
        if (entry)
          entry.count++
        else out.failed.set(key, { code, title, count: 1 })
      }
      if (metric === M.botMessages || metric === M.failed || metric === M.assigned || metric === M.unassignedWait || metric === M.botHandled || metric === M.humanHandled)
        return
      const dayNo = clock.day(at)
      let day = out.days.get(dayNo)
      if (!day) {
        day = {
          opened: 0,
          closed: 0,
          messagesIn: 0,
          messagesOut: 0,
          firstResponse: [],
          reply: [],
          resolution: [],
        }
        out.days.set(dayNo, day)
      }
      switch (metric) {
        case M.opened:
          day.opened++
          out.heatOpened[clock.weekday(at) - 1]![clock.hour(at)]!++
          break
        case M.closed:
          day.closed++
          break
        case M.messagesIn:
          day.messagesIn++
          out.heatIn[clock.weekday(at) - 1]![clock.hour(at)]!++
          break
        case M.messagesOut:
          day.messagesOut++
          break
        case M.firstResponse:
          day.firstResponse.push(value!)
          break
        case M.reply:
          day.reply.push(value!)
          break
        case M.resolution:
          day.resolution.push(value!)
          break
      }
    },
  })
  return out
}

function errorOf(text: string | null): { code: number, title: string } {
  try {
    const e = text
      ? JSON.parse(text)
      : null
    if (e && typeof e === 'object') {
      return {
        code: Number.isInteger(e.code)
          ? e.code
          : 0,
        title: typeof e.title === 'string'
          ? e.title
          : 'Unknown error',
      }
    }
  }
  catch {}
  return { code: 0, title: 'Unknown error' }
}

export async function reportSummary(db: Db, caller: SessionAgent, query: ReportQuery): Promise<ReportSummary> {
  const started = performance.now()
  const ctx = reportContext(caller, query)
  const [agg, names] = await Promise.all([
    aggregate(db, ctx),
    loadNames(db, ctx.workspaceId),
  ])
  const trend: TrendPoint[] = []
  const firstDay = ctx.clock.day(ctx.from)
  const lastDay = ctx.clock.day(ctx.to - 1)
  for (let d = firstDay; d <= lastDay; d++) {
    const a = agg.days.get(d)
    const fr = (a?.firstResponse ?? []).sort((x, y) => x - y)
    trend.push({
      day: ctx.clock.dayName(d),
      opened: a?.opened ?? 0,
      closed: a?.closed ?? 0,
      messagesIn: a?.messagesIn ?? 0,
      messagesOut: a?.messagesOut ?? 0,
      firstResponseP50: nearestRank(fr, 50),
      firstResponseP90: nearestRank(fr, 90),
      replyP50: nearestRank((a?.reply ?? []).sort((x, y) => x - y), 50),
      resolutionP50: nearestRank((a?.resolution ?? []).sort((x, y) => x - y), 50),
    })
  }
  return {
    period: {
      from: ctx.from,
      to: ctx.to,
      tz: ctx.clock.tz,
      hours: ctx.schedule,
    },
    totals: agg.totals.metrics(),
    agents: rowsOf(agg.agents, names.agents),
    teams: rowsOf(agg.teams, names.teams),
    labels: rowsOf(agg.labels, names.labels),
    channels: rowsOf(agg.channels, names.channels),
    failedByReason: [
      ...agg.failed.values(),
    ].sort((a, b) => b.count - a.count || a.code - b.code),
    trend,
    heatmap: { messagesIn: agg.heatIn, opened: agg.heatOpened },
    generatedAt: Date.now(),
    computeMs: Math.round((performance.now() - started) * 10) / 10,
  }
}

const DURATION_METRIC_IDS = new Set<MetricId>([
  M.firstResponse,
  M.reply,
  M.resolution,
  M.unassignedWait,
])

/** The conversations behind one figure: exactly the measurements the summary counted, filtered by metric and bucket. */
export async function reportConversations(db: Db, caller: SessionAgent, query: ReportConversationsQuery): Promise<ReportConversationPage> {
  const ctx = reportContext(caller, query)
  const metric = M[query.metric]
  let day: number | null = null
  if (query.day !== undefined) {
    day = parseDay(query.day)
    if (day === null)
      throw badInput('day', 'invalid_bucket', 'must be a date YYYY-MM-DD')
  }
  if ((query.weekday === undefined) !== (query.hour === undefined)) {
    throw badInput(query.weekday === undefined
      ? 'weekday'
      : 'hour', 'invalid_bucket', 'weekday and hour go together (a heatmap cell)')
  }
  const limit = query.limit ?? 50
  let offset = 0
  if (query.cursor !== undefined) {
    const n = /^o(\d{1,9})$/.exec(query.cursor)
    if (!n)
      throw badInput('cursor', 'invalid_cursor', 'not a cursor this server issued')
    offset = Number(n[1])
  }
  const found = new Map<string, { conv: Conv, count: number, value: number | null, at: number }>()
  const { clock } = ctx
  await replay(db, ctx, {
    measure(m, conv, at, value, agentId, teamId) {
      if (m !== metric || !matches(ctx, agentId, teamId))
        return
      if (day !== null && clock.day(at) !== day)
        return
      if (query.weekday !== undefined && (clock.weekday(at) !== query.weekday || clock.hour(at) !== query.hour))
        return
      const entry = found.get(conv.id)
      if (entry) {
        entry.count++
        entry.at = Math.max(entry.at, at)
        if (value !== null)
          entry.value = Math.max(entry.value ?? 0, value)
      }
      else {
        found.set(conv.id, {
          conv,
          count: 1,
          value: DURATION_METRIC_IDS.has(m)
            ? value
            : null,
          at,
        })
      }
    },
  })
  const all = [
    ...found.values(),
  ].sort((a, b) => b.at - a.at || (a.conv.id < b.conv.id
    ? -1
    : 1))
  const page = all.slice(offset, offset + limit)
  const contacts = page.length === 0
    ? []
    : await db.selectFrom('contacts').select(['id', 'name', 'profile_name']).where('id', 'in', page.map(p => p.conv.contactId)).execute()
  const contactName = new Map(contacts.map(c => [c.id, c.name ?? c.profile_name]))
  return {
    items: page.map(p => ({
      conversationId: p.conv.id,
      contactId: p.conv.contactId,
      contactName: contactName.get(p.conv.contactId) ?? null,
      channelId: p.conv.channelId,
      assigneeId: p.conv.assigneeId,
      teamId: p.conv.teamId,
      count: p.count,
      value: p.value,
      at: p.at,
    })),
    total: all.length,
    nextCursor: offset + limit < all.length
      ? `o${offset + limit}`
      : null,
  }
}

function seconds(ms: number | null) {
  return ms === null
    ? null
    : Math.round(ms / 1000)
}

/** One row per conversation cycle active in the period (started before its end, not closed before its start). */
export async function conversationsCsv(db: Db, caller: SessionAgent, query: ReportQuery): Promise<string> {
  const ctx = reportContext(caller, query)
  const cycles: Cycle[] = []
  await replay(db, ctx, {
    measure() {},
    cycle(c) {
      if (ctx.agentId !== undefined && c.assigneeId !== ctx.agentId && !c.humanAgents.has(ctx.agentId))
        return
      if (ctx.teamId !== undefined && c.teamId !== ctx.teamId)
        return
      cycles.push(c)
    },
  })
  const names = await loadNames(db, ctx.workspaceId)
  const contactIds = [
    ...new Set(cycles.map(c => c.conv.contactId)),
  ]
  const contacts = new Map<string, { name: string | null, phone: string | null }>()
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await db.selectFrom('contacts').select([
      'id',
      'name',
      'profile_name',
      'phone',
      'wa_id',
    ]).where('id', 'in', contactIds.slice(i, i + 500)).execute()
    for (const r of rows)
      contacts.set(r.id, { name: r.name ?? r.profile_name, phone: r.phone ?? r.wa_id })
  }
  cycles.sort((a, b) => a.start - b.start || (a.conv.id < b.conv.id
    ? -1
    : 1))
  const rows = cycles.map((c) => {
    const replies = [...c.replies].sort((a, b) => a - b)
    const contact = contacts.get(c.conv.contactId)
    return [
      c.conv.id,
      ctx.clock.iso(c.start),
      c.closedAt === null
        ? null
        : ctx.clock.iso(c.closedAt),
      contact?.name ?? null,
      contact?.phone ?? null,
      names.channels.get(c.conv.channelId) ?? c.conv.channelId,
      c.teamId === null
        ? null
        : (names.teams.get(c.teamId) ?? c.teamId),
      c.assigneeId === null
        ? null
        : (names.agents.get(c.assigneeId) ?? c.assigneeId),
      c.conv.labels.map(l => names.labels.get(l) ?? l).sort().join('; '),
      seconds(c.firstResponse),
      replies.length,
      seconds(nearestRank(replies, 50)),
      seconds(replies.length
        ? replies[replies.length - 1]!
        : null),
      seconds(c.resolution),
      seconds(c.unassignedWait),
      c.messagesIn,
      c.messagesOut,
      c.botMessages,
      c.humanOut
        ? 'human'
        : c.anyOut ? 'bot' : 'none',
    ]
  })
  return csvDocument(CONVERSATIONS_CSV_COLUMNS, rows)
}

/** The summary's rows as CSV: total, then agents, teams, labels and numbers. */
export async function aggregatesCsv(db: Db, caller: SessionAgent, query: ReportQuery): Promise<string> {
  const summary = await reportSummary(db, caller, query)
  const line = (group: string, row: { id: string | null, name: string | null, metrics: ReportMetrics }) => {
    const m = row.metrics
    return [
      group,
      row.id,
      row.name,
      m.opened,
      m.assigned,
      m.closed,
      m.messagesIn,
      m.messagesOut,
      m.botMessages,
      m.failed,
      m.botHandled,
      m.humanHandled,
      ...[
        m.firstResponse,
        m.reply,
        m.resolution,
        m.unassignedWait,
      ].flatMap(s => [
        s.count,
        seconds(s.p50),
        seconds(s.p90),
      ]),
    ]
  }
  const rows = [
    line('total', { id: null, name: null, metrics: summary.totals }),
    ...summary.agents.map(r => line('agent', r)),
    ...summary.teams.map(r => line('team', r)),
    ...summary.labels.map(r => line('label', r)),
    ...summary.channels.map(r => line('channel', r)),
  ]
  return csvDocument(AGGREGATES_CSV_COLUMNS, rows)
}

function oldest(rows: Array<{ id: string, since: unknown }>): ReportLive['waitingLongest'] {
  let best: ReportLive['waitingLongest'] = null
  for (const r of rows) {
    if (r.since === null || r.since === undefined)
      continue
    const since = Number(r.since)
    if (!best || since < best.since || (since === best.since && r.id < best.conversationId))
      best = { conversationId: r.id, since }
  }
  return best
}

/** The inbox right now, for leads. */
export async function reportLive(db: Db, caller: SessionAgent): Promise<ReportLive> {
  const ws = caller.workspace_id
  let open = db.selectFrom('conversations').where('workspace_id', '=', ws).where('status', '=', 'open')
  const visible = conversationVisibility(caller)
  if (visible)
    open = open.where(visible)
  const [counts, longest, agents, perAgent] = await Promise.all([
    open.select([
      eb => eb.fn.countAll<number>().as('open'),
      eb => eb.fn.sum<number>(eb.case().when('assignee_id', 'is', null).then(1).else(0).end()).as('unassigned'),
      eb => eb.fn.sum<number>(eb.case().when('last_message_direction', '=', 'in').then(1).else(0).end()).as('waiting'),
    ]).executeTakeFirstOrThrow(),
    // The oldest inbound message with no outbound (that did not fail) after it, per waiting conversation.
    open.where('last_message_direction', '=', 'in')
      .select([
        'conversations.id',
        eb => eb.selectFrom('messages as m')
          .select(eb2 => eb2.fn.min('m.timestamp').as('since'))
          .whereRef('m.conversation_id', '=', 'conversations.id')
          .where('m.direction', '=', 'in')
          .where('m.timestamp', '>', eb2 => eb2.fn.coalesce(
            eb2.selectFrom('messages as o').select(eb3 => eb3.fn.max('o.timestamp').as('t'))
              .whereRef('o.conversation_id', '=', 'conversations.id').where('o.direction', '=', 'out').where('o.status', '<>', 'failed'),
            sql.lit(-1),
          ))
          .as('since'),
      ])
      .execute(),
    db.selectFrom('agents').select(['id', 'name', 'availability']).where('workspace_id', '=', ws).where('active', '=', 1).execute(),
    open.where('assignee_id', 'is not', null).select([
      'assignee_id',
      eb => eb.fn.countAll<number>().as('n'),
    ]).groupBy('assignee_id').execute(),
  ])
  const openBy = new Map(perAgent.map(r => [
    r.assignee_id!,
    Number(r.n),
  ]))
  const rank = { online: 0, away: 1, offline: 2 } as const
  const list = agents.map(a => ({
    agentId: a.id,
    name: a.name,
    availability: a.availability,
    open: openBy.get(a.id) ?? 0,
  }))
    .sort((a, b) => rank[a.availability] - rank[b.availability] || a.name.localeCompare(b.name))
  return {
    open: Number(counts.open ?? 0),
    unassigned: Number(counts.unassigned ?? 0),
    waiting: Number(counts.waiting ?? 0),
    waitingLongest: oldest(longest),
    agentsOnline: list.filter(a => a.availability === 'online').length,
    agents: list,
    generatedAt: Date.now(),
  }
}
