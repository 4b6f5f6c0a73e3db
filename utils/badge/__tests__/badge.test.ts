import { describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { contact, conversation, message, NOW } from '~/components/chat/__tests__/fixtures'
import { db } from '~/utils/db'
import { BADGE_COLORS, badgeFor, readWaiting, showBadge } from '..'

const ME = 'a1'
const fake = fakeBrowser as unknown as Record<string, unknown>

const ana = contact('c1', { name: 'Ana' })
const bob = contact('c2', { name: 'Bob' })

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
