/**
 * What the extension's tables hold. Synced entities are stored exactly as the server sends them
 * (the wire shapes of `protocol/`); the outbox and the sync status are local bookkeeping.
 */
import type { Contact, Label, Note, Notification, QuickReply } from '~/protocol/contacts'
import type { Conversation, Template } from '~/protocol/conversations'
import type { ErrorCode } from '~/protocol/errors'
import type { Message } from '~/protocol/messages'
import type { MutationArgs, MutationType, SyncKind } from '~/protocol/sync'
import type { Agent, Channel, Team } from '~/protocol/team'

export type { Agent, Channel, Contact, Conversation, Label, Message, Note, Notification, QuickReply, Team, Template }

/**
 * A conversation as stored: the server's shape plus `listAt`, the time the chat list sorts by
 * (the last message, else when the conversation was created), so chats without messages list too.
 */
export interface StoredConversation extends Conversation {
  listAt?: number
}

export function listAtOf(conversation: Pick<Conversation, 'lastMessageAt' | 'createdAt'>): number {
  return conversation.lastMessageAt ?? conversation.createdAt
}

/** The `workspace` sync kind (not a REST resource of its own). */
export interface Workspace {
  id: string
  name: string
  settings: Record<string, unknown>
}

/** The entity type of each sync kind. */
export interface SyncEntities {
  workspace: Workspace
  agent: Agent
  team: Team
  channel: Channel
  template: Template
  label: Label
  quick_reply: QuickReply
  contact: Contact
  note: Note
  conversation: StoredConversation
  message: Message
  notification: Notification
}

/** Which table each sync kind lives in. */
export const SYNC_TABLES = {
  workspace: 'workspaces',
  agent: 'agents',
  team: 'teams',
  channel: 'channels',
  template: 'templates',
  label: 'labels',
  quick_reply: 'quickReplies',
  contact: 'contacts',
  note: 'notes',
  conversation: 'conversations',
  message: 'messages',
  notification: 'notifications',
} as const satisfies Record<SyncKind, string>

export type SyncTableName = typeof SYNC_TABLES[SyncKind]

export type OutboxState = 'queued' | 'sending' | 'failed'

/** An error the server (or the network) answered for a queued action, kept for the UI. */
export interface OutboxError {
  code: ErrorCode | 'offline'
  message: string
  field?: string
}

/**
 * A user action waiting for the server: the mutation `{id, type, args}` of `POST /api/mutations`
 * plus its place in the queue. `seq` (auto-increment) keeps the order actions were taken in.
 */
export interface OutboxEntry<T extends MutationType = MutationType> {
  seq: number
  /** the mutation id: the server applies an id once, so a resend never duplicates */
  id: string
  type: T
  args: MutationArgs<T>
  createdAt: number
  state: OutboxState
  /** set when `state` is `failed` */
  error?: OutboxError
}

/** What the background's sync engine is doing, for pages to show (stored in `meta.syncStatus`). */
export interface SyncStatus {
  state: 'idle' | 'syncing' | 'offline' | 'unauthorized' | 'error'
  /** when a pull last finished with nothing left to pull */
  lastSyncedAt: number | null
  /** the last failure (`session_expired` when the live socket was refused) */
  error: { code: string, message: string } | null
  /** while a snapshot is being applied: how many entities arrived so far */
  snapshot: { applied: number } | null
  /** the live socket */
  live: 'connecting' | 'open' | 'closed'
}

/** What an agent typed in a conversation's composer and has not sent yet (local only). */
export interface Draft {
  conversationId: string
  text: string
  /** the message being replied to */
  replyToId: string | null
  updatedAt: number
}
