/**
 * What waits for the agent, counted from Dexie: the toolbar badge (./badge.ts) and the popup
 * (./popup-data.ts) show the same figures.
 */
import type { AppDB, StoredConversation } from '../db'
import Dexie from 'dexie'

export interface WaitingCounts {
  /** open conversations nobody is assigned to */
  unassigned: number
  /** open conversations assigned to me that are unread (or marked unread) */
  mineUnread: number
  /** my open conversations whose 24-hour window closes within the asked horizon */
  closingSoon: number
  /** failed actions in the outbox + failed messages in my conversations */
  failed: number
}

export interface WaitingSnapshot {
  counts: WaitingCounts
  /** the oldest unassigned open conversations (by last activity), up to `queueLimit` */
  queue: StoredConversation[]
  /** my open unread conversations, newest first */
  mineUnread: StoredConversation[]
}

export function isUnread(conversation: Pick<StoredConversation, 'unreadCount' | 'markedUnread'>): boolean {
  return conversation.unreadCount > 0 || conversation.markedUnread
}

/** Ids of open conversations, oldest activity first (keys only: cheap on 10,000 rows). */
function openIds(db: AppDB): Promise<string[]> {
  return db.conversations
    .where('[status+listAt]')
    .between(['open', Dexie.minKey], ['open', Dexie.maxKey])
    .primaryKeys() as Promise<string[]>
}

/** Ids of the unassigned open conversations, oldest first (null assignees are not in the index). */
export async function unassignedOpenIds(db: AppDB): Promise<string[]> {
  const [open, assigned] = await Promise.all([
    openIds(db),
    db.conversations.orderBy('assigneeId').primaryKeys() as Promise<string[]>,
  ])
  const taken = new Set(assigned)
  return open.filter(id => !taken.has(id))
}

/**
 * Everything the popup and the badge need in one read. `windowMinutes`: the horizon of
 * `closingSoon`. `queueLimit`/`mineLimit`: rows to load (0 for counts only).
 */
export async function readWaiting(db: AppDB, agentId: string, options: { now?: number, windowMinutes?: number, queueLimit?: number, mineLimit?: number } = {}): Promise<WaitingSnapshot> {
  const now = options.now ?? Date.now()
  const horizon = now + (options.windowMinutes ?? 60) * 60_000
  const [unassigned, mine, failedActions] = await Promise.all([
    unassignedOpenIds(db),
    db.conversations.where('assigneeId').equals(agentId).toArray(),
    db.outbox.where('state').equals('failed').count(),
  ])
  const mineIds = mine.map(conversation => conversation.id)
  const failedMessages = mineIds.length === 0
    ? 0
    : await db.messages.where('conversationId').anyOf(mineIds).filter(message => message.status === 'failed').count()
  const mineOpen = mine.filter(conversation => conversation.status === 'open')
  const mineUnread = mineOpen.filter(isUnread).sort((a, b) => (b.listAt ?? 0) - (a.listAt ?? 0))
  const closingSoon = mineOpen.filter(c => c.windowExpiresAt !== null && c.windowExpiresAt > now && c.windowExpiresAt <= horizon).length
  const queueIds = unassigned.slice(0, options.queueLimit ?? 0)
  const queue = queueIds.length === 0
    ? []
    : (await db.conversations.bulkGet(queueIds)).filter((c): c is StoredConversation => !!c)
  return {
    counts: {
      unassigned: unassigned.length,
      mineUnread: mineUnread.length,
      closingSoon,
      failed: failedActions + failedMessages,
    },
    queue,
    mineUnread: mineUnread.slice(0, options.mineLimit ?? 0),
  }
}
