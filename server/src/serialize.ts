/** Rows → wire objects (protocol/). The only place that knows both shapes. */
import type { Selectable } from 'kysely'
import type { HandoverReason } from '../../protocol/bots.ts'
import type { Contact, Label, Note, Notification, QuickReply } from '../../protocol/contacts.ts'
import type { Conversation, ConversationStatus, Template } from '../../protocol/conversations.ts'
import type { Message, MessageStatus, MessageType } from '../../protocol/messages.ts'
import type { Agent, Channel, Team } from '../../protocol/team.ts'
import type { AgentsTable, ChannelsTable, ContactsTable, ConversationsTable, LabelsTable, MessagesTable, NotesTable, NotificationsTable, QuickRepliesTable, TeamsTable, TemplatesTable } from './storage/schema.ts'

function parse(s: string | null) {
  return s
    ? JSON.parse(s)
    : null
}

export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    wamid: row.wamid,
    clientId: row.client_id,
    direction: row.direction,
    type: row.type as MessageType,
    status: row.status as MessageStatus,
    error: parse(row.error),
    content: parse(row.content) ?? {},
    context: parse(row.context),
    referral: parse(row.referral),
    reaction: row.reaction,
    timestamp: row.timestamp,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
    senderId: row.sent_by,
    bot: (row.bot ?? null) as Message['bot'],
  }
}

export function toContact(row: Selectable<ContactsTable>, labelIds: string[]): Contact {
  const phone = row.phone ?? row.wa_id
  return {
    id: row.id,
    waId: row.wa_id,
    userId: row.user_id,
    username: row.username,
    profileName: row.profile_name,
    name: row.name,
    phone: phone
      ? `+${phone}`
      : null,
    email: row.email,
    language: row.language,
    customFields: parse(row.custom_fields) ?? {},
    aiBot: row.ai_bot === 1,
    replyBot: row.reply_bot === 1,
    blocked: row.blocked === 1,
    labelIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** Per-agent read state joined onto a conversation row (absent = the agent never opened it). */
export interface ReadState { read_inbound_count: number | null, marked_unread: number | null }

export function unreadFor(row: Pick<ConversationsTable, 'unread_count'> & { inbound_count: number }, read: ReadState | null): number {
  if (!read || read.read_inbound_count === null)
    return row.unread_count
  const unread = Math.max(0, row.inbound_count - read.read_inbound_count)
  return read.marked_unread
    ? Math.max(1, unread)
    : unread
}

export function toConversation(row: Selectable<ConversationsTable>, contact: Contact, read: ReadState | null): Conversation {
  return {
    id: row.id,
    channelId: row.channel_id,
    contactId: row.contact_id,
    contact,
    status: row.status as ConversationStatus,
    snoozedUntil: row.snoozed_until,
    statusChangedAt: row.status_changed_at,
    assigneeId: row.assignee_id,
    assignedAt: row.assigned_at,
    teamId: row.team_id,
    unreadCount: unreadFor(row, read),
    markedUnread: Boolean(read?.marked_unread),
    lastMessageAt: row.last_message_at,
    lastMessagePreview: row.last_message_preview,
    lastMessageDirection: row.last_message_direction,
    lastMessageType: row.last_message_type,
    lastInboundAt: row.last_inbound_at,
    windowExpiresAt: row.window_expires_at,
    botHandover: row.bot_handover_at != null && row.bot_handover_reason
      ? {
          at: Number(row.bot_handover_at),
          reason: row.bot_handover_reason as HandoverReason,
        }
      : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toTemplate(row: Selectable<TemplatesTable>): Template {
  return {
    id: row.id,
    channelId: row.channel_id,
    name: row.name,
    language: row.language,
    status: row.status,
    category: row.category,
    parameterFormat: row.parameter_format === 'NAMED'
      ? 'NAMED'
      : 'POSITIONAL',
    components: parse(row.components) ?? [],
    syncedAt: row.synced_at,
  }
}

export function toAgent(row: Selectable<AgentsTable>, teamIds: string[]): Agent {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    name: row.name,
    role: row.role,
    availability: row.availability,
    restricted: row.restricted === 1,
    active: row.active === 1,
    teamIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toTeam(row: Selectable<TeamsTable>, agentIds: string[]): Team {
  return {
    id: row.id,
    name: row.name,
    agentIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toChannel(row: Pick<Selectable<ChannelsTable>, 'id' | 'phone_number_id' | 'display_phone_number' | 'created_at'>): Channel {
  return {
    id: row.id,
    phoneNumberId: row.phone_number_id,
    displayPhoneNumber: row.display_phone_number,
    createdAt: row.created_at,
  }
}

export function toLabel(row: Selectable<LabelsTable>): Label {
  return {
    id: row.id,
    name: row.name,
    color: row.color as Label['color'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toNote(row: Selectable<NotesTable>): Note {
  return {
    id: row.id,
    contactId: row.contact_id,
    authorId: row.author_id,
    body: row.body,
    mentions: parse(row.mentions) ?? [],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toNotification(row: Selectable<NotificationsTable>): Notification {
  return {
    id: row.id,
    kind: row.kind,
    actorId: row.actor_id,
    contactId: row.contact_id,
    conversationId: row.conversation_id,
    noteId: row.note_id,
    createdAt: row.created_at,
    readAt: row.read_at,
  }
}

export function toQuickReply(row: Selectable<QuickRepliesTable>): QuickReply {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** Opaque cursors: base64url JSON of the sort key of the last item served. */
export function encodeCursor(key: Array<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): [number, string] | null {
  if (!cursor)
    return null
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return [value[0], value[1]]
  }
  catch {}
  return null
}
