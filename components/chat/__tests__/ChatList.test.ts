import type { VueWrapper } from '@vue/test-utils'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { db } from '~/utils/db'
import { setMeta } from '~/utils/db/meta'
import { authSessionStorage } from '~/utils/session'
import ChatList from '../ChatList.vue'
import { agent, contact, conversation, label, NOW, session } from './fixtures'

const ion = contact('c1', {
  name: 'Ștefan Ionuț',
  phone: '+40722123456',
  labelIds: ['l1', 'l2'],
})
const maria = contact('c2', { profileName: 'Maria', phone: '+40733000111' })
const bare = contact('c3', { phone: '+447700900123' })
const closed = contact('c4', { name: 'Closed Person' })

async function seed(): Promise<void> {
  await db.agents.bulkPut([
    agent('a1', 'Ana Pop'),
    agent('a2', 'Bogdan Rus'),
  ])
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
  ])
  await db.contacts.bulkPut([ion, maria, bare, closed])
  await db.conversations.bulkPut([
    conversation('k1', ion, {
      assigneeId: 'a1',
      unreadCount: 3,
      lastMessageAt: NOW - 5 * 60_000,
      lastMessagePreview: '<b>bold</b> offer',
    }),
    conversation('k2', maria, {
      assigneeId: 'a2',
      lastMessageAt: NOW - 60 * 60_000,
      lastMessagePreview: '',
      lastMessageType: 'image',
      lastMessageDirection: 'out',
    }),
    conversation('k3', bare, { lastMessageAt: NOW - 2 * 24 * 3600_000, markedUnread: true }),
    conversation('k4', closed, { status: 'closed', lastMessageAt: NOW }),
  ])
}

async function mountList(): Promise<VueWrapper> {
  const wrapper = mount(ChatList, { attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="list"], [data-testid="empty"], [data-testid="signed-out"]').exists()).toBe(true)
  })
  return wrapper
}

function names(wrapper: VueWrapper): string[] {
  return wrapper.findAll('[data-testid="name"]').map(el => el.text())
}

function count(wrapper: VueWrapper, tab: string): string {
  return wrapper.get(`[data-tab="${tab}"] [data-testid="tab-count"]`).text()
}

describe('chatList', () => {
  beforeEach(async () => {
    // happy-dom has no layout: give the scrolling list a size so the virtualizer renders rows.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600)
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(400)
    vi.spyOn(HTMLElement.prototype, 'scrollTo').mockImplementation(() => {})
    vi.useFakeTimers({
      now: NOW,
      toFake: ['Date'],
    })
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks to sign in when there is no session, and opens the options page', async () => {
    await authSessionStorage.setValue(null)
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue()
    const wrapper = await mountList()
    expect(wrapper.get('[data-testid="signed-out"]').text()).toContain('chat_list_signedOut_title')
    expect(wrapper.find('[data-testid="list"]').exists()).toBe(false)
    await wrapper.get('[data-testid="open-options"]').trigger('click')
    expect(open).toHaveBeenCalledOnce()
    wrapper.unmount()
  })

  it('says the session expired', async () => {
    await authSessionStorage.setValue(session({ expired: true }))
    const wrapper = await mountList()
    expect(wrapper.get('[data-testid="signed-out"]').text()).toContain('chat_list_signedOut_expiredTitle')
    wrapper.unmount()
  })

  it('shows the empty state of each tab', async () => {
    const wrapper = await mountList()
    expect(wrapper.get('[data-testid="empty"]').text()).toContain('chat_list_empty_all')
    await wrapper.get('[data-tab="mine"]').trigger('click')
    expect(wrapper.get('[data-testid="empty"]').text()).toContain('chat_list_empty_mine')
    await wrapper.get('[data-tab="unassigned"]').trigger('click')
    expect(wrapper.get('[data-testid="empty"]').text()).toContain('chat_list_empty_unassigned')
    wrapper.unmount()
  })

  it('lists open conversations newest first with tab counts', async () => {
    await seed()
    const wrapper = await mountList()
    expect(names(wrapper)).toEqual(['Ștefan Ionuț', 'Maria', '+447700900123'])
    expect(count(wrapper, 'all')).toBe('3')
    expect(count(wrapper, 'mine')).toBe('1')
    expect(count(wrapper, 'unassigned')).toBe('1')

    await wrapper.get('[data-tab="mine"]').trigger('click')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț'])
    await wrapper.get('[data-tab="unassigned"]').trigger('click')
    expect(names(wrapper)).toEqual(['+447700900123'])
    wrapper.unmount()
  })

  it('renders row content, with a preview as text', async () => {
    await seed()
    const wrapper = await mountList()
    const [first, second, third] = wrapper.findAll('[role="option"]')
    expect(first!.get('[data-testid="avatar"]').text()).toBe('ȘI')
    expect(first!.get('[data-testid="preview"]').text()).toBe('<b>bold</b> offer')
    expect(first!.find('[data-testid="preview"] b').exists()).toBe(false)
    expect(first!.get('[data-testid="unread"]').text()).toBe('3')
    expect(first!.get('[data-testid="time"]').text()).toBe(new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'narrow' }).format(-5, 'minute'))
    expect(first!.get('[data-testid="assignee"]').text()).toBe('chat_list_assignedTo Ana Pop')
    expect(first!.findAll('[data-testid="label"]').map(el => [
      el.text(),
      el.attributes('data-color'),
    ])).toEqual([
      ['VIP', 'amber'],
      ['Lead', 'blue'],
    ])

    expect(second!.get('[data-testid="preview"]').text()).toBe('chat_list_youchat_list_media_image')
    expect(second!.find('[data-testid="unread"]').exists()).toBe(false)
    expect(second!.get('[data-testid="assignee"]').text()).toContain('Bogdan Rus')

    expect(third!.get('[data-testid="avatar"]').text()).toBe('#')
    expect(third!.get('[data-testid="unread"]').text()).toBe('')
    expect(third!.find('[data-testid="assignee"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('follows Dexie changes', async () => {
    await seed()
    const wrapper = await mountList()
    await db.contacts.update('c2', { name: 'Maria Enache' })
    // as sync writes it: the list's sort time moves with the last message
    await db.conversations.update('k3', { lastMessageAt: NOW, listAt: NOW })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(names(wrapper)).toEqual(['+447700900123', 'Ștefan Ionuț', 'Maria Enache'])
    })
    wrapper.unmount()
  })

  it('shows snoozed and closed conversations in their own views, and chats without messages', async () => {
    await seed()
    await db.conversations.bulkPut([
      conversation('k5', contact('c5', { name: 'Snoozy' }), { status: 'snoozed', snoozedUntil: null }),
      conversation('k6', contact('c6', { name: 'Brand New' }), {
        lastMessageAt: null,
        lastMessagePreview: null,
        lastMessageType: null,
        lastMessageDirection: null,
        createdAt: NOW - 1000,
      }),
    ])
    const wrapper = await mountList()
    expect(names(wrapper)).toEqual([
      'Brand New',
      'Ștefan Ionuț',
      'Maria',
      '+447700900123',
    ])
    await wrapper.get('[data-testid="status-filter"]').setValue('snoozed')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(names(wrapper)).toEqual(['Snoozy'])
    })
    expect(wrapper.get('[data-testid="snoozed"]').text()).toContain('chat_list_snoozedUntilReply')
    await wrapper.get('[data-testid="status-filter"]').setValue('closed')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(names(wrapper)).toEqual(['Closed Person'])
    })
    wrapper.unmount()
  })

  it('shows the ticks of my last message, live', async () => {
    await seed()
    const message = {
      id: 'm1',
      conversationId: 'k2',
      wamid: 'w1',
      clientId: null,
      direction: 'out' as const,
      type: 'image' as const,
      status: 'delivered' as const,
      error: null,
      content: {},
      context: null,
      referral: null,
      reaction: null,
      timestamp: NOW - 60 * 60_000,
      createdAt: NOW - 60 * 60_000,
      sentAt: null,
      deliveredAt: null,
      readAt: null,
      senderId: 'a1',
    }
    await db.messages.put(message)
    const wrapper = await mountList()
    const ticks = () => wrapper.find('[data-id="k2"] [data-testid="ticks"]')
    await vi.waitFor(() => expect(ticks().attributes('data-state')).toBe('delivered'))
    expect(wrapper.find('[data-id="k1"] [data-testid="ticks"]').exists()).toBe(false)
    await db.messages.update('m1', { status: 'read' })
    await vi.waitFor(() => expect(ticks().attributes('data-state')).toBe('read'))
    wrapper.unmount()
  })

  it('loads the whole list again after switching status views (more rows than the first screen)', async () => {
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(76)
    const people = Array.from({ length: 60 }, (_, i) => contact(`p${i}`, { name: `Person ${i}` }))
    await db.contacts.bulkPut(people)
    await db.conversations.bulkPut(people.map((who, i) => conversation(`q${i}`, who, {
      lastMessageAt: NOW - i * 60_000,
      status: i % 2 === 0
        ? 'open'
        : 'closed',
    })))
    await db.conversations.bulkPut(Array.from({ length: 50 }, (_, i) => conversation(`r${i}`, people[0]!, { lastMessageAt: NOW - (100 + i) * 60_000 })))
    const wrapper = await mountList()
    const openCount = async () => {
      await vi.waitFor(async () => {
        await flushPromises()
        expect(count(wrapper, 'all')).toBe('80')
      })
    }
    await openCount()
    await wrapper.get('[data-testid="status-filter"]').setValue('closed')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(count(wrapper, 'all')).toBe('30')
    })
    await wrapper.get('[data-testid="status-filter"]').setValue('open')
    await openCount()
    wrapper.unmount()
  })

  it('filters by label, and marks chats newly assigned to me until I open them', async () => {
    await seed()
    await db.conversations.update('k1', { assigneeId: 'a1', assignedAt: Date.now() - 60_000 })
    localStorage.clear()
    const wrapper = await mountList()
    const labelFilter = wrapper.get('[data-testid="label-filter"]')
    expect(labelFilter.findAll('option').map(option => option.text())).toEqual(['chat_list_labelFilter_all', 'Lead', 'VIP'])
    await labelFilter.setValue('l1')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț'])
    await labelFilter.setValue('l2')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț'])
    ;(labelFilter.findAll('option')[0]!.element as HTMLOptionElement).selected = true
    await labelFilter.trigger('change')
    expect(names(wrapper)).toHaveLength(3)

    const marker = () => wrapper.find('[data-id="k1"] [data-testid="newly-assigned"]')
    await vi.waitFor(() => expect(marker().exists()).toBe(true))
    expect(wrapper.find('[data-id="k2"] [data-testid="newly-assigned"]').exists()).toBe(false)
    await wrapper.get('[data-id="k1"]').trigger('click')
    expect(wrapper.emitted('open')).toEqual([
      ['k1'],
    ])
    const { markOpened } = await import('~/utils/conversations/opened')
    markOpened('k1')
    await vi.waitFor(() => expect(marker().exists()).toBe(false))
    wrapper.unmount()
  })

  it('filters by name without accents, by phone digits and by unread', async () => {
    await seed()
    const wrapper = await mountList()
    const search = wrapper.get('[data-testid="search"]')

    await search.setValue('stefan')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț'])
    await search.setValue('IONUT')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț'])
    await search.setValue('0733 000')
    expect(names(wrapper)).toEqual(['Maria'])
    await search.setValue('7700')
    expect(names(wrapper)).toEqual(['+447700900123'])
    await search.setValue('nobody')
    expect(wrapper.get('[data-testid="empty"]').text()).toContain('chat_list_empty_search')

    await search.setValue('')
    await wrapper.get('[data-testid="unread-toggle"]').trigger('click')
    expect(wrapper.get('[data-testid="unread-toggle"]').attributes('aria-pressed')).toBe('true')
    expect(names(wrapper)).toEqual(['Ștefan Ionuț', '+447700900123'])
    wrapper.unmount()
  })

  it('moves the selection with the arrow keys and opens with Enter', async () => {
    await seed()
    const wrapper = await mountList()
    const list = wrapper.get('[data-testid="list"]')
    const selected = () => wrapper.findAll('[aria-selected="true"][role="option"]').map(el => el.attributes('data-id'))

    await list.trigger('keydown', { key: 'ArrowDown' })
    expect(selected()).toEqual(['k1'])
    expect(list.attributes('aria-activedescendant')).toBe('chat-k1')
    await list.trigger('keydown', { key: 'ArrowDown' })
    await list.trigger('keydown', { key: 'ArrowDown' })
    await list.trigger('keydown', { key: 'ArrowDown' })
    expect(selected()).toEqual(['k3'])
    await list.trigger('keydown', { key: 'ArrowUp' })
    expect(selected()).toEqual(['k2'])
    await list.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('open')).toEqual([
      ['k2'],
    ])

    await wrapper.findAll('[role="option"]')[0]!.trigger('click')
    expect(selected()).toEqual(['k1'])
    wrapper.unmount()
  })

  it('renders only the rows in view of a long list, and scrolls to the selection', async () => {
    // every row measures 76 px
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(76)
    const people = Array.from({ length: 500 }, (_, i) => contact(`p${i}`, { name: `Person ${i}` }))
    await db.contacts.bulkPut(people)
    await db.conversations.bulkPut(people.map((who, i) => conversation(`q${i}`, who, { lastMessageAt: NOW - i * 60_000 })))
    const wrapper = await mountList()
    // the first screen paints from a bounded read; the whole list (and its counts) follows
    await vi.waitFor(async () => {
      await flushPromises()
      expect(count(wrapper, 'all')).toBe('500')
    })
    const rendered = names(wrapper)
    expect(rendered.length).toBeGreaterThan(0)
    expect(rendered.length).toBeLessThan(40)
    expect(rendered[0]).toBe('Person 0')
    expect(wrapper.get('[role="option"]').attributes('aria-setsize')).toBe('500')

    await wrapper.get('[data-testid="list"]').trigger('keydown', { key: 'ArrowUp' })
    expect(wrapper.get('[data-testid="list"]').attributes('aria-activedescendant')).toBe('chat-q499')
    wrapper.unmount()
  })

  it('shows the sync line only while syncing or offline', async () => {
    await seed()
    const wrapper = await mountList()
    expect(wrapper.find('[data-testid="sync-line"]').exists()).toBe(false)
    await setMeta('syncStatus', {
      state: 'offline',
      lastSyncedAt: null,
      error: null,
      snapshot: null,
      live: 'closed',
    })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('[data-testid="sync-line"]').text()).toContain('connect_sync_offline')
    })
    wrapper.unmount()
  })
})
