import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { agent, contact, conversation, NOW } from '~/components/chat/__tests__/fixtures'
import { db } from '~/utils/db'
import { handleCommand, handleNotificationButton } from '../commands'
import { notificationId } from '../notifications'
import { requestIsFor } from '../open-conversation'

const ME = 'a1'
const fake = fakeBrowser as unknown as Record<string, unknown>

const ana = contact('c1', { name: 'Ana' })
const bob = contact('c2', { name: 'Bob' })

afterEach(() => {
  vi.unstubAllEnvs()
  delete fake.sidePanel
  delete fake.sidebarAction
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
