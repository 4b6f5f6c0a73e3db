import type { Agent, Label, Note, OutboxEntry } from '~/utils/db'
import type { Session } from '~/utils/session'
import { NOW } from '~/components/chat/__tests__/fixtures'

export { agent, contact, conversation, NOW, team } from '~/components/chat/__tests__/fixtures'

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
