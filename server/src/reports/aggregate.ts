/** Aggregates the scanned measurements of a report into its groups, trend days and heatmaps. */
import type { Db } from '../storage/db.ts'
import type { ReportContext } from './context.ts'
import type { Visit } from './scan.ts'
import { Acc, Counts, Durations } from './accumulators.ts'
import { Keys, parseReasonKey } from './keys.ts'
import { COUNT_METRICS, Metric } from './metrics.ts'
import { scan } from './scan.ts'
import { DAY, HOUR, LocalClock } from './time.ts'

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

export async function aggregate(db: Db, ctx: ReportContext): Promise<Aggregated> {
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
      if (metric === Metric.failed)
        failed.set(reason, (failed.get(reason) ?? 0) + 1)
      if (metric === Metric.opened || metric === Metric.closed || metric === Metric.messagesIn || metric === Metric.messagesOut)
        dayCounts.add(dayNo - firstDay, metric)
      if (metric === Metric.opened || metric === Metric.messagesIn) {
        const hour = Math.floor((local - dayNo * DAY) / HOUR)
        const heat = metric === Metric.opened
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
    dk[4]![row] = metric === Metric.unassignedWait
      ? -2
      : dayNo - firstDay
    if (labels) {
      for (const l of labels)
        labelDurations.key[0]![labelDurations.add(metric, value!)] = l
    }
  }
  await scan(db, ctx, (scanned) => {
    keys = scanned.keys
    convLabels = labelIndexes(scanned.labelsOf, labelIdx, labelIds)
    return visit
  })
  const totalsMap = group(totals, durations.grouped(0), () => null)
  const failedOut = failedByReason(failed, keys)
  const days = trendDays(firstDay, dayCounts, durations)
  return {
    totals: totalsMap.get(null) ?? new Acc(),
    agents: group(agents, durations.grouped(1), i => keys.name('agent', i)),
    teams: group(teams, durations.grouped(2), i => keys.name('team', i)),
    labels: group(labelCounts, labelDurations.grouped(0), i => labelIds[i] ?? null),
    channels: group(channels, durations.grouped(3), i => keys.name('channel', i)),
    failed: failedOut,
    days,
    heatIn,
    heatOpened,
  }
}

/** each conversation's labels as indexes into `labelIds` (labels seen first are added to it) */
function labelIndexes(labelsOf: Map<number, string[]>, labelIdx: Map<string, number>, labelIds: string[]): Array<number[] | undefined> {
  const convLabels: Array<number[] | undefined> = []
  for (const [conv, list] of labelsOf) {
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
  return convLabels
}

/** one `Acc` per group id (null: none) from its counts and grouped durations */
function group(counts: Counts, sorted: Map<number, Float64Array[]>, name: (idx: number) => string | null): Map<string | null, Acc> {
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

/** failures per WhatsApp error code (reason keys of the same code add up) */
function failedByReason(failed: Map<number, number>, keys: Keys): Aggregated['failed'] {
  const failedOut = new Map<string, { code: number, title: string, count: number }>()
  for (const [reason, count] of failed) {
    const { code, title } = parseReasonKey(keys.name('reason', reason) ?? '0\tUnknown error')
    const entry = failedOut.get(String(code))
    if (entry)
      entry.count += count
    else failedOut.set(String(code), { code, title, count })
  }
  return failedOut
}

/** the trend's local days: counts and durations */
function trendDays(firstDay: number, dayCounts: Counts, durations: Durations): Map<number, DayAcc> {
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
    a.opened = dayCounts.data[base + Metric.opened]!
    a.closed = dayCounts.data[base + Metric.closed]!
    a.messagesIn = dayCounts.data[base + Metric.messagesIn]!
    a.messagesOut = dayCounts.data[base + Metric.messagesOut]!
  }
  for (const [d, list] of durations.grouped(4)) {
    if (d < 0)
      continue
    const a = dayAcc(d)
    a.firstResponse = list[Metric.firstResponse - COUNT_METRICS]!
    a.reply = list[Metric.reply - COUNT_METRICS]!
    a.resolution = list[Metric.resolution - COUNT_METRICS]!
  }
  return days
}
