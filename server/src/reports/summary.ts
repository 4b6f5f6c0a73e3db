/** The summary report: totals, rows per agent / team / label / number, trend and heatmap. */
import type { ReportGroupRow, ReportQuery, ReportSummary, TrendPoint } from '../../../protocol/reports.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import type { Acc } from './accumulators.ts'
import { aggregate } from './aggregate.ts'
import { reportContext } from './context.ts'
import { EMPTY, percentile } from './stats.ts'

export interface Names { agents: Map<string, string>, teams: Map<string, string>, labels: Map<string, string>, channels: Map<string, string> }

export async function loadNames(db: Db, workspaceId: string): Promise<Names> {
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
