import type { EntityTable } from 'dexie'
import type { ServerHealth } from '../api/health'
import type { Agent, Channel, Contact, Draft, Label, Message, Note, Notification, OutboxEntry, QuickReply, StoredConversation, SyncStatus, Team, Template, Workspace } from './types'
import Dexie from 'dexie'
import { listAtOf } from './types'

/** The values kept in `meta`, by key. Local bookkeeping only: never synced to the server. */
export interface MetaValues {
  /** Last successful `GET /api/health`: which server answered, on which engine, and when. */
  lastHealthCheck: { serverUrl: string, db: ServerHealth['db'], checkedAt: number }
  /** `cursor` of the last applied `GET /api/sync` page (absent: the next pull is a snapshot). */
  syncCursor: string
  /** The background's sync engine status, for pages to observe. */
  syncStatus: SyncStatus
  /** Whose data the synced tables hold (`serverUrl|agentId`): another sign-in starts afresh. */
  syncOwner: string
}

export type MetaKey = keyof MetaValues

export interface MetaEntry<K extends MetaKey = MetaKey> {
  key: K
  value: MetaValues[K]
}

/**
 * The extension's IndexedDB database, the single source of truth for every page
 * (docs/sync.md). Add tables with a new `version(n)`; never edit an old one.
 */
export class AppDB extends Dexie {
  meta!: EntityTable<MetaEntry, 'key'>
  workspaces!: EntityTable<Workspace, 'id'>
  agents!: EntityTable<Agent, 'id'>
  teams!: EntityTable<Team, 'id'>
  channels!: EntityTable<Channel, 'id'>
  templates!: EntityTable<Template, 'id'>
  labels!: EntityTable<Label, 'id'>
  quickReplies!: EntityTable<QuickReply, 'id'>
  contacts!: EntityTable<Contact, 'id'>
  notes!: EntityTable<Note, 'id'>
  conversations!: EntityTable<StoredConversation, 'id'>
  messages!: EntityTable<Message, 'id'>
  notifications!: EntityTable<Notification, 'id'>
  outbox!: EntityTable<OutboxEntry, 'seq'>
  drafts!: EntityTable<Draft, 'conversationId'>

  constructor(name = 'wa-inbox') {
    super(name)
    this.version(1).stores({
      meta: 'key',
    })
    // Synced entities as the server sends them (null values are simply left out of an index).
    this.version(2).stores({
      workspaces: 'id',
      agents: 'id',
      teams: 'id',
      channels: 'id',
      templates: 'id, channelId, name',
      labels: 'id, name',
      quickReplies: 'id, shortcut',
      contacts: 'id, name, phone, waId',
      notes: 'id, contactId',
      conversations: 'id, lastMessageAt, [status+lastMessageAt], assigneeId, teamId, contactId, channelId',
      messages: 'id, conversationId, [conversationId+timestamp], clientId',
      notifications: 'id, createdAt',
      outbox: '++seq, &id, state, [state+seq]',
    })
    // The composer's unsent text per conversation (local only, never synced). Conversations get
    // `[status+listAt]`: `listAt` (last message, else creation) also lists chats without messages.
    this.version(3).stores({
      drafts: 'conversationId',
      conversations: 'id, lastMessageAt, [status+lastMessageAt], [status+listAt], assigneeId, teamId, contactId, channelId',
    }).upgrade(async (tx) => {
      await tx.table('conversations').toCollection().modify((row: StoredConversation) => {
        row.listAt = listAtOf(row)
      })
    })
  }
}
