import type { PageState } from '..'
import type { Message, Notification, StoredConversation } from '~/utils/db'
import { describe, expect, it } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { contact, conversation, message, NOW } from '~/components/chat/__tests__/fixtures'
import { DEFAULT_BACKGROUND_PREFS } from '~/utils/background-prefs'
import { diffPage, eventsToShow, inQuietHours, notificationId, overdueWaiting, parseNotificationId, viewedConversations, waitingEvent } from '..'

const ME = 'a1'

function state(conversations: StoredConversation[] = [], messages: Message[] = [], notifications: Notification[] = []): PageState {
  return {
    conversations: new Map(conversations.map(c => [c.id, c])),
    messages: new Map(messages.map(m => [m.id, m])),
    notifications: new Map(notifications.map(n => [n.id, n])),
  }
}

const ana = contact('c1', { name: 'Ana' })
const bob = contact('c2', { name: 'Bob' })

describe('notification diffing', () => {
  it('a chat newly assigned to me (once: its messages do not notify again)', () => {
    const before = state([
      conversation('k1', ana),
    ])
    const after = state([
      conversation('k1', ana, { assigneeId: ME }),
    ], [
      message('n1', 'k1'),
    ])
    expect(diffPage(before, after, ME)).toEqual([
      expect.objectContaining({ kind: 'assigned', conversationId: 'k1', who: 'Ana' }),
    ])
    // already mine before: nothing
    expect(diffPage(state([
      conversation('k1', ana, { assigneeId: ME }),
    ]), state([
      conversation('k1', ana, { assigneeId: ME }),
    ]), ME)).toEqual([])
  })

  it('a new customer message in my chat, not in others\' nor an old one', () => {
    const mine = conversation('k1', ana, { assigneeId: ME })
    const theirs = conversation('k2', bob, { assigneeId: 'a2' })
    const before = state([mine, theirs], [
      message('old', 'k1'),
    ])
    const after = state([mine, theirs], [
      message('old', 'k1'),
      message('n1', 'k1', { timestamp: NOW - 1 }),
      message('n2', 'k1'),
      message('n3', 'k2'),
      message('o1', 'k1', { direction: 'out' }),
    ])
    expect(diffPage(before, after, ME)).toEqual([
      {
        kind: 'message',
        conversationId: 'k1',
        who: 'Ana',
        text: 'text of n2',
      },
    ])
  })

  it('a send that failed (once), and a bot handover notification row', () => {
    const mine = conversation('k1', ana, { assigneeId: ME })
    const failed = message('s1', 'k1', {
      direction: 'out',
      status: 'failed',
      senderId: ME,
      error: { code: 131047, title: 'Re-engagement message' },
    })
    const handover = {
      id: 'h1',
      kind: 'handover',
      actorId: null,
      contactId: 'c1',
      conversationId: 'k1',
      noteId: null,
      createdAt: NOW,
      readAt: null,
    }
    const events = diffPage(state([mine], [
      { ...failed, status: 'sent' },
    ]), state([mine], [failed], [handover]), ME)
    expect(events).toEqual([
      expect.objectContaining({ kind: 'failed', conversationId: 'k1', text: 'Re-engagement message' }),
      expect.objectContaining({ kind: 'handover', conversationId: 'k1' }),
    ])
    expect(diffPage(state([mine], [failed], [handover]), state([mine], [failed], [handover]), ME)).toEqual([])
    // other kinds of notification rows (mentions) are not ours to show
    expect(diffPage(state(), state([], [], [
      { ...handover, kind: 'mention' },
    ]), ME)).toEqual([])
  })

  it('quiet hours, per-kind switches, and never about the chat on screen', () => {
    const quiet = { enabled: true, start: '22:00', end: '08:00' }
    expect(inQuietHours(new Date(2025, 0, 1, 23, 30), quiet)).toBe(true)
    expect(inQuietHours(new Date(2025, 0, 1, 7, 59), quiet)).toBe(true)
    expect(inQuietHours(new Date(2025, 0, 1, 8, 0), quiet)).toBe(false)
    expect(inQuietHours(new Date(2025, 0, 1, 12, 0), { enabled: true, start: '12:00', end: '13:00' })).toBe(true)
    expect(inQuietHours(new Date(2025, 0, 1, 23, 30), { ...quiet, enabled: false })).toBe(false)

    const prefs = structuredClone(DEFAULT_BACKGROUND_PREFS.notifications)
    const events = [
      { kind: 'message' as const, conversationId: 'k1' },
      { kind: 'message' as const, conversationId: 'k2' },
      { kind: 'assigned' as const, conversationId: 'k3' },
    ]
    const noon = new Date(2025, 0, 1, 12, 0)
    expect(eventsToShow(events, prefs, {
      now: noon,
      viewed: new Set(['k1']),
    }).map(e => e.conversationId)).toEqual(['k2', 'k3'])
    prefs.kinds.assigned = false
    expect(eventsToShow(events, prefs, {
      now: noon,
      viewed: new Set(),
    }).map(e => e.conversationId)).toEqual(['k1', 'k2'])
    prefs.quietHours = quiet
    expect(eventsToShow(events, prefs, {
      now: new Date(2025, 0, 1, 23, 0),
      viewed: new Set(),
    })).toEqual([])
  })

  it('knows what pages show: visible, fresh entries only', async () => {
    await fakeBrowser.storage.session.set({
      'viewing:p1': { conversationId: 'k1', visible: true, at: NOW },
      'viewing:p2': { conversationId: 'k2', visible: false, at: NOW },
      'viewing:p3': { conversationId: 'k3', visible: true, at: NOW - 10 * 60_000 },
      'other': { conversationId: 'k4', visible: true, at: NOW },
    })
    expect([
      ...await viewedConversations(NOW),
    ]).toEqual(['k1'])
  })

  it('unassigned chats waiting longer than N minutes, once per wait', () => {
    const rows = [
      conversation('w1', ana, { lastMessageDirection: 'in', lastInboundAt: NOW - 6 * 60_000 }),
      conversation('w2', bob, { lastMessageDirection: 'in', lastInboundAt: NOW - 2 * 60_000 }),
      conversation('w3', bob, { lastMessageDirection: 'in', lastInboundAt: NOW - 9 * 60_000 }),
      conversation('w4', bob, { lastMessageDirection: 'out', lastInboundAt: NOW - 9 * 60_000 }),
      conversation('w5', bob, { assigneeId: 'a2', lastMessageDirection: 'in', lastInboundAt: NOW - 9 * 60_000 }),
      conversation('w6', bob, { lastMessageDirection: 'in', lastInboundAt: NOW - 5 * 3600_000 }),
    ]
    const overdue = overdueWaiting(rows, 5, {}, NOW)
    expect(overdue.map(o => o.conversation.id)).toEqual(['w3', 'w1'])
    expect(waitingEvent(overdue)).toEqual({ kind: 'waiting', conversationId: 'w3', count: 2 })
    expect(overdueWaiting(rows, 5, { w3: NOW - 9 * 60_000 }, NOW).map(o => o.conversation.id)).toEqual(['w1'])
    expect(waitingEvent([])).toBeNull()
  })

  it('notification ids carry the kind and the chat', () => {
    expect(parseNotificationId(notificationId({ kind: 'waiting', conversationId: 'k9' }, NOW))).toEqual({ kind: 'waiting', conversationId: 'k9' })
    expect(parseNotificationId('something-else')).toBeNull()
  })
})
