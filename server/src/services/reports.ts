import type { Kysely } from 'kysely'
/**
 * Reports (issue 7): the summary, the drill-down behind each figure, CSV exports and the live
 * overview. Measurements come from one replay of the recorded history (reports-engine.ts); this
 * file checks who may ask what, aggregates and formats.
 */
import type { DurationStats, ReportConversationPage, ReportConversationsQuery, ReportGroupRow, ReportLive, ReportMetrics, ReportQuery, ReportSummary, TrendPoint } from '../../../protocol/reports.ts'
import type { Db } from '../storage/db.ts'
import type { Cycle, MetricId } from './reports-engine.ts'
import type { ScheduleRange } from './reports-time.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AGGREGATES_CSV_COLUMNS, CONVERSATIONS_CSV_COLUMNS, REPORT_MAX_DAYS } from '../../../protocol/reports.ts'
import { AppError } from '../errors.ts'
import { conversationVisibility } from './access.ts'
import { csvDocument } from './reports-csv.ts'
import { COUNT_METRICS, DURATION_METRICS, M, replay } from './reports-engine.ts'
import { conversationIds, conversationLabels, Keys, loadFacts, longOpen, parseReasonKey, reasonKey, refreshFacts } from './reports-facts.ts'
import { badInput, BusinessHours, checkTimeZone, DAY, HOUR, LocalClock, parseDay, parseSchedule } from './reports-time.ts'

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

function matches(ctx: ReportContext, agentId: string | null, teamId: string | null): boolean {
  return (ctx.agentId === undefined || agentId === ctx.agentId) && (ctx.teamId === undefined || teamId === ctx.teamId)
}

/** Nearest rank: the value at rank ⌈p/100 · n⌉ of the sorted values. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0)
    return null
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!
}

const NO_STATS: DurationStats = {
  count: 0,
  p50: null,
  p90: null,
  mean: null,
}

/**
 * The value of rank `k` (0-based) among a[lo, hi), found in place (quickselect, three-way
 * partition): afterwards a[k] holds it, everything before it is ≤ and everything after ≥.
 */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi - lo > 24) {
    // median of three spread samples as the pivot
    const x = a[lo + ((hi - lo) >>> 2)]!
    const y = a[(lo + hi) >>> 1]!
    const z = a[hi - 1 - ((hi - lo) >>> 2)]!
    const pivot = x < y
      ? (y < z
          ? y
          : (x < z
              ? z
              : x))
      : (x < z
          ? x
          : (y < z
              ? z
              : y))
    let lt = lo
    let i = lo
    let gt = hi
    while (i < gt) {
      const v = a[i]!
      if (v < pivot) {
        a[i] = a[lt]!
        a[lt] = v
        lt++
        i++
      }
      else if (v > pivot) {
        gt--
        a[i] = a[gt]!
        a[gt] = v
      }
      else {
        i++
      }
    }
    if (k < lt)
      hi = lt
    else if (k >= gt)
      lo = gt
    else return pivot
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!
    let j = i - 1
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!
      j--
    }
    a[j + 1] = v
  }
  return a[k]!
}

/** rank (0-based) of the nearest-rank percentile p of n values */
function rankOf(n: number, p: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1
}

const EMPTY = new Float64Array(0)

/** nearest-rank percentile of unordered values (reordered in place) */
function percentile(values: Float64Array, p: number): number | null {
  return values.length === 0
    ? null
    : select(values, 0, values.length, rankOf(values.length, p))
}

/**
 * count, nearest-rank p50 / p90 and mean of the values (reordered in place), the same as from
 * the sorted list: p50 and p90 by selection; the sum in any order when it is exact (integers,
 * below 2^53), else over the sorted values as before.
 */
function stats(values: Float64Array): DurationStats {
  const n = values.length
  if (n === 0)
    return NO_STATS
  let sum = 0
  let magnitude = 0
  let integers = true
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    sum += v
    magnitude += Math.abs(v)
    if (!Number.isInteger(v))
      integers = false
  }
  if (!integers || !(magnitude <= Number.MAX_SAFE_INTEGER)) {
    values.sort()
    sum = 0
    for (let i = 0; i < n; i++)
      sum += values[i]!
    return {
      count: n,
      p50: nearestRank(values, 50),
      p90: nearestRank(values, 90),
      mean: Math.round(sum / n),
    }
  }
  const k50 = rankOf(n, 50)
  const k90 = rankOf(n, 90)
  const p50 = select(values, 0, n, k50)
  const p90 = k90 === k50
    ? p50
    : select(values, k50 + 1, n, k90)
  return {
    count: n,
    p50,
    p90,
    mean: Math.round(sum / n),
  }
}

/** A group's counts and its durations (unordered) per duration metric. */
class Acc {
  counts: number[] = Array.from<number>({ length: COUNT_METRICS }).fill(0)
  durations: Float64Array[] = Array.from({ length: DURATION_METRICS }, () => new Float64Array(0))

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

/** Counts per (group, metric), groups by dense index (-1: none), growing as needed. */
class Counts {
  data = new Float64Array(64 * COUNT_METRICS)
  max = -1

  add(idx: number, metric: number) {
    const i = (idx + 1) * COUNT_METRICS + metric
    if (i >= this.data.length) {
      const next = new Float64Array(Math.max(this.data.length * 2, i + COUNT_METRICS * 16))
      next.set(this.data)
      this.data = next
    }
    this.data[i]!++
    if (idx > this.max)
      this.max = idx
  }
}

/** Durations as rows; distributed per (group, metric) at the end with counting sorts. */
class Durations {
  n = 0
  metric = new Uint8Array(1024)
  value = new Float64Array(1024)
  key: Int32Array[]

  constructor(keys: number) {
    this.key = Array.from({ length: keys }, () => new Int32Array(1024))
  }

  /** appends a row; set its keys with `key[k][row]` */
  add(metric: number, value: number): number {
    if (this.n === this.value.length) {
      const size = this.n * 2
      const metricNext = new Uint8Array(size)
      metricNext.set(this.metric)
      this.metric = metricNext
      const valueNext = new Float64Array(size)
      valueNext.set(this.value)
      this.value = valueNext
      this.key = this.key.map((k) => {
        const next = new Int32Array(size)
        next.set(k)
        return next
      })
    }
    this.metric[this.n] = metric
    this.value[this.n] = value
    return this.n++
  }

  /**
   * per group key (-1: none; rows with key -2 are left out) the durations of each duration
   * metric, unordered (`stats` and `percentile` select in place)
   */
  grouped(k: number): Map<number, Float64Array[]> {
    const keys = this.key[k]!
    const { n, metric, value } = this
    let groups = 0
    for (let i = 0; i < n; i++) {
      if (keys[i]! + 1 > groups)
        groups = keys[i]! + 1
    }
    groups++
    const slots = new Int32Array(n)
    const start = new Int32Array(groups * DURATION_METRICS + 1)
    for (let i = 0; i < n; i++) {
      const key = keys[i]!
      const slot = key < -1
        ? -1
        : (key + 1) * DURATION_METRICS + metric[i]! - COUNT_METRICS
      slots[i] = slot
      if (slot >= 0)
        start[slot + 1]!++
    }
    for (let s = 1; s < start.length; s++)
      start[s]! += start[s - 1]!
    const fill = start.slice()
    const all = new Float64Array(start[start.length - 1]!)
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!
      if (slot >= 0)
        all[fill[slot]!++] = value[i]!
    }
    const out = new Map<number, Float64Array[]>()
    for (let g = 0; g < groups; g++) {
      const list: Float64Array[] = []
      let any = false
      for (let m = 0; m < DURATION_METRICS; m++) {
        const s = g * DURATION_METRICS + m
        const sub = all.subarray(start[s]!, start[s + 1]!)
        if (sub.length)
          any = true
        list.push(sub)
      }
      if (any)
        out.set(g - 1, list)
    }
    return out
  }
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

interface DayAcc { opened: number, closed: number, messagesIn: number, messagesOut: number, firstResponse: Float64Array, reply: Float64Array, resolution: Float64Array }

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

/** Metrics that depend on the conversation's cycles (the rest do not: counts of messages and assignments). */
const CYCLE_METRICS = new Set<number>([
  M.opened,
  M.closed,
  M.botHandled,
  M.humanHandled,
  M.firstResponse,
  M.reply,
  M.resolution,
  M.unassignedWait,
])

/** one measurement that passed the report's filters; agent, team, number and reason as key indexes */
type Visit = (metric: MetricId, conv: number, at: number, value: number | null, agent: number, team: number, chan: number, reason: number) => void

interface Scanned { keys: Keys, labelsOf: Map<number, string[]> }

/**
 * Feeds `visit` every measurement of the period that the report's filters keep, from the
 * materialised facts (reports-facts.ts): the same measurements the replay would produce.
 */
async function scan(db: Db, ctx: ReportContext, makeVisit: (scanned: Scanned) => Visit): Promise<void> {
  const ws = ctx.workspaceId
  const { from, to } = ctx
  await refreshFacts(db, ws)
  const visible = conversationVisibility(ctx.caller)
  const adb = db as unknown as Kysely<any>
  const [facts, labelsOf, visibleRows, long] = await Promise.all([
    loadFacts(db, ws, from, to),
    conversationLabels(db, ws),
    visible
      ? adb.selectFrom('conversations').innerJoin('report_conv as rc', join => join.onRef('rc.conversation_id', '=', 'conversations.id').onRef('rc.workspace_id', '=', 'conversations.workspace_id')).select('rc.idx').where('conversations.workspace_id', '=', ws).where(visible as any).execute()
      : Promise.resolve(null),
    longOpen(db, ws, from),
  ])
  const { keys } = facts
  const visit = makeVisit({ keys, labelsOf })
  const visibleSet = visibleRows
    ? new Set(visibleRows.map(r => Number(r.idx)))
    : null
  const labelId = ctx.labelId
  const convOk = (c: number) => (!visibleSet || visibleSet.has(c)) && (labelId === undefined || (labelsOf.get(c)?.includes(labelId) ?? false))
  const convFilter = visibleSet !== null || labelId !== undefined
  const chanF = ctx.channelId === undefined
    ? null
    : keys.find('h', ctx.channelId)
  const agentF = ctx.agentId === undefined
    ? null
    : keys.find('a', ctx.agentId)
  const teamF = ctx.teamId === undefined
    ? null
    : keys.find('t', ctx.teamId)

  // Conversations replayed as before: a cycle open since before the lookback (`long`), or a cycle
  // still open at `to` whose assignee or team changed at or after `to` (its bot / human judgement
  // is attributed to the assignee at `to`, which the facts do not keep).
  const longIdx = new Set(long.values())
  const handledIdx = new Set<number>()
  for (const s of facts.segments) {
    for (let i = 0; i < s.cn; i++) {
      const start = s.cStart[i]!
      const closed = s.cClosed[i]!
      if (start >= from && start < to && !(closed < to) && s.cChange[i]! >= to && !longIdx.has(s.cConv[i]!))
        handledIdx.add(s.cConv[i]!)
    }
  }
  if (longIdx.size > 0 || handledIdx.size > 0) {
    const ids = new Map<string, number>(long)
    for (const [idx, id] of await conversationIds(db, ws, [...handledIdx]))
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
        if (!longIdx.has(c) && metric !== M.botHandled && metric !== M.humanHandled)
          return
        if (!matches(ctx, agentId, teamId))
          return
        visit(metric, c, at, value, keys.idx('a', agentId), keys.idx('t', teamId), keys.idx('h', conv.channelId), metric === M.failed
          ? keys.idx('r', reasonKey(reason ?? null))
          : -1)
      },
    })
  }

  const duration = ctx.schedule ? ctx.duration : null
  const skipLong = longIdx.size > 0
  for (const s of facts.segments) {
    const { n, metric, at, start, conv, agent, team, chan, reason } = s
    for (let i = 0; i < n; i++) {
      const t = at[i]!
      if (t < from || t >= to)
        continue
      const c = conv[i]!
      if (convFilter && !convOk(c))
        continue
      if (chanF !== null && chan[i] !== chanF)
        continue
      const m = metric[i]! as MetricId
      if (skipLong && longIdx.has(c) && CYCLE_METRICS.has(m))
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
      visit(m, c, t, value, a, tm, chan[i]!, reason[i]!)
    }
    // Bot- / human-handled: cycles started in the period, judged on the cycle up to `to`.
    const { cn, cStart, cConv, cChan, cAgent, cTeam, cClosed, cHuman, cOut } = s
    for (let i = 0; i < cn; i++) {
      const st = cStart[i]!
      if (st < from || st >= to)
        continue
      const c = cConv[i]!
      if (longIdx.has(c) || handledIdx.has(c))
        continue
      if (convFilter && !convOk(c))
        continue
      if (chanF !== null && cChan[i] !== chanF)
        continue
      const a = cAgent[i]!
      const tm = cTeam[i]!
      if ((agentF !== null && a !== agentF) || (teamF !== null && tm !== teamF))
        continue
      const closed = cClosed[i]!
      let human: boolean
      let any: boolean
      if (closed < to) {
        human = !Number.isNaN(cHuman[i]!)
        any = !Number.isNaN(cOut[i]!)
      }
      else {
        human = cHuman[i]! < to
        any = cOut[i]! < to
      }
      if (human)
        visit(M.humanHandled, c, st, null, a, tm, cChan[i]!, -1)
      else if (any)
        visit(M.botHandled, c, st, null, a, tm, cChan[i]!, -1)
    }
  }
}

async function aggregate(db: Db, ctx: ReportContext): Promise<Aggregated> {
  const totals = new Counts()
  const agents = new Counts()
  const teams = new Counts()
  const channels = new Counts()
  const labelCounts = new Counts()
  const dayCounts = new Counts()
  // duration rows keyed by: 0 totals, 1 agent, 2 team, 3 number, 4 local day (-2: not in the trend)
  const durations = new Durations(5)
  const labelDurations = new Durations(1)
  const failed = new Map<number, number>()
  const heatIn = Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0))
  const heatOpened = Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0))
  const { clock } = ctx
  const firstDay = clock.day(ctx.from)
  const labelIdx = new Map<string, number>()
  const labelIds: string[] = []
  let convLabels: Array<number[] | undefined> = []
  let keys = new Keys()
  const visit: Visit = (metric, conv, at, value, agent, team, chan, reason) => {
    const labels = convLabels[conv]
    const local = at + clock.offset(at)
    const dayNo = Math.floor(local / DAY)
    if (metric < COUNT_METRICS) {
      totals.add(0, metric)
      agents.add(agent, metric)
      teams.add(team, metric)
      channels.add(chan, metric)
      if (labels) {
        for (const l of labels)
          labelCounts.add(l, metric)
      }
      if (metric === M.failed)
        failed.set(reason, (failed.get(reason) ?? 0) + 1)
      if (metric === M.opened || metric === M.closed || metric === M.messagesIn || metric === M.messagesOut)
        dayCounts.add(dayNo - firstDay, metric)
      if (metric === M.opened || metric === M.messagesIn) {
        const hour = Math.floor((local - dayNo * DAY) / HOUR)
        const heat = metric === M.opened
          ? heatOpened
          : heatIn
        heat[LocalClock.weekdayOfDay(dayNo) - 1]![hour]!++
      }
      return
    }
    const row = durations.add(metric, value!)
    const dk = durations.key
    dk[0]![row] = 0
    dk[1]![row] = agent
    dk[2]![row] = team
    dk[3]![row] = chan
    dk[4]![row] = metric === M.unassignedWait
      ? -2
      : dayNo - firstDay
    if (labels) {
      for (const l of labels)
        labelDurations.key[0]![labelDurations.add(metric, value!)] = l
    }
  }
  await scan(db, ctx, (scanned) => {
    keys = scanned.keys
    convLabels = []
    for (const [conv, list] of scanned.labelsOf) {
      convLabels[conv] = (list.map((id) => {
        let i = labelIdx.get(id)
        if (i === undefined) {
          i = labelIds.length
          labelIds.push(id)
          labelIdx.set(id, i)
        }
        return i
      }))
    }
    return visit
  })
  const group = (counts: Counts, sorted: Map<number, Float64Array[]>, name: (idx: number) => string | null) => {
    const out = new Map<string | null, Acc>()
    const get = (idx: number) => {
      const id = name(idx)
      let acc = out.get(id)
      if (!acc) {
        acc = new Acc()
        out.set(id, acc)
      }
      return acc
    }
    for (let idx = -1; idx <= counts.max; idx++) {
      const base = (idx + 1) * COUNT_METRICS
      let any = false
      for (let m = 0; m < COUNT_METRICS; m++) {
        if (counts.data[base + m])
          any = true
      }
      if (any)
        get(idx).counts = Array.from(counts.data.subarray(base, base + COUNT_METRICS))
    }
    for (const [idx, list] of sorted)
      get(idx).durations = list
    return out
  }
  const totalsMap = group(totals, durations.grouped(0), () => null)
  const failedOut = new Map<string, { code: number, title: string, count: number }>()
  for (const [reason, count] of failed) {
    const { code, title } = parseReasonKey(keys.name('r', reason) ?? '0\tUnknown error')
    const entry = failedOut.get(String(code))
    if (entry)
      entry.count += count
    else failedOut.set(String(code), { code, title, count })
  }
  const days = new Map<number, DayAcc>()
  const empty = new Float64Array(0)
  const dayAcc = (d: number) => {
    let a = days.get(firstDay + d)
    if (!a) {
      a = {
        opened: 0,
        closed: 0,
        messagesIn: 0,
        messagesOut: 0,
        firstResponse: empty,
        reply: empty,
        resolution: empty,
      }
      days.set(firstDay + d, a)
    }
    return a
  }
  for (let d = 0; d <= dayCounts.max; d++) {
    const base = (d + 1) * COUNT_METRICS
    const a = dayAcc(d)
    a.opened = dayCounts.data[base + M.opened]!
    a.closed = dayCounts.data[base + M.closed]!
    a.messagesIn = dayCounts.data[base + M.messagesIn]!
    a.messagesOut = dayCounts.data[base + M.messagesOut]!
  }
  for (const [d, list] of durations.grouped(4)) {
    if (d < 0)
      continue
    const a = dayAcc(d)
    a.firstResponse = list[M.firstResponse - COUNT_METRICS]!
    a.reply = list[M.reply - COUNT_METRICS]!
    a.resolution = list[M.resolution - COUNT_METRICS]!
  }
  return {
    totals: totalsMap.get(null) ?? new Acc(),
    agents: group(agents, durations.grouped(1), i => keys.name('a', i)),
    teams: group(teams, durations.grouped(2), i => keys.name('t', i)),
    labels: group(labelCounts, labelDurations.grouped(0), i => labelIds[i] ?? null),
    channels: group(channels, durations.grouped(3), i => keys.name('h', i)),
    failed: failedOut,
    days,
    heatIn,
    heatOpened,
  }
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
    const fr = a?.firstResponse ?? EMPTY
    trend.push({
      day: ctx.clock.dayName(d),
      opened: a?.opened ?? 0,
      closed: a?.closed ?? 0,
      messagesIn: a?.messagesIn ?? 0,
      messagesOut: a?.messagesOut ?? 0,
      firstResponseP50: percentile(fr, 50),
      firstResponseP90: percentile(fr, 90),
      replyP50: percentile(a?.reply ?? EMPTY, 50),
      resolutionP50: percentile(a?.resolution ?? EMPTY, 50),
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
  const found = new Map<number, { conv: number, count: number, value: number | null, at: number }>()
  const { clock } = ctx
  await scan(db, ctx, () => (m, conv, at, value) => {
    if (m !== metric)
      return
    if (day !== null && clock.day(at) !== day)
      return
    if (query.weekday !== undefined && (clock.weekday(at) !== query.weekday || clock.hour(at) !== query.hour))
      return
    const entry = found.get(conv)
    if (entry) {
      entry.count++
      entry.at = Math.max(entry.at, at)
      if (value !== null)
        entry.value = Math.max(entry.value ?? 0, value)
    }
    else {
      found.set(conv, {
        conv,
        count: 1,
        value: DURATION_METRIC_IDS.has(m)
          ? value
          : null,
        at,
      })
    }
  })
  const idOf = await conversationIds(db, ctx.workspaceId, [
    ...found.keys(),
  ])
  const all = [
    ...found.values(),
  ].map(f => ({ ...f, id: idOf.get(f.conv) ?? '' })).sort((a, b) => b.at - a.at || (a.id < b.id
    ? -1
    : 1))
  const page = all.slice(offset, offset + limit)
  const convRows = page.length === 0
    ? []
    : await db.selectFrom('conversations').select([
        'id',
        'contact_id',
        'channel_id',
        'assignee_id',
        'team_id',
      ]).where('id', 'in', page.map(p => p.id)).execute()
  const convOf = new Map(convRows.map(r => [r.id, r]))
  const contacts = convRows.length === 0
    ? []
    : await db.selectFrom('contacts').select(['id', 'name', 'profile_name']).where('id', 'in', convRows.map(r => r.contact_id)).execute()
  const contactName = new Map(contacts.map(c => [c.id, c.name ?? c.profile_name]))
  return {
    items: page.map((p) => {
      const c = convOf.get(p.id)
      return {
        conversationId: p.id,
        contactId: c?.contact_id ?? '',
        contactName: c
          ? (contactName.get(c.contact_id) ?? null)
          : null,
        channelId: c?.channel_id ?? '',
        assigneeId: c?.assignee_id ?? null,
        teamId: c?.team_id ?? null,
        count: p.count,
        value: p.value,
        at: p.at,
      }
    }),
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
