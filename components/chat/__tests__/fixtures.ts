import type { Agent, Contact, Conversation, Label, Message, StoredConversation, Team } from '~/utils/db'
import type { Session } from '~/utils/session'
import { withListAt } from '~/utils/sync/apply'

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)

export function agent(id: string, name: string, patch: Partial<Agent> = {}): Agent {
  return {
    id,
    workspaceId: 'w1',
    email: `${id}@example.com`,
    name,
    role: 'agent',
    availability: 'online',
    restricted: false,
    active: true,
    teamIds: [],
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  } as Agent
}

export function team(id: string, name: string): Team {
  return {
    id,
    name,
    agentIds: [],
    createdAt: 1,
    updatedAt: 1,
  }
}

export function contact(id: string, patch: Partial<Contact> = {}): Contact {
  return {
    id,
    waId: null,
    userId: null,
    username: null,
    profileName: null,
    name: null,
    phone: null,
    email: null,
    language: null,
    customFields: {},
    aiBot: false,
    replyBot: false,
    blocked: false,
    labelIds: [],
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  }
}

/** A conversation row as stored (with the chat list's `listAt`, which sync sets). */
export function conversation(id: string, who: Contact, patch: Partial<Conversation> = {}): StoredConversation {
  const row: Conversation = {
    id,
    channelId: 'ch1',
    contactId: who.id,
    contact: who,
    status: 'open',
    snoozedUntil: null,
    statusChangedAt: null,
    assigneeId: null,
    assignedAt: null,
    teamId: null,
    unreadCount: 0,
    markedUnread: false,
    lastMessageAt: NOW - 60_000,
    lastMessagePreview: 'Hello',
    lastMessageDirection: 'in',
    lastMessageType: 'text',
    lastInboundAt: null,
    windowExpiresAt: null,
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  }
  return withListAt(row)
}

export function label(id: string, name: string, color: Label['color']): Label {
  return {
    id,
    name,
    color,
    createdAt: 1,
    updatedAt: 1,
  }
}

export function session(patch: Partial<Session> = {}): Session {
  return {
    serverUrl: 'https://inbox.example.com',
    token: 'tok-1',
    signedInAt: 1,
    agent: agent('a1', 'Ana Pop'),
    ...patch,
  }
}

/** A customer's text message in `conversationId`, at NOW. */
export function message(id: string, conversationId: string, patch: Partial<Message> = {}): Message {
  return {
    id,
    conversationId,
    wamid: null,
    clientId: null,
    direction: 'in',
    type: 'text',
    status: 'delivered',
    error: null,
    content: { body: `text of ${id}` },
    context: null,
    referral: null,
    reaction: null,
    timestamp: NOW,
    createdAt: NOW,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    senderId: null,
    ...patch,
  }
}
