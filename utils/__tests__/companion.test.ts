import type { PageState } from '../notifications'
import type { Message, Notification, StoredConversation } from '~/utils/db'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { agent, contact, conversation, NOW } from '~/components/chat/__tests__/fixtures'
import { db } from '~/utils/db'
import { BADGE_COLORS, badgeFor, readWaiting, showBadge } from '../badge'
import { handleCommand, handleNotificationButton } from '../commands'
import { DEFAULT_COMPANION_PREFS, requestIsFor, withDefaults } from '../companion-prefs'
import { applyIdleState, autoAwayStorage, idleTransition } from '../idle'
import { diffPage, eventsToShow, inQuietHours, notificationId, overdueWaiting, parseNotificationId, viewedConversations, waitingEvent } from '../notifications'

const ME = 'a1'
const fake = fakeBrowser as unknown as Record<string, unknown>

function message(id: string, conversationId: string, patch: Partial<Message> = {}): Message {
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

function state(conversations: StoredConversation[] = [], messages: Message[] = [], notifications: Notification[] = []): PageState {
  return {
    conversations: new Map(conversations.map(c => [c.id, c])),
    messages: new Map(messages.map(m => [m.id, m])),
    notifications: new Map(notifications.map(n => [n.id, n])),
  }
}

const ana = contact('c1', { name: 'Ana' })
const bob = contact('c2', { name: 'Bob' })

beforeEach(async () => {
  fakeBrowser.reset()
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => [
    name,
    ...[substitutions ?? []].flat(),
  ].join(' '))
  await Promise.all([
    db.conversations.clear(),
    db.messages.clear(),
    db.outbox.clear(),
    db.agents.clear(),
    db.contacts.clear(),
  ])
})

afterEach(() => {
  vi.unstubAllEnvs()
  delete fake.sidePanel
  delete fake.sidebarAction
})

describe('badge', () => {
  const zero = {
    unassigned: 0,
    mineUnread: 0,
    closingSoon: 0,
    failed: 0,
  }

  it('counts what the agent chose, coloured by what waits', () => {
    expect(badgeFor(zero, { count: 'both' }).text).toBe('')
    expect(badgeFor({ ...zero, unassigned: 3 }, { count: 'both' })).toMatchObject({ text: '3', color: BADGE_COLORS.unassigned, kind: 'unassigned' })
    expect(badgeFor({ ...zero, unassigned: 3, mineUnread: 2 }, { count: 'both' })).toMatchObject({ text: '5', color: BADGE_COLORS.mine, kind: 'mine' })
    expect(badgeFor({ ...zero, unassigned: 3, mineUnread: 2 }, { count: 'mine' }).text).toBe('2')
    expect(badgeFor({ ...zero, unassigned: 3, mineUnread: 2 }, { count: 'unassigned' })).toMatchObject({ text: '3', color: BADGE_COLORS.unassigned })
    expect(badgeFor({ ...zero, mineUnread: 2 }, { count: 'unassigned' }).text).toBe('')
    expect(badgeFor({ ...zero, unassigned: 1200 }, { count: 'both' }).text).toBe('999+')
  })

  it('alerts with "!" when a window closes soon or a send failed', () => {
    expect(badgeFor({ ...zero, unassigned: 3, closingSoon: 1 }, { count: 'both' })).toMatchObject({ text: '!', color: BADGE_COLORS.alert, kind: 'alert' })
    expect(badgeFor({ ...zero, failed: 1 }, { count: 'mine' })).toMatchObject({ text: '!', kind: 'alert' })
  })

  it('reads the counts from Dexie: unassigned open, mine unread, windows closing, failed sends', async () => {
    await db.conversations.bulkPut([
      conversation('u1', ana, { lastMessageAt: NOW - 3 * 3600_000 }),
      conversation('u2', bob, { lastMessageAt: NOW - 3600_000 }),
      conversation('u3', bob, { status: 'closed' }),
      conversation('m1', ana, { assigneeId: ME, unreadCount: 2, windowExpiresAt: NOW + 10 * 60_000 }),
      conversation('m2', ana, { assigneeId: ME, markedUnread: true, windowExpiresAt: NOW + 5 * 3600_000 }),
      conversation('m3', ana, { assigneeId: ME }),
      conversation('o1', bob, { assigneeId: 'a2', unreadCount: 4 }),
    ])
    await db.messages.bulkPut([
      message('x1', 'm3', { direction: 'out', status: 'failed' }),
      message('x2', 'o1', { direction: 'out', status: 'failed' }),
    ])
    await db.outbox.add({
      id: 'mut-1',
      type: 'conversation.markRead',
      args: { conversationId: 'm1' },
      createdAt: NOW,
      state: 'failed',
    } as never)

    const waiting = await readWaiting(db, ME, {
      now: NOW,
      windowMinutes: 15,
      queueLimit: 10,
      mineLimit: 10,
    })
    expect(waiting.counts).toEqual({
      unassigned: 2,
      mineUnread: 2,
      closingSoon: 1,
      failed: 2,
    })
    expect(waiting.queue.map(c => c.id)).toEqual(['u1', 'u2']) // oldest first
    expect(waiting.mineUnread.map(c => c.id).sort()).toEqual(['m1', 'm2'])
  })

  it('shows on `action` (Chrome) or `browserAction` (Firefox MV2)', async () => {
    await showBadge(badgeFor({
      unassigned: 4,
      mineUnread: 0,
      closingSoon: 0,
      failed: 0,
    }, { count: 'both' }, () => '4 waiting'), 'WA')
    expect(await fakeBrowser.action.getBadgeText({})).toBe('4')
    expect(await fakeBrowser.action.getTitle({})).toBe('WA — 4 waiting')
    const browserAction = {
      setBadgeText: vi.fn(async () => {}),
      setBadgeBackgroundColor: vi.fn(async () => {}),
      setTitle: vi.fn(async () => {}),
    }
    const action = fake.action
    fake.action = undefined
    fake.browserAction = browserAction
    try {
      await showBadge(badgeFor({
        unassigned: 0,
        mineUnread: 0,
        closingSoon: 0,
        failed: 1,
      }, { count: 'both' }), 'WA')
      expect(browserAction.setBadgeText).toHaveBeenCalledWith({ text: '!' })
      expect(browserAction.setBadgeBackgroundColor).toHaveBeenCalledWith({ color: BADGE_COLORS.alert })
    }
    finally {
      fake.action = action
      delete fake.browserAction
    }
  })
})

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

    const prefs = structuredClone(DEFAULT_COMPANION_PREFS.notifications)
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

describe('idle', () => {
  it('goes away when idle or locked, and back only from its own away', () => {
    expect(idleTransition('idle', 'online', false)).toEqual({ set: 'away', autoAway: true })
    expect(idleTransition('locked', 'online', false)).toEqual({ set: 'away', autoAway: true })
    expect(idleTransition('idle', 'away', false)).toEqual({ set: null, autoAway: false }) // the agent's own away
    expect(idleTransition('active', 'away', true)).toEqual({ set: 'online', autoAway: false })
    expect(idleTransition('active', 'away', false)).toEqual({ set: null, autoAway: false })
    expect(idleTransition('active', 'offline', true)).toEqual({ set: null, autoAway: false })
  })

  it('applies transitions through setAvailability and remembers its own away', async () => {
    let current: 'online' | 'away' = 'online'
    const setAvailability = vi.fn(async (value: 'online' | 'away') => {
      current = value
    })
    const options = {
      enabled: async () => true,
      current: async () => current,
      setAvailability,
    } as never
    await applyIdleState('locked', options)
    expect(setAvailability).toHaveBeenLastCalledWith('away')
    expect(await autoAwayStorage.getValue()).toBe(true)
    await applyIdleState('active', options)
    expect(setAvailability).toHaveBeenLastCalledWith('online')
    expect(await autoAwayStorage.getValue()).toBe(false)
    // turned off: nothing happens
    await applyIdleState('idle', {
      enabled: async () => false,
      current: async () => 'online',
      setAvailability,
    } as never)
    expect(setAvailability).toHaveBeenCalledTimes(2)
  })
})

describe('commands and notification buttons', () => {
  async function seedQueue(): Promise<void> {
    await db.agents.put(agent(ME, 'Ana Pop'))
    await db.conversations.bulkPut([
      conversation('q1', ana, { lastMessageAt: NOW - 3 * 3600_000 }),
      conversation('q2', bob, { lastMessageAt: NOW - 3600_000 }),
    ])
  }

  function context(assign = vi.fn(async () => ({}) as never)) {
    return {
      db,
      agentId: async () => ME,
      actions: () => ({ assign }),
      windowId: () => 7,
    }
  }

  it('chrome: claim-next assigns the oldest unassigned chat to me and opens the panel on it', async () => {
    vi.stubEnv('BROWSER', 'chrome')
    await seedQueue()
    const open = vi.fn(async () => {})
    fake.sidePanel = { open }
    const assign = vi.fn(async () => ({}) as never)
    expect(await handleCommand('claim-next', { windowId: 3 }, context(assign))).toBe('q1')
    expect(open).toHaveBeenCalledWith({ windowId: 3 })
    expect(assign).toHaveBeenCalledWith('q1', ME)
    expect(requestIsFor(await fakeBrowser.storage.local.get('openConversationRequest').then(v => v.openConversationRequest as never), 3)).toBe(true)
  })

  it('firefox: next-unassigned opens the sidebar on the oldest, without assigning', async () => {
    vi.stubEnv('BROWSER', 'firefox')
    await seedQueue()
    const open = vi.fn(async () => {})
    fake.sidebarAction = { open }
    const assign = vi.fn(async () => ({}) as never)
    expect(await handleCommand('next-unassigned', undefined, context(assign))).toBe('q1')
    expect(open).toHaveBeenCalledOnce()
    expect(assign).not.toHaveBeenCalled()
  })

  it('"Assign to me" on a waiting notification assigns, then opens (a tab when the panel cannot open)', async () => {
    vi.stubEnv('BROWSER', 'chrome')
    fake.sidePanel = {
      open: vi.fn(async () => {
        throw new Error('not in a user gesture')
      }),
    }
    const create = vi.spyOn(fakeBrowser.tabs, 'create')
    const assign = vi.fn(async () => ({}) as never)
    await handleNotificationButton(notificationId({ kind: 'waiting', conversationId: 'q2' }), 0, context(assign))
    expect(assign).toHaveBeenCalledWith('q2', ME)
    expect(create).toHaveBeenCalledWith({
      url: expect.stringContaining('/inbox.html#/c/q2'),
    })
  })
})

describe('preferences', () => {
  it('fill in defaults and clamp what was stored', () => {
    expect(withDefaults(undefined)).toEqual(DEFAULT_COMPANION_PREFS)
    const prefs = withDefaults({
      badge: { count: 'mine', windowMinutes: -5 },
      notifications: {
        kinds: { message: false },
        quietHours: { enabled: true, start: '25:00' },
      },
      idle: { minutes: 3 },
    })
    expect(prefs.badge).toEqual({ count: 'mine', windowMinutes: 1 })
    expect(prefs.notifications.kinds).toMatchObject({ message: false, assigned: true })
    expect(prefs.notifications.quietHours).toEqual({ enabled: true, start: '22:00', end: '08:00' })
    expect(prefs.idle).toEqual({ enabled: true, minutes: 3 })
  })
})
