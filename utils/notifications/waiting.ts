/** Unassigned chats waiting too long (checked on a timer by the background). */
import type { StoredConversation } from '../db'
import type { NotificationEvent } from './events'
import { storage } from 'wxt/utils/storage'
import { nameOf } from './events'

/** Unassigned chats already notified as waiting: conversation id → the wait (its start). */
export const notifiedWaitingStorage = storage.defineItem<Record<string, number>>('local:notifiedWaiting', {
  fallback: {},
})

/** When an unassigned chat started waiting: its customer's last message. */
function waitingSince(conversation: StoredConversation): number | null {
  if (conversation.lastMessageDirection !== 'in')
    return null
  return conversation.lastInboundAt ?? conversation.listAt ?? conversation.lastMessageAt
}

/** How far back a wait still counts as new (older waits were there before: no notification). */
export const WAITING_WINDOW_MS = 60 * 60_000

/**
 * The unassigned open chats that have waited at least `minutes` (but started waiting within the
 * last hour or so), not notified yet for this wait; oldest first. `notified`: conversation id →
 * the wait already notified.
 */
export function overdueWaiting(conversations: StoredConversation[], minutes: number, notified: Readonly<Record<string, number>>, now: number): Array<{ conversation: StoredConversation, since: number }> {
  const threshold = minutes * 60_000
  const result: Array<{ conversation: StoredConversation, since: number }> = []
  for (const conversation of conversations) {
    const since = waitingSince(conversation)
    if (conversation.status !== 'open' || conversation.assigneeId !== null || since === null)
      continue
    const waited = now - since
    if (waited >= threshold && waited < threshold + WAITING_WINDOW_MS && notified[conversation.id] !== since)
      result.push({ conversation, since })
  }
  return result.sort((a, b) => a.since - b.since)
}

/** One event for the overdue chats: the chat itself, or a summary that opens the oldest. */
export function waitingEvent(overdue: ReturnType<typeof overdueWaiting>): NotificationEvent | null {
  const oldest = overdue[0]
  if (!oldest)
    return null
  return overdue.length === 1
    ? {
        kind: 'waiting',
        conversationId: oldest.conversation.id,
        who: nameOf(oldest.conversation),
        text: oldest.conversation.lastMessagePreview?.trim() || undefined,
        count: 1,
      }
    : { kind: 'waiting', conversationId: oldest.conversation.id, count: overdue.length }
}

/**
 * What to remember after notifying `overdue`: the waits of the last 24 hours, and these. Kept even
 * when not shown (quiet hours, turned off): a wait notifies once, or never.
 */
export function rememberNotified(notified: Readonly<Record<string, number>>, overdue: ReturnType<typeof overdueWaiting>, now: number): Record<string, number> {
  const next: Record<string, number> = {}
  for (const [conversationId, since] of Object.entries(notified)) {
    if (now - since < 24 * 3600_000)
      next[conversationId] = since
  }
  for (const { conversation, since } of overdue)
    next[conversation.id] = since
  return next
}
