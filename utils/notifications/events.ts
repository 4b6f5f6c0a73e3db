import type { BackgroundPrefs, NotificationKind } from '../background-prefs'
/**
 * Desktop notifications, raised by the background only:
 *
 * - from each pulled sync page, by diffing what the page's entities were before and after it was
 *   applied (never during a snapshot): a chat newly assigned to me, a new customer message in my
 *   chat, a send of mine that failed, an AI bot handing a chat over (`notification` rows of kind
 *   `handover`, if the server sends them);
 * - from the outbox (an action the server refused) and from a timer (an unassigned chat waiting
 *   longer than N minutes).
 *
 * Per-kind preferences and quiet hours apply, and nothing is shown for the conversation the agent
 * is looking at: pages report it here (./viewing.ts).
 */

import type { AppDB, Message, Notification, StoredConversation } from '../db'
import type { SyncResponse } from '~/protocol/sync'

export interface NotificationEvent {
  kind: NotificationKind
  conversationId: string | null
  /** the contact's name (or the number of waiting chats for a `waiting` summary) */
  who?: string
  /** a line of the message */
  text?: string
  /** `waiting`: how many chats (more than 1 makes a summary) */
  count?: number
}

/** The entities a sync page touches, as they are in Dexie (read before and after applying it). */
export interface PageState {
  conversations: Map<string, StoredConversation>
  messages: Map<string, Message>
  notifications: Map<string, Notification>
}

/** Ids of what a page touches, for `readPageState`. */
export function pageIds(page: SyncResponse): { conversations: string[], messages: string[], notifications: string[] } {
  const conversations = new Set<string>()
  const messages = new Set<string>()
  const notifications = new Set<string>()
  for (const change of page.changes) {
    if (change.kind === 'conversation') {
      conversations.add(change.id)
    }
    else if (change.kind === 'message') {
      messages.add(change.id)
      const conversationId = (change.data as Partial<Message> | undefined)?.conversationId
      if (conversationId)
        conversations.add(conversationId)
    }
    else if (change.kind === 'notification') {
      notifications.add(change.id)
    }
  }
  return {
    conversations: [...conversations],
    messages: [...messages],
    notifications: [...notifications],
  }
}

export async function readPageState(db: AppDB, ids: ReturnType<typeof pageIds>): Promise<PageState> {
  const [conversations, messages, notifications] = await Promise.all([
    db.conversations.bulkGet(ids.conversations),
    db.messages.bulkGet(ids.messages),
    db.notifications.bulkGet(ids.notifications),
  ])
  const byId = <T extends { id: string }>(rows: Array<T | undefined>) => new Map(rows.filter((r): r is T => !!r).map(r => [r.id, r]))
  return {
    conversations: byId(conversations),
    messages: byId(messages),
    notifications: byId(notifications),
  }
}

export function nameOf(conversation: StoredConversation | undefined): string | undefined {
  const contact = conversation?.contact
  return contact
    ? contact.name?.trim() || contact.profileName?.trim() || contact.phone || contact.waId || undefined
    : undefined
}

function textOf(message: Message): string | undefined {
  const content = message.content as { body?: unknown, caption?: unknown }
  const text = typeof content.body === 'string'
    ? content.body
    : typeof content.caption === 'string'
      ? content.caption
      : ''
  return text.trim() || undefined
}

/**
 * What changed for me between `before` and `after` (one sync page). Pure. One event per
 * conversation and kind; an assignment hides the messages that came with it.
 */
export function diffPage(before: PageState, after: PageState, agentId: string): NotificationEvent[] {
  const events: NotificationEvent[] = []
  const assigned = new Set<string>()
  for (const [id, conversation] of after.conversations) {
    const previous = before.conversations.get(id)
    if (conversation.assigneeId === agentId && previous?.assigneeId !== agentId && conversation.status !== 'closed') {
      assigned.add(id)
      events.push({
        kind: 'assigned',
        conversationId: id,
        who: nameOf(conversation),
        text: conversation.lastMessagePreview?.trim() || undefined,
      })
    }
  }
  const newest = new Map<string, Message>()
  const failed = new Map<string, Message>()
  for (const [id, message] of after.messages) {
    const previous = before.messages.get(id)
    const conversation = after.conversations.get(message.conversationId)
    const mine = conversation?.assigneeId === agentId
    if (message.direction === 'in' && !previous && mine && !assigned.has(message.conversationId)) {
      const seen = newest.get(message.conversationId)
      if (!seen || seen.timestamp < message.timestamp)
        newest.set(message.conversationId, message)
    }
    if (message.direction === 'out' && message.status === 'failed' && previous?.status !== 'failed' && (mine || message.senderId === agentId))
      failed.set(message.conversationId, message)
  }
  for (const [conversationId, message] of newest) {
    events.push({
      kind: 'message',
      conversationId,
      who: nameOf(after.conversations.get(conversationId)),
      text: textOf(message),
    })
  }
  for (const [conversationId, message] of failed) {
    events.push({
      kind: 'failed',
      conversationId,
      who: nameOf(after.conversations.get(conversationId)),
      text: message.error?.details ?? message.error?.title ?? textOf(message),
    })
  }
  for (const [id, notification] of after.notifications) {
    if (notification.kind === 'handover' && !before.notifications.has(id) && notification.readAt === null) {
      events.push({
        kind: 'handover',
        conversationId: notification.conversationId,
        who: nameOf(notification.conversationId
          ? after.conversations.get(notification.conversationId)
          : undefined),
      })
    }
  }
  return events
}

/** Minutes since midnight of `HH:MM`. */
function minutesOf(value: string): number {
  const [h, m] = value.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** Is `date` (local time) inside the quiet hours? `start` after `end` spans midnight; equal = never. */
export function inQuietHours(date: Date, quiet: BackgroundPrefs['notifications']['quietHours']): boolean {
  if (!quiet.enabled)
    return false
  const start = minutesOf(quiet.start)
  const end = minutesOf(quiet.end)
  const now = date.getHours() * 60 + date.getMinutes()
  if (start === end)
    return false
  return start < end
    ? now >= start && now < end
    : now >= start || now < end
}

/** The events to show: kinds the agent wants, outside quiet hours, not about what they look at. */
export function eventsToShow(events: NotificationEvent[], prefs: BackgroundPrefs['notifications'], context: { now: Date, viewed: ReadonlySet<string> }): NotificationEvent[] {
  if (inQuietHours(context.now, prefs.quietHours))
    return []
  return events.filter(event => prefs.kinds[event.kind] && !(event.conversationId && context.viewed.has(event.conversationId)))
}
