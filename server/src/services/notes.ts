/**
 * Internal notes on contacts and the notifications they raise. A note may @mention teammates (by
 * id, or `@Name` in the body); each newly mentioned agent other than the writer gets one
 * notification, synced to them alone. Notes are seen by whoever may see the contact; only their
 * author or an admin may edit or delete one.
 */
import type { Transaction } from 'kysely'
import type { CreateNote, Note, Notification, UpdateNote } from '../../../protocol/contacts.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { ChangeSet, Committed } from './changes.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { toNote, toNotification } from '../serialize.ts'
import { lockForUpdate } from '../storage/db.ts'
import { writeTransaction } from './changes.ts'
import { visibleContactRow } from './contacts.ts'
import { loadNotes, loadNotifications } from './entities.ts'

type Trx = Transaction<Database>
interface App { db: Db, publish: (c: Committed[]) => void }

const NOTIFICATIONS_LIMIT = 100
const WORD = /[\p{L}\p{N}_]/u

/**
 * Agents named as `@Name` in a text, in order of appearance. Names match case-insensitively and
 * the longest name wins ("@Ana Maria" is Ana Maria, not Ana); a name must end at a word boundary,
 * and an `@` inside a word (an email address) mentions nobody.
 */
export function mentionedInText(text: string, agents: ReadonlyArray<{ id: string, name: string }>): string[] {
  const names = agents
    .map(a => ({
      id: a.id,
      name: a.name.trim().toLowerCase(),
    }))
    .filter(a => a.name.length > 0)
    .sort((a, b) => b.name.length - a.name.length)
  const lower = text.toLowerCase()
  const found: string[] = []
  let at = lower.indexOf('@')
  while (at !== -1) {
    let next = at + 1
    const before = Array.from(lower.slice(Math.max(0, at - 2), at)).at(-1)
    if (before === undefined || !WORD.test(before)) {
      const match = names.find((a) => {
        if (!lower.startsWith(a.name, at + 1))
          return false
        const after = lower.codePointAt(at + 1 + a.name.length)
        return after === undefined || !WORD.test(String.fromCodePoint(after))
      })
      if (match) {
        found.push(match.id)
        next = at + 1 + match.name.length
      }
    }
    at = lower.indexOf('@', next)
  }
  return found
}

/** The union of the ids given (each must be an active agent of the workspace) and the `@Name`s in the body. */
async function resolveMentions(trx: Trx, agent: SessionAgent, body: string, ids: readonly string[] | undefined): Promise<string[]> {
  const agents = await trx.selectFrom('agents').select(['id', 'name']).where('workspace_id', '=', agent.workspace_id).where('active', '=', 1).execute()
  const active = new Set(agents.map(a => a.id))
  const unknown = (ids ?? []).find(id => !active.has(id))
  if (unknown)
    throw new AppError(400, 'invalid_request', `mentions: ${unknown} is not an active agent of this workspace`, { field: 'mentions' })
  return [
    ...new Set([
      ...(ids ?? []),
      ...mentionedInText(body, agents),
    ]),
  ]
}

/** One `mention` notification per agent, pointing at the note, its contact and the contact's latest conversation. */
async function notifyMentioned(trx: Trx, agent: SessionAgent, note: { id: string, contact_id: string }, agentIds: string[], changes: ChangeSet, now: number): Promise<void> {
  if (agentIds.length === 0)
    return
  const conversation = await trx.selectFrom('conversations')
    .select('id')
    .where('workspace_id', '=', agent.workspace_id)
    .where('contact_id', '=', note.contact_id)
    .orderBy(sql`coalesce(last_message_at, created_at)`, 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  const rows = agentIds.map(agentId => ({
    id: newId(),
    workspace_id: agent.workspace_id,
    agent_id: agentId,
    kind: 'mention',
    actor_id: agent.id,
    contact_id: note.contact_id,
    conversation_id: conversation?.id ?? null,
    note_id: note.id,
    created_at: now,
    read_at: null,
  }))
  await trx.insertInto('notifications').values(rows).execute()
  for (const row of rows)
    changes.add(agent.workspace_id, { kind: 'notification', id: row.id, agentId: row.agent_id })
}

/** The contact's notes, newest first. */
export async function listNotes(db: Db, agent: SessionAgent, contactId: string): Promise<Note[]> {
  await visibleContactRow(db, agent, contactId)
  const rows = await db.selectFrom('notes').selectAll().where('workspace_id', '=', agent.workspace_id).where('contact_id', '=', contactId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
  return rows.map(toNote)
}

/**
 * Writes a note. With a client id a retried create answers the note made the first time
 * (`created: false`); an id already used for another contact's note is refused.
 */
export async function createNote(app: App, agent: SessionAgent, contactId: string, input: CreateNote): Promise<{ note: Note, created: boolean }> {
  const ws = agent.workspace_id
  const { value, committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    await visibleContactRow(trx, agent, contactId)
    let clientId = input.id
    const retried = async (id: string) => {
      const existing = await trx.selectFrom('notes').select(['id', 'workspace_id', 'contact_id']).where('id', '=', id).executeTakeFirst()
      if (!existing)
        return null
      // Taken in another workspace: answer like any create (never confirm another team's id exists).
      if (existing.workspace_id !== ws)
        return 'foreign' as const
      if (existing.contact_id !== contactId)
        throw new AppError(409, 'invalid_request', 'id: already used for another note; choose another id', { field: 'id' })
      return { id: existing.id, created: false }
    }
    if (clientId) {
      const again = await retried(clientId)
      if (again === 'foreign')
        clientId = undefined
      else if (again)
        return again
    }
    const mentions = await resolveMentions(trx, agent, input.body, input.mentions)
    const note = {
      id: clientId ?? newId(),
      workspace_id: ws,
      contact_id: contactId,
      author_id: agent.id,
      body: input.body,
      mentions: JSON.stringify(mentions),
      created_at: now,
      updated_at: now,
    }
    const inserted = await trx.insertInto('notes').values(note).onConflict(oc => oc.doNothing()).returning('id').executeTakeFirst()
    if (!inserted) {
      // The same create, retried concurrently, committed first.
      const again = await retried(note.id)
      if (again && again !== 'foreign')
        return again
      throw new Error('note insert conflict could not be resolved')
    }
    changes.add(ws, { kind: 'note', id: note.id, contactId })
    await notifyMentioned(trx, agent, note, mentions.filter(id => id !== agent.id), changes, now)
    return { id: note.id, created: true }
  })
  app.publish(committed)
  return { note: (await loadNotes(app.db, ws, [value.id]))[0]!, created: value.created }
}

/** The note, locked, if the agent may see its contact and change it (its author or an admin). */
async function editableNote(trx: Trx, agent: SessionAgent, id: string) {
  const row = await trx.selectFrom('notes').selectAll().where('workspace_id', '=', agent.workspace_id).where('id', '=', id).$call(lockForUpdate(trx)).executeTakeFirst()
  if (!row)
    throw notFound('note')
  await visibleContactRow(trx, agent, row.contact_id).catch(() => {
    throw notFound('note')
  })
  if (row.author_id !== agent.id && agent.role !== 'admin')
    throw new AppError(403, 'forbidden', 'only the note\'s author or an admin may change it')
  return row
}

/** Edits a note (author or admin); agents mentioned for the first time are notified. */
export async function updateNote(app: App, agent: SessionAgent, id: string, input: UpdateNote): Promise<Note> {
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await editableNote(trx, agent, id)
    const before = new Set(JSON.parse(row.mentions) as string[])
    const mentions = await resolveMentions(trx, agent, input.body, input.mentions)
    const mentionsJson = JSON.stringify(mentions)
    if (input.body === row.body && mentionsJson === row.mentions)
      return
    await trx.updateTable('notes').set({ body: input.body, mentions: mentionsJson, updated_at: now }).where('id', '=', id).execute()
    changes.add(ws, { kind: 'note', id, contactId: row.contact_id })
    await notifyMentioned(trx, agent, row, mentions.filter(m => !before.has(m) && m !== agent.id), changes, now)
  })
  app.publish(committed)
  return (await loadNotes(app.db, ws, [id]))[0]!
}

/** Deletes a note (author or admin) and the notifications that pointed at it. */
export async function deleteNote(app: App, agent: SessionAgent, id: string): Promise<void> {
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes) => {
    const row = await editableNote(trx, agent, id)
    const notifications = await trx.deleteFrom('notifications').where('workspace_id', '=', ws).where('note_id', '=', id).returning(['id', 'agent_id']).execute()
    await trx.deleteFrom('notes').where('id', '=', id).execute()
    changes.add(ws, { kind: 'note', id, contactId: row.contact_id })
    for (const n of notifications)
      changes.add(ws, { kind: 'notification', id: n.id, agentId: n.agent_id })
  })
  app.publish(committed)
}

/** The caller's notifications, newest first. */
export async function listNotifications(db: Db, agent: SessionAgent): Promise<Notification[]> {
  const rows = await db.selectFrom('notifications').selectAll().where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(NOTIFICATIONS_LIMIT).execute()
  return rows.map(toNotification)
}

/** Marks one of the caller's notifications read (someone else's is 404); reading twice keeps the first time. */
export async function readNotification(app: App, agent: SessionAgent, id: string): Promise<Notification> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await trx.selectFrom('notifications').select(['id', 'read_at']).where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('id', '=', id).executeTakeFirst()
    if (!row)
      throw notFound('notification')
    if (row.read_at !== null)
      return
    await trx.updateTable('notifications').set({ read_at: now }).where('id', '=', id).execute()
    changes.add(agent.workspace_id, { kind: 'notification', id, agentId: agent.id })
  })
  app.publish(committed)
  return (await loadNotifications(app.db, agent, [id]))[0]!
}
