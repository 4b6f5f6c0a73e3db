/**
 * The recorded history the replay reads: conversations, their messages (one row each, its kind
 * computed in SQL) and their assignment / team / status events, in the order the replay needs
 * (per conversation, by time, then id).
 */
import type { Db } from '../storage/db.ts'
import type { Conv, ReplayOptions } from './metrics.ts'
import { sql } from 'kysely'
import { conversationVisibility } from '../services/access.ts'
import { LOOKBACK_MS } from './metrics.ts'

/** A message's kind as computed in SQL (`MESSAGE_KIND_SQL`). */
export const MessageKind = {
  inbound: 0,
  /** outbound sent by an agent, delivered or not yet */
  human: 1,
  /** outbound with no sender (sent_by null): a bot or an automation */
  bot: 2,
  /** outbound whose delivery failed (human or bot) */
  failed: 3,
} as const

export interface MessageRow {
  conversationId: string
  at: number
  kind: number
  /** the sending agent (null: inbound or bot) */
  senderId: string | null
  /** the WhatsApp error JSON of a failed outbound message */
  error: string | null
}

export interface EventRow {
  conversationId: string
  /** 'assigned' | 'team' | 'status' | … */
  kind: string
  toValue: string | null
  fromValue: string | null
  at: number
}

const MESSAGE_COLUMNS = sql`m.conversation_id AS "conversationId", m.timestamp AS "at",
        CASE WHEN m.direction = 'in' THEN 0 WHEN m.status = 'failed' THEN 3 WHEN m.sent_by IS NULL THEN 2 ELSE 1 END AS "kind",
        m.sent_by AS "senderId",
        CASE WHEN m.status = 'failed' THEN m.error END AS "error"`
const EVENT_COLUMNS = sql`conversation_id AS "conversationId", kind, to_value AS "toValue", from_value AS "fromValue", created_at AS "at"`

/** `AND <column> IN (…)` for a list of conversations (none: matches nothing), or nothing. */
function onlyIn(column: string, only: string[] | undefined) {
  return only
    ? sql`AND ${sql.ref(column)} IN (${sql.join(only.length
      ? only
      : [''])})`
    : sql``
}

export async function loadConversations(db: Db, options: Pick<ReplayOptions, 'workspaceId' | 'caller' | 'channelId' | 'labelId' | 'onlyConversations'>): Promise<Map<string, Conv>> {
  let query = db.selectFrom('conversations')
    .select([
      'id',
      'channel_id',
      'contact_id',
      'assignee_id',
      'team_id',
    ])
    .where('workspace_id', '=', options.workspaceId)
  const visible = conversationVisibility(options.caller)
  if (visible)
    query = query.where(visible)
  if (options.channelId)
    query = query.where('channel_id', '=', options.channelId)
  if (options.onlyConversations) {
    query = query.where('id', 'in', options.onlyConversations.length
      ? options.onlyConversations
      : [''])
  }
  if (options.labelId) {
    const labelId = options.labelId
    query = query.where('contact_id', 'in', eb => eb.selectFrom('contact_labels').select('contact_id').where('label_id', '=', labelId))
  }
  const [labels, rows] = await Promise.all([
    loadContactLabels(db, options.workspaceId, options.onlyConversations),
    query.execute(),
  ])
  const map = new Map<string, Conv>()
  for (const row of rows) {
    map.set(row.id, {
      id: row.id,
      channelId: row.channel_id,
      contactId: row.contact_id,
      assigneeId: row.assignee_id,
      teamId: row.team_id,
      labels: labels.get(row.contact_id) ?? [],
    })
  }
  return map
}

/** contact id → label ids (of the given conversations' contacts, or of every contact) */
async function loadContactLabels(db: Db, workspaceId: string, onlyConversations: string[] | undefined): Promise<Map<string, string[]>> {
  const labels = new Map<string, string[]>()
  let labelQuery = db.selectFrom('contact_labels').select(['contact_id', 'label_id']).where('workspace_id', '=', workspaceId)
  if (onlyConversations) {
    const only = onlyConversations.length
      ? onlyConversations
      : ['']
    labelQuery = labelQuery.where('contact_id', 'in', eb => eb.selectFrom('conversations').select('contact_id').where('id', 'in', only))
  }
  for (const row of await labelQuery.execute()) {
    const list = labels.get(row.contact_id)
    if (list)
      list.push(row.label_id)
    else labels.set(row.contact_id, [row.label_id])
  }
  return labels
}

/**
 * The events from the lookback cap on, and the messages that can matter to [from, to): a cycle
 * still open at `from` is rebuilt from the conversation's last close before `from` (or from the
 * lookback cap); messages before that cannot change anything in the period.
 */
export async function loadPeriodHistory(db: Db, options: Pick<ReplayOptions, 'workspaceId' | 'from' | 'to' | 'onlyConversations'>): Promise<{ events: EventRow[], messages: MessageRow[] }> {
  const { workspaceId: ws, from, to } = options
  const cap = Math.max(0, from - LOOKBACK_MS)
  const onlyEvents = onlyIn('conversation_id', options.onlyConversations)
  const onlyMessages = onlyIn('m.conversation_id', options.onlyConversations)
  const [events, messages] = await Promise.all([
    sql<EventRow>`SELECT ${EVENT_COLUMNS}
      FROM conversation_events WHERE workspace_id = ${ws} AND created_at >= ${cap} ${onlyEvents}
      ORDER BY created_at, id`.execute(db),
    sql<MessageRow>`WITH anchors AS (
        SELECT conversation_id, max(created_at) AS anchor FROM conversation_events
        WHERE workspace_id = ${ws} AND kind = 'status' AND to_value = 'closed' AND created_at >= ${cap} AND created_at < ${from} ${onlyEvents}
        GROUP BY conversation_id
      )
      SELECT ${MESSAGE_COLUMNS}
      FROM messages m LEFT JOIN anchors ON anchors.conversation_id = m.conversation_id
      WHERE m.workspace_id = ${ws} AND m.timestamp >= ${cap} AND m.timestamp < ${to}
        AND (anchors.anchor IS NULL OR m.timestamp > anchors.anchor) ${onlyMessages}
      ORDER BY m.conversation_id, m.timestamp, m.id`.execute(db),
  ])
  return { events: events.rows, messages: messages.rows }
}

/** Events grouped by conversation (in their order), optionally only of conversations `keep` accepts. */
export function eventsByConversation(events: EventRow[], keep?: (conversationId: string) => boolean): Map<string, EventRow[]> {
  const eventsOf = new Map<string, EventRow[]>()
  for (const e of events) {
    if (keep && !keep(e.conversationId))
      continue
    const list = eventsOf.get(e.conversationId)
    if (list)
      list.push(e)
    else eventsOf.set(e.conversationId, [e])
  }
  return eventsOf
}

/**
 * The whole recorded history of some conversations, for the facts (facts-refresh.ts): the same
 * rows and order as `replay` reads, without the period's bounds.
 */
export async function loadHistory(db: Db, workspaceId: string, ids: string[]): Promise<{ convs: Conv[], messages: MessageRow[], events: Map<string, EventRow[]> }> {
  if (ids.length === 0) {
    return {
      convs: [],
      messages: [],
      events: new Map(),
    }
  }
  const list = sql.join(ids)
  const [convRows, events, messages] = await Promise.all([
    sql<{ id: string, channel_id: string, contact_id: string, assignee_id: string | null, team_id: string | null }>`SELECT id, channel_id, contact_id, assignee_id, team_id
      FROM conversations WHERE workspace_id = ${workspaceId} AND id IN (${list})`.execute(db),
    sql<EventRow>`SELECT ${EVENT_COLUMNS}
      FROM conversation_events WHERE conversation_id IN (${list}) AND workspace_id = ${workspaceId}
      ORDER BY created_at, id`.execute(db),
    sql<MessageRow>`SELECT ${MESSAGE_COLUMNS}
      FROM messages m WHERE m.conversation_id IN (${list}) AND m.workspace_id = ${workspaceId}
      ORDER BY m.conversation_id, m.timestamp, m.id`.execute(db),
  ])
  return {
    convs: convRows.rows.map(r => ({
      id: r.id,
      channelId: r.channel_id,
      contactId: r.contact_id,
      assigneeId: r.assignee_id,
      teamId: r.team_id,
      labels: [],
    })),
    messages: messages.rows.map(r => ({
      conversationId: r.conversationId,
      at: Number(r.at),
      kind: Number(r.kind),
      senderId: r.senderId,
      error: r.error,
    })),
    events: eventsByConversation(events.rows),
  }
}
