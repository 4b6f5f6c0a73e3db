/**
 * Conversations for the team: views and search, assignment, teams, status (open / snoozed /
 * closed), per-agent read state and bulk actions. Every write records what changed (sync, live)
 * and every assignment or status move records who did it and when (reports).
 */
import type { Transaction } from 'kysely'
import type { BulkConversations, BulkResult, Conversation, ConversationEvent, ConversationStatus, ListConversationsQuery } from '../../../protocol/conversations.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { Committed } from './changes.ts'
import type { MutationHandlers } from './mutations.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { decodeCursor, encodeCursor } from '../serialize.ts'
import { lockForUpdate } from '../storage/db.ts'
import { queueMarkRead, queueMessage } from '../whatsapp/outbound.ts'
import { canSeeConversation, conversationVisibility } from './access.ts'
import { writeTransaction } from './changes.ts'
import { loadConversation, loadMessages, withContacts } from './entities.ts'
import { digitsOf, foldText, likeEscape } from './search.ts'

type Trx = Transaction<Database>

const activity = sql<number>`coalesce(conversations.last_message_at, conversations.created_at)`
/** Unread for the agent whose read row is joined as `r` (the team's count until they first read). */
const unreadForAgent = sql<number>`CASE WHEN r.read_inbound_count IS NULL THEN conversations.unread_count ELSE conversations.inbound_count - r.read_inbound_count END`

export async function listConversations(db: Db, agent: SessionAgent, query: ListConversationsQuery): Promise<{ items: Conversation[], nextCursor: string | null }> {
  const limit = query.limit ?? 50
  const after = decodeCursor(query.cursor)
  if (query.cursor && !after)
    throw new AppError(400, 'invalid_request', 'cursor: not a cursor this server issued', { field: 'cursor' })
  let q = whereFilters(listQuery(db, agent), agent, query)
  const search = query.q?.trim()
  if (search)
    q = whereSearch(q, search)
  if (after)
    q = whereAfter(q, after)
  const rows = await q.orderBy(activity, 'desc').orderBy('conversations.id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: await withContacts(db, agent.workspace_id, page),
    nextCursor: rows.length > limit && last
      ? encodeCursor([
          Number(last.activity),
          last.id,
        ])
      : null,
  }
}

/** The workspace's conversations with the agent's read row (`r`) and their activity. */
function listQuery(db: Db, agent: SessionAgent) {
  return db.selectFrom('conversations')
    .leftJoin('conversation_reads as r', join => join.onRef('r.conversation_id', '=', 'conversations.id').on('r.agent_id', '=', agent.id))
    .selectAll('conversations')
    .select([
      'r.read_inbound_count',
      'r.marked_unread',
      activity.as('activity'),
    ])
    .where('conversations.workspace_id', '=', agent.workspace_id)
}

type ListQuery = ReturnType<typeof listQuery>

/** What a restricted agent may see, then the view, status and the other filters of the query. */
function whereFilters(q: ListQuery, agent: SessionAgent, query: ListConversationsQuery): ListQuery {
  const visible = conversationVisibility(agent)
  if (visible)
    q = q.where(visible)
  const view = query.view ?? 'all'
  if (view === 'mine')
    q = q.where('conversations.assignee_id', '=', agent.id)
  else if (view === 'unassigned')
    q = q.where('conversations.assignee_id', 'is', null)
  const status = query.status ?? 'open'
  if (status !== 'all')
    q = q.where('conversations.status', '=', status)
  if (query.assigneeId)
    q = q.where('conversations.assignee_id', '=', query.assigneeId)
  if (query.teamId)
    q = q.where('conversations.team_id', '=', query.teamId)
  if (query.channelId)
    q = q.where('conversations.channel_id', '=', query.channelId)
  if (query.contactId)
    q = q.where('conversations.contact_id', '=', query.contactId)
  if (query.label) {
    const label = query.label
    q = q.where(eb => eb.exists(eb.selectFrom('contact_labels').select('contact_labels.contact_id').whereRef('contact_labels.contact_id', '=', 'conversations.contact_id').where('contact_labels.label_id', '=', label)))
  }
  if (query.unread) {
    q = q.where(eb => eb.or([
      eb(unreadForAgent, '>', 0),
      eb('r.marked_unread', '=', 1),
    ]))
  }
  return q
}

/** Contact name (word prefix, folded) or phone digits anywhere; `search` is trimmed, not empty. */
function whereSearch(q: ListQuery, search: string): ListQuery {
  const text = foldText(search)
  const digits = digitsOf(search)
  // Looks like a phone number (digits and phone punctuation only): match the digits anywhere.
  const phoneLike = digits.length >= 3 && /^[\d\s()+./-]+$/.test(search)
  return q.where(eb => eb.exists(eb.selectFrom('contacts').select('contacts.id').whereRef('contacts.id', '=', 'conversations.contact_id').where(inner => inner.or([
    ...(text
      ? [
          inner(sql`' ' || contacts.search_text`, 'like', sql`${`% ${likeEscape(text)}%`} ESCAPE '\\'`),
        ]
      : []),
    ...(digits.length >= 3
      ? [
          inner('contacts.search_digits', 'like', `%${digits}%`),
        ]
      : []),
    ...(phoneLike || text
      ? []
      : [sql<boolean>`1 = 0`]),
  ]))))
}

/** Keyset pagination: the rows after the cursor's (activity, id), newest first. */
function whereAfter(q: ListQuery, after: [number, string]): ListQuery {
  return q.where(eb => eb.or([
    eb(activity, '<', after[0]),
    eb.and([
      eb(activity, '=', after[0]),
      eb('conversations.id', '<', after[1]),
    ]),
  ]))
}

/** The conversation row if this agent may see it; another workspace's or a hidden one is 404. */
export async function visibleConversationRow(db: Db | Trx, agent: SessionAgent, id: string) {
  const row = await db.selectFrom('conversations').selectAll().where('id', '=', id).where('workspace_id', '=', agent.workspace_id).executeTakeFirst()
  if (!row || !canSeeConversation(agent, row))
    throw notFound('conversation')
  return row
}

export async function getConversation(db: Db, agent: SessionAgent, id: string): Promise<Conversation> {
  const conversation = await loadConversation(db, agent, id)
  if (!conversation)
    throw notFound('conversation')
  return conversation
}

async function requireAssignee(trx: Trx, workspaceId: string, agentId: string): Promise<void> {
  const assignee = await trx.selectFrom('agents').select(['id', 'active']).where('id', '=', agentId).where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (!assignee)
    throw new AppError(404, 'not_found', 'assigneeId: no such agent', { field: 'assigneeId' })
  if (!assignee.active)
    throw new AppError(422, 'agent_inactive', 'assigneeId: this agent is deactivated', { field: 'assigneeId' })
}

async function requireTeam(trx: Trx, workspaceId: string, teamId: string): Promise<void> {
  const team = await trx.selectFrom('teams').select('id').where('id', '=', teamId).where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (!team)
    throw new AppError(404, 'not_found', 'teamId: no such team', { field: 'teamId' })
}

export function event(row: { workspace_id: string, id: string }, kind: 'assigned' | 'team' | 'status', actorId: string | null, from: string | null, to: string | null, now: number) {
  return {
    id: newId(),
    workspace_id: row.workspace_id,
    conversation_id: row.id,
    kind,
    actor_id: actorId,
    from_value: from,
    to_value: to,
    created_at: now,
  }
}

interface Patch {
  assigneeId?: string | null
  teamId?: string | null
  status?: ConversationStatus
  snoozedUntil?: number | null
}

/**
 * Applies a patch to conversations already checked visible, inside `trx`: only what differs is
 * written, and each move is recorded with its actor. Returns the ids of those that changed.
 */
async function applyPatch(trx: Trx, agent: SessionAgent, rows: Array<Awaited<ReturnType<typeof visibleConversationRow>>>, patch: Patch, changes: import('./changes.ts').ChangeSet, now: number): Promise<string[]> {
  if (patch.assigneeId)
    await requireAssignee(trx, agent.workspace_id, patch.assigneeId)
  if (patch.teamId)
    await requireTeam(trx, agent.workspace_id, patch.teamId)
  if (patch.status === 'snoozed' && patch.snoozedUntil != null && patch.snoozedUntil <= now)
    throw new AppError(400, 'invalid_request', 'snoozedUntil: must be in the future', { field: 'snoozedUntil' })
  const changed: string[] = []
  for (const row of rows) {
    const set: Record<string, unknown> = {}
    const events = []
    if (patch.assigneeId !== undefined && patch.assigneeId !== row.assignee_id) {
      set.assignee_id = patch.assigneeId
      set.assigned_at = patch.assigneeId
        ? now
        : null
      events.push(event(row, 'assigned', agent.id, row.assignee_id, patch.assigneeId, now))
    }
    if (patch.teamId !== undefined && patch.teamId !== row.team_id) {
      set.team_id = patch.teamId
      events.push(event(row, 'team', agent.id, row.team_id, patch.teamId, now))
    }
    if (patch.status !== undefined) {
      const until = patch.status === 'snoozed'
        ? (patch.snoozedUntil ?? null)
        : null
      if (patch.status !== row.status || until !== row.snoozed_until) {
        set.status = patch.status
        set.snoozed_until = until
        if (patch.status !== row.status) {
          set.status_changed_at = now
          events.push(event(row, 'status', agent.id, row.status, patch.status, now))
          // A closed chat's next conversation starts with the bots in charge again.
          if (patch.status === 'closed' && row.bot_handover_at != null) {
            set.bot_handover_at = null
            set.bot_handover_reason = null
          }
        }
      }
    }
    if (Object.keys(set).length === 0)
      continue
    changed.push(row.id)
    await trx.updateTable('conversations').set({ ...set, updated_at: now }).where('id', '=', row.id).execute()
    if (events.length > 0)
      await trx.insertInto('conversation_events').values(events).execute()
    changes.conversation(row.workspace_id, row.id, row.contact_id)
    if (set.assignee_id !== undefined || set.team_id !== undefined)
      await visibilityChanged(trx, changes, row)
  }
  return changed
}

/** A conversation's assignee or team moved: for restricted agents its contact and notes appear or vanish too. */
export async function visibilityChanged(trx: Trx, changes: import('./changes.ts').ChangeSet, row: { workspace_id: string, contact_id: string }): Promise<void> {
  changes.add(row.workspace_id, { kind: 'contact', id: row.contact_id, contactId: row.contact_id })
  const notes = await trx.selectFrom('notes').select('id').where('contact_id', '=', row.contact_id).execute()
  for (const n of notes)
    changes.add(row.workspace_id, { kind: 'note', id: n.id, contactId: row.contact_id })
}

/** One conversation: assign, set team or status. Answers the conversation as the caller sees it now. */
export async function updateConversation(app: { db: Db, publish: (c: Committed[]) => void }, agent: SessionAgent, id: string, patch: Patch): Promise<Conversation> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await lockConversation(trx, agent, id)
    await applyPatch(trx, agent, [row], patch, changes, now)
  })
  app.publish(committed)
  // A restricted agent may just have handed the conversation away: answer it as it is now anyway.
  return (await loadConversation(app.db, { ...agent, restricted: false }, id))!
}

/**
 * Reads the row for update. On PostgreSQL the row lock makes two agents assigning at once take
 * turns, so each sees the other's result as its `from` (the history never forks).
 */
async function lockConversation(trx: Trx, agent: SessionAgent, id: string) {
  const row = await trx.selectFrom('conversations').selectAll().where('id', '=', id).where('workspace_id', '=', agent.workspace_id).$call(lockForUpdate(trx)).executeTakeFirst()
  if (!row || !canSeeConversation(agent, row))
    throw notFound('conversation')
  return row
}

export async function bulkUpdate(app: { db: Db, publish: (c: Committed[]) => void }, agent: SessionAgent, body: BulkConversations): Promise<BulkResult> {
  const ids = [
    ...new Set(body.conversationIds),
  ].sort()
  const { value, committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const rows = []
    const notFoundIds: string[] = []
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200)
      const found = await trx.selectFrom('conversations').selectAll().where('workspace_id', '=', agent.workspace_id).where('id', 'in', chunk).orderBy('id').$call(lockForUpdate(trx)).execute()
      const byId = new Map(found.map(r => [r.id, r]))
      for (const id of chunk) {
        const row = byId.get(id)
        if (row && canSeeConversation(agent, row))
          rows.push(row)
        else notFoundIds.push(id)
      }
    }
    const patched = new Set<string>()
    const patch: Patch = {}
    if (body.assigneeId !== undefined)
      patch.assigneeId = body.assigneeId
    if (body.teamId !== undefined)
      patch.teamId = body.teamId
    if (body.status !== undefined) {
      patch.status = body.status
      patch.snoozedUntil = body.snoozedUntil ?? null
    }
    for (const id of await applyPatch(trx, agent, rows, patch, changes, now))
      patched.add(id)
    const contactIds = [
      ...new Set(rows.map(r => r.contact_id)),
    ]
    const labelChanged = await applyBulkLabels(trx, agent, contactIds, body.addLabelIds ?? [], body.removeLabelIds ?? [], now)
    for (const contactId of labelChanged) {
      changes.add(agent.workspace_id, { kind: 'contact', id: contactId, contactId })
      for (const row of rows) {
        if (row.contact_id === contactId)
          patched.add(row.id)
      }
    }
    return { updated: patched.size, notFound: notFoundIds }
  })
  app.publish(committed)
  return value
}

async function applyBulkLabels(trx: Trx, agent: SessionAgent, contactIds: string[], add: string[], remove: string[], now: number): Promise<Set<string>> {
  const changed = new Set<string>()
  if (contactIds.length === 0 || (add.length === 0 && remove.length === 0))
    return changed
  const labelIds = [
    ...new Set([
      ...add,
      ...remove,
    ]),
  ]
  const known = new Set((await trx.selectFrom('labels').select('id').where('workspace_id', '=', agent.workspace_id).where('id', 'in', labelIds).execute()).map(l => l.id))
  const unknown = labelIds.find(id => !known.has(id))
  if (unknown) {
    throw new AppError(404, 'not_found', `addLabelIds: no such label ${unknown}`, {
      field: add.includes(unknown)
        ? 'addLabelIds'
        : 'removeLabelIds',
    })
  }
  for (let i = 0; i < contactIds.length; i += 100) {
    const chunk = contactIds.slice(i, i + 100)
    if (add.length > 0) {
      const inserted = await trx.insertInto('contact_labels')
        .values(chunk.flatMap(contactId => add.map(labelId => ({
          contact_id: contactId,
          label_id: labelId,
          workspace_id: agent.workspace_id,
          created_by: agent.id,
          created_at: now,
        }))))
        .onConflict(oc => oc.columns(['contact_id', 'label_id']).doNothing())
        .returning('contact_id')
        .execute()
      for (const r of inserted)
        changed.add(r.contact_id)
    }
    if (remove.length > 0) {
      const removed = await trx.deleteFrom('contact_labels').where('contact_id', 'in', chunk).where('label_id', 'in', remove).returning('contact_id').execute()
      for (const r of removed)
        changed.add(r.contact_id)
    }
  }
  if (changed.size > 0)
    await trx.updateTable('contacts').set({ updated_at: now }).where('id', 'in', [...changed]).execute()
  return changed
}

export async function markRead(app: { db: Db, publish: (c: Committed[]) => void, worker: { wake: () => void } | null }, agent: SessionAgent, id: string): Promise<{ receiptQueued: boolean }> {
  await visibleConversationRow(app.db, agent, id)
  const { receiptQueued, committed } = await queueMarkRead(app.db, agent.workspace_id, id, agent.id)
  app.publish(committed)
  if (receiptQueued)
    app.worker?.wake()
  return { receiptQueued }
}

/** Marks a conversation unread for this agent only (their list shows it unread until they open it). */
export async function markUnread(app: { db: Db, publish: (c: Committed[]) => void }, agent: SessionAgent, id: string): Promise<Conversation> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await visibleConversationRow(trx, agent, id)
    const current = row.inbound_count - row.unread_count
    await trx.insertInto('conversation_reads').values({
      conversation_id: id,
      agent_id: agent.id,
      workspace_id: agent.workspace_id,
      read_inbound_count: current,
      marked_unread: 1,
      updated_at: now,
    }).onConflict(oc => oc.columns(['conversation_id', 'agent_id']).doUpdateSet({ marked_unread: 1, updated_at: now })).execute()
    changes.add(agent.workspace_id, {
      kind: 'conversation',
      id,
      conversationId: id,
      agentId: agent.id,
    })
  })
  app.publish(committed)
  return await getConversation(app.db, agent, id)
}

export async function conversationEvents(db: Db, agent: SessionAgent, id: string): Promise<ConversationEvent[]> {
  await visibleConversationRow(db, agent, id)
  const rows = await db.selectFrom('conversation_events').selectAll().where('conversation_id', '=', id).where('workspace_id', '=', agent.workspace_id).orderBy('created_at').orderBy('id').limit(1000).execute()
  return rows.map(r => ({
    id: r.id,
    kind: r.kind,
    actorId: r.actor_id,
    from: r.from_value,
    to: r.to_value,
    createdAt: r.created_at,
  }))
}

/** Reopens snoozed conversations whose time has come (actor: the system). */
export async function reopenDueSnoozes(db: Db, now: number): Promise<Committed[]> {
  const due = await db.selectFrom('conversations').select('id').where('status', '=', 'snoozed').where('snoozed_until', '<=', now).orderBy('id').limit(500).execute()
  if (due.length === 0)
    return []
  const { committed } = await writeTransaction(db, async (trx, changes, at) => {
    const rows = await trx.selectFrom('conversations').selectAll().where('id', 'in', due.map(d => d.id)).where('status', '=', 'snoozed').where('snoozed_until', '<=', now).orderBy('id').$call(lockForUpdate(trx)).execute()
    for (const row of rows) {
      await trx.updateTable('conversations').set({
        status: 'open',
        snoozed_until: null,
        status_changed_at: at,
        updated_at: at,
      }).where('id', '=', row.id).execute()
      await trx.insertInto('conversation_events').values(event(row, 'status', null, 'snoozed', 'open', at)).execute()
      changes.conversation(row.workspace_id, row.id, row.contact_id)
    }
  })
  return committed
}

export const conversationMutations: MutationHandlers = {
  'conversation.assign': async ({ app, agent }, args) => await updateConversation(app, agent, args.conversationId, { assigneeId: args.assigneeId }),
  'conversation.setTeam': async ({ app, agent }, args) => await updateConversation(app, agent, args.conversationId, { teamId: args.teamId }),
  'conversation.setStatus': async ({ app, agent }, args) => await updateConversation(app, agent, args.conversationId, { status: args.status, snoozedUntil: args.snoozedUntil ?? null }),
  'conversation.markRead': async ({ app, agent }, args) => {
    await markRead(app, agent, args.conversationId)
    return await getConversation(app.db, agent, args.conversationId)
  },
  'conversation.markUnread': async ({ app, agent }, args) => await markUnread(app, agent, args.conversationId),
  'message.send': async ({ app, agent }, args) => {
    const { message } = await sendMessage(app, agent, args.conversationId, args.message)
    return message
  },
}

/** Queues a send as this agent (visible conversations only); idempotent by the message's clientId. */
export async function sendMessage(app: { db: Db, publish: (c: Committed[]) => void, worker: { wake: () => void } | null }, agent: SessionAgent, conversationId: string, body: import('../../../protocol/messages.ts').SendMessage) {
  // A retry answers what the first request did, even if the contact was blocked or the
  // conversation handed away since (queueMessage checks the conversation matches).
  const earlier = await app.db.selectFrom('messages').select(['id', 'conversation_id']).where('workspace_id', '=', agent.workspace_id).where('client_id', '=', body.clientId).executeTakeFirst()
  if (earlier && earlier.conversation_id === conversationId)
    return { message: (await loadMessages(app.db, agent.workspace_id, [earlier.id]))[0]!, created: false }
  const row = await visibleConversationRow(app.db, agent, conversationId)
  const contact = await app.db.selectFrom('contacts').select('blocked').where('id', '=', row.contact_id).executeTakeFirst()
  if (contact?.blocked)
    throw new AppError(422, 'contact_blocked', 'this contact is blocked; unblock them to send')
  const { message, created, committed } = await queueMessage(app.db, agent.workspace_id, conversationId, body, Date.now(), agent.id)
  app.publish(committed)
  if (created)
    app.worker?.wake()
  return { message: (await loadMessages(app.db, agent.workspace_id, [message.id]))[0]!, created }
}
