import type { Agent, Contact, Conversation, Label, Note, OutboxEntry, Team } from '~/utils/db'
import type { Session } from '~/utils/session'

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
  }
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

export function conversation(id: string, who: Contact, patch: Partial<Conversation> = {}): Conversation {
  return {
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
}

export function label(id: string, name: string, color: Label['color'] = 'gray'): Label {
  return {
    id,
    name,
    color,
    createdAt: 1,
    updatedAt: 1,
  }
}

export function note(id: string, contactId: string, authorId: string, body: string, createdAt: number): Note {
  return {
    id,
    contactId,
    authorId,
    body,
    mentions: [],
    createdAt,
    updatedAt: createdAt,
  }
}

export function session(me: Agent): Session {
  return {
    serverUrl: 'https://inbox.example.com',
    token: 'tok-1',
    signedInAt: 1,
    agent: me,
  }
}

/** An outbox row as the sync engine leaves it after the server refused it. */
export function failedRow(seq: number, type: OutboxEntry['type'], args: Record<string, unknown>, error: OutboxEntry['error']): OutboxEntry {
  return {
    seq,
    id: `m${seq}`,
    type,
    args,
    createdAt: NOW,
    state: 'failed',
    error,
  } as OutboxEntry
}
