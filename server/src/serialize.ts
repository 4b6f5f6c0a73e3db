/** Rows → wire objects (protocol/). The only place that knows both shapes. */
import type { Contact, Conversation, Template } from '../../protocol/conversations.ts'
import type { Message, MessageStatus, MessageType } from '../../protocol/messages.ts'
import type { ContactsTable, ConversationsTable, MessagesTable, TemplatesTable } from './storage/schema.ts'

function parse(s: string | null) {
  return s
    ? JSON.parse(s)
    : null
}

export function toMessage(row: MessagesTable): Message {
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
  }
}

export function toContact(row: ContactsTable): Contact {
  return {
    id: row.id,
    waId: row.wa_id,
    userId: row.user_id,
    username: row.username,
    profileName: row.profile_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toConversation(row: ConversationsTable, contact: ContactsTable): Conversation {
  return {
    id: row.id,
    channelId: row.channel_id,
    contact: toContact(contact),
    status: row.status,
    unreadCount: row.unread_count,
    lastMessageAt: row.last_message_at,
    lastMessagePreview: row.last_message_preview,
    lastMessageDirection: row.last_message_direction,
    lastMessageType: row.last_message_type,
    lastInboundAt: row.last_inbound_at,
    windowExpiresAt: row.window_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toTemplate(row: TemplatesTable): Template {
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
