/**
 * Entities as the wire shows them, loaded in bulk by id and always scoped to a workspace. Routes
 * answer with these and `/api/sync` serves them, so an entity looks the same wherever it is read.
 */
import type { Selectable } from 'kysely'
import type { Contact, Label, Note, Notification, QuickReply } from '../../../protocol/contacts.ts'
import type { Conversation, Template } from '../../../protocol/conversations.ts'
import type { Message } from '../../../protocol/messages.ts'
import type { Agent, Channel, Team } from '../../../protocol/team.ts'
import type { Db } from '../storage/db.ts'
import type { ConversationsTable } from '../storage/schema.ts'
import type { SessionAgent } from './sessions.ts'
import { toAgent, toChannel, toContact, toConversation, toLabel, toMessage, toNote, toNotification, toQuickReply, toTeam, toTemplate } from '../serialize.ts'
import { canSeeConversation } from './access.ts'

const CHUNK = 500

async function inChunks<T>(ids: readonly string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const unique = [
    ...new Set(ids),
  ]
  const out: T[] = []
  for (let i = 0; i < unique.length; i += CHUNK)
    out.push(...await load(unique.slice(i, i + CHUNK)))
  return out
}

function groupBy<T>(rows: T[], key: (row: T) => string, value: (row: T) => string): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const row of rows) {
    const k = key(row)
    const list = map.get(k)
    if (list) {
      list.push(value(row))
    }
    else {
      map.set(k, [
        value(row),
      ])
    }
  }
  return map
}

/** Agents; all of the workspace when `ids` is null. */
export async function loadAgents(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<Agent[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('agents').selectAll().where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    const rows = await q.orderBy('name').orderBy('id').execute()
    if (rows.length === 0)
      return []
    const members = await db.selectFrom('team_members').select(['agent_id', 'team_id']).where('workspace_id', '=', workspaceId).where('agent_id', 'in', rows.map(r => r.id)).orderBy('team_id').execute()
    const teams = groupBy(members, m => m.agent_id, m => m.team_id)
    return rows.map(r => toAgent(r, teams.get(r.id) ?? []))
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadTeams(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<Team[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    const rows = await q.orderBy('name').orderBy('id').execute()
    if (rows.length === 0)
      return []
    const members = await db.selectFrom('team_members').select(['agent_id', 'team_id']).where('workspace_id', '=', workspaceId).where('team_id', 'in', rows.map(r => r.id)).orderBy('agent_id').execute()
    const agents = groupBy(members, m => m.team_id, m => m.agent_id)
    return rows.map(r => toTeam(r, agents.get(r.id) ?? []))
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadChannels(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<Channel[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('channels').select([
      'id',
      'phone_number_id',
      'display_phone_number',
      'created_at',
    ]).where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    return (await q.orderBy('created_at').execute()).map(toChannel)
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadTemplates(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<Template[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    return (await q.orderBy('name').orderBy('language').execute()).map(toTemplate)
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadLabels(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<Label[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('labels').selectAll().where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    return (await q.orderBy('name_key').execute()).map(toLabel)
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadQuickReplies(db: Db, workspaceId: string, ids: readonly string[] | null = null): Promise<QuickReply[]> {
  const load = async (chunk: string[] | null) => {
    let q = db.selectFrom('quick_replies').selectAll().where('workspace_id', '=', workspaceId)
    if (chunk)
      q = q.where('id', 'in', chunk)
    return (await q.orderBy('shortcut').execute()).map(toQuickReply)
  }
  return ids
    ? await inChunks(ids, load)
    : await load(null)
}

export async function loadContacts(db: Db, workspaceId: string, ids: readonly string[]): Promise<Contact[]> {
  return await inChunks(ids, async (chunk) => {
    const rows = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', chunk).execute()
    const labels = await db.selectFrom('contact_labels').select(['contact_id', 'label_id']).where('workspace_id', '=', workspaceId).where('contact_id', 'in', chunk).orderBy('label_id').execute()
    const byContact = groupBy(labels, l => l.contact_id, l => l.label_id)
    return rows.map(r => toContact(r, byContact.get(r.id) ?? []))
  })
}

export async function loadContact(db: Db, workspaceId: string, id: string): Promise<Contact | null> {
  return (await loadContacts(db, workspaceId, [id]))[0] ?? null
}

/**
 * Conversations as this agent sees them (their unread count). Ones the agent may not see are left
 * out; `hidden` lists them (sync serves those as deletions).
 */
export async function loadConversations(db: Db, agent: SessionAgent, ids: readonly string[]): Promise<{ items: Conversation[], hidden: string[] }> {
  const hidden: string[] = []
  const items = await inChunks(ids, async (chunk) => {
    const rows = await db.selectFrom('conversations')
      .leftJoin('conversation_reads as r', join => join.onRef('r.conversation_id', '=', 'conversations.id').on('r.agent_id', '=', agent.id))
      .selectAll('conversations')
      .select(['r.read_inbound_count', 'r.marked_unread'])
      .where('conversations.workspace_id', '=', agent.workspace_id)
      .where('conversations.id', 'in', chunk)
      .execute()
    const visible = rows.filter((r) => {
      const ok = canSeeConversation(agent, r)
      if (!ok)
        hidden.push(r.id)
      return ok
    })
    return await withContacts(db, agent.workspace_id, visible)
  })
  return { items, hidden }
}

/** Rows (with the agent's read state joined) → conversations with their contacts, in row order. */
export async function withContacts(db: Db, workspaceId: string, rows: Array<Selectable<ConversationsTable> & { read_inbound_count: number | null, marked_unread: number | null }>): Promise<Conversation[]> {
  const contacts = new Map((await loadContacts(db, workspaceId, rows.map(r => r.contact_id))).map(c => [c.id, c]))
  return rows.flatMap((r) => {
    const contact = contacts.get(r.contact_id)
    return contact
      ? [
          toConversation(r, contact, r),
        ]
      : []
  })
}

export async function loadConversation(db: Db, agent: SessionAgent, id: string): Promise<Conversation | null> {
  return (await loadConversations(db, agent, [id])).items[0] ?? null
}

export async function loadMessages(db: Db, workspaceId: string, ids: readonly string[]): Promise<Message[]> {
  return await inChunks(ids, async chunk => (await db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', chunk).execute()).map(toMessage))
}

export async function loadNotes(db: Db, workspaceId: string, ids: readonly string[]): Promise<Note[]> {
  return await inChunks(ids, async chunk => (await db.selectFrom('notes').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', chunk).execute()).map(toNote))
}

export async function loadNotifications(db: Db, agent: SessionAgent, ids: readonly string[]): Promise<Notification[]> {
  return await inChunks(ids, async chunk => (await db.selectFrom('notifications').selectAll().where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('id', 'in', chunk).execute()).map(toNotification))
}
