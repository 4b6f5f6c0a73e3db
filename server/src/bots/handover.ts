import type { Transaction } from 'kysely'
/**
 * The AI Bot hands a chat to the humans: the conversation records why and when, loses its assignee
 * (and moves to the hand-over team when one is set), the move is recorded as a system event, and
 * the agents who can take it get a `handover` notification. Idempotent: a conversation already
 * handed over is left alone (no second notification).
 */
import type { HandoverReason } from '../../../protocol/bots.ts'
import type { Committed } from '../services/changes.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import { newId } from '../ids.ts'
import { writeTransaction } from '../services/changes.ts'
import { event, visibilityChanged } from '../services/conversations.ts'
import { lockForUpdate } from '../storage/db.ts'

export async function handOver(db: Db, h: { workspaceId: string, conversationId: string, reason: HandoverReason, teamId: string | null, now: number, check?: (trx: Transaction<Database>) => Promise<boolean> }): Promise<Committed[]> {
  const { committed } = await writeTransaction(db, async (trx, changes) => {
    const row = await trx.selectFrom('conversations').selectAll().where('id', '=', h.conversationId).where('workspace_id', '=', h.workspaceId).$call(lockForUpdate(trx)).executeTakeFirst()
    if (!row || row.bot_handover_at != null)
      return
    // With the row locked: still the bot's to hand over (nobody switched it off, replied or moved the chat)?
    if (h.check && !await h.check(trx))
      return
    const team = h.teamId
      ? await trx.selectFrom('teams').select('id').where('workspace_id', '=', h.workspaceId).where('id', '=', h.teamId).executeTakeFirst()
      : undefined
    const teamId = team?.id ?? row.team_id
    const set: Record<string, unknown> = {
      bot_handover_at: h.now,
      bot_handover_reason: h.reason,
      updated_at: h.now,
    }
    const events = []
    if (row.assignee_id !== null) {
      set.assignee_id = null
      set.assigned_at = null
      events.push(event(row, 'assigned', null, row.assignee_id, null, h.now))
    }
    if (teamId !== row.team_id) {
      set.team_id = teamId
      events.push(event(row, 'team', null, row.team_id, teamId, h.now))
    }
    if (row.status !== 'open') {
      set.status = 'open'
      set.snoozed_until = null
      set.status_changed_at = h.now
      events.push(event(row, 'status', null, row.status, 'open', h.now))
    }
    await trx.updateTable('conversations').set(set).where('id', '=', row.id).execute()
    if (events.length > 0)
      await trx.insertInto('conversation_events').values(events).execute()
    changes.conversation(h.workspaceId, row.id, row.contact_id)
    if (set.assignee_id !== undefined || set.team_id !== undefined)
      await visibilityChanged(trx, changes, row)

    // Who is told: the team's members when the chat is in a team, otherwise every active agent who
    // may see an unassigned chat (admins and unrestricted agents).
    const members = teamId
      ? await trx.selectFrom('team_members').innerJoin('agents', 'agents.id', 'team_members.agent_id').select('agents.id').where('team_members.team_id', '=', teamId).where('agents.active', '=', 1).execute()
      : []
    const recipients = members.length > 0
      ? members
      : await trx.selectFrom('agents').select('id').where('workspace_id', '=', h.workspaceId).where('active', '=', 1).where(eb => eb.or([
          eb('role', '=', 'admin'),
          eb('restricted', '=', 0),
        ])).execute()
    const rows = recipients.map(a => ({
      id: newId(),
      workspace_id: h.workspaceId,
      agent_id: a.id,
      kind: 'handover',
      actor_id: null,
      contact_id: row.contact_id,
      conversation_id: row.id,
      note_id: null,
      created_at: h.now,
      read_at: null,
    }))
    if (rows.length > 0) {
      await trx.insertInto('notifications').values(rows).execute()
      for (const n of rows)
        changes.add(h.workspaceId, { kind: 'notification', id: n.id, agentId: n.agent_id })
    }
  })
  return committed
}
