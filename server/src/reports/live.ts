/** The live overview: the inbox right now (open, unassigned, waiting, agents), for leads. */
import type { ReportLive } from '../../../protocol/reports.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import { sql } from 'kysely'
import { conversationVisibility } from '../services/access.ts'

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
