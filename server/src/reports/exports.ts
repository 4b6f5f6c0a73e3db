/** CSV exports: one row per conversation cycle (from the replay), and the summary's rows. */
import type { ReportMetrics, ReportQuery } from '../../../protocol/reports.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import type { Cycle } from './metrics.ts'
import { AGGREGATES_CSV_COLUMNS, CONVERSATIONS_CSV_COLUMNS } from '../../../protocol/reports.ts'
import { reportContext } from './context.ts'
import { csvDocument } from './csv.ts'
import { replay } from './engine.ts'
import { nearestRank } from './stats.ts'
import { loadNames, reportSummary } from './summary.ts'

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
