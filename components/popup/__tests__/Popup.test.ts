import type { VueWrapper } from '@vue/test-utils'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { agent, contact, conversation, NOW, session } from '~/components/chat/__tests__/fixtures'
import App from '~/entrypoints/popup/App.vue'
import { db } from '~/utils/db'
import { autoAwayStorage } from '~/utils/idle'
import { authSessionStorage } from '~/utils/session'

// The page-numbers component (another feature) scans the current tab: not this test's business.
vi.mock('~/components/page-numbers/PageNumbers.vue', () => ({
  __esModule: true,
  default: {
    render: () => h('div', { 'data-testid': 'page-numbers-stub' }),
  },
}))

const ana = contact('c1', { name: 'Ana Pop' })
const ion = contact('c2', { name: 'Ion Rus' })
const eva = contact('c3', { name: 'Eva Stan' })

async function seed(): Promise<void> {
  await db.agents.bulkPut([
    agent('a1', 'Ana Agent'),
    agent('a2', 'Bogdan Rus'),
  ])
  await db.contacts.bulkPut([ana, ion, eva])
  await db.conversations.bulkPut([
    conversation('u-new', ion, { lastMessageAt: NOW - 5 * 60_000, lastInboundAt: NOW - 5 * 60_000, lastMessagePreview: 'Salut' }),
    conversation('u-old', ana, { lastMessageAt: NOW - 2 * 3600_000, lastInboundAt: NOW - 2 * 3600_000, lastMessagePreview: 'Aveți mărimea 38?' }),
    conversation('m1', eva, { assigneeId: 'a1', unreadCount: 2, windowExpiresAt: NOW + 30 * 60_000 }),
    conversation('m2', eva, { assigneeId: 'a1' }),
    conversation('o1', eva, { assigneeId: 'a2', unreadCount: 1 }),
  ])
}

async function mountPopup(): Promise<VueWrapper> {
  const wrapper = mount(App, { attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="popup-counts"], [data-testid="signed-out"]').exists()).toBe(true)
  })
  return wrapper
}

const count = (wrapper: VueWrapper, key: string) => wrapper.get(`[data-testid="count-${key}"] [data-testid="count-value"]`).text()
const names = (wrapper: VueWrapper, list: string) => wrapper.findAll(`[data-testid="popup-${list}"] [data-testid="name"]`).map(el => el.text())

describe('popup', () => {
  beforeEach(async () => {
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(undefined)
    vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 5 } as never)
    vi.useFakeTimers({
      now: NOW,
      toFake: ['Date'],
    })
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('signed out: a button to the settings', async () => {
    await authSessionStorage.setValue(null)
    const open = vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue()
    const wrapper = await mountPopup()
    await wrapper.get('[data-testid="open-options"]').trigger('click')
    expect(open).toHaveBeenCalledOnce()
    expect(wrapper.find('[data-testid="on-this-page"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows the counts, the queue oldest first and my unread chats', async () => {
    await seed()
    const wrapper = await mountPopup()
    expect(count(wrapper, 'unassigned')).toBe('2')
    expect(count(wrapper, 'mineUnread')).toBe('1')
    expect(count(wrapper, 'closingSoon')).toBe('1')
    expect(count(wrapper, 'failed')).toBe('0')
    expect(names(wrapper, 'queue')).toEqual(['Ana Pop', 'Ion Rus'])
    expect(wrapper.get('[data-testid="popup-queue"] [data-testid="age"]').text()).toContain('popup_waiting')
    expect(names(wrapper, 'mine')).toEqual(['Eva Stan'])
    expect(wrapper.get('[data-testid="on-this-page"]').text()).toContain('popup_onThisPage')
    wrapper.unmount()
  })

  it('assigns with one click: the local row, the outbox, and a push request', async () => {
    await seed()
    const wrapper = await mountPopup()
    await wrapper.get('[data-testid="popup-queue"] [data-id="u-old"] [data-testid="assign-to-me"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(names(wrapper, 'queue')).toEqual(['Ion Rus'])
    })
    expect((await db.conversations.get('u-old'))?.assigneeId).toBe('a1')
    expect((await db.outbox.toArray()).map(row => [row.type, row.args])).toEqual([
      [
        'conversation.assign',
        { conversationId: 'u-old', assigneeId: 'a1' },
      ],
    ])
    expect(fakeBrowser.runtime.sendMessage).toHaveBeenCalledWith({ type: 'wa-inbox:sync' })
    expect(count(wrapper, 'unassigned')).toBe('1')

    // the agent picker assigns to someone else
    const select = wrapper.get('[data-testid="popup-queue"] [data-id="u-new"] [data-testid="assign-to"]')
    await select.setValue('a2')
    await vi.waitFor(async () => {
      await flushPromises()
      expect((await db.conversations.get('u-new'))?.assigneeId).toBe('a2')
    })
    wrapper.unmount()
  })

  it('is keyboard usable: focus starts on the queue, arrows move, Enter opens in the panel', async () => {
    vi.stubEnv('BROWSER', 'chrome')
    const open = vi.fn(async () => {})
    ;(fakeBrowser as unknown as Record<string, unknown>).sidePanel = { open }
    await seed()
    const wrapper = await mountPopup()
    const rows = () => wrapper.findAll('[data-testid="popup-queue"] [data-row]')
    await vi.waitFor(() => expect(document.activeElement).toBe(rows()[0]!.element))
    expect(rows().map(row => row.attributes('tabindex'))).toEqual(['0', '-1'])
    await rows()[0]!.trigger('keydown', { key: 'ArrowDown' })
    await vi.waitFor(() => expect(document.activeElement).toBe(rows()[1]!.element))
    expect(rows().map(row => row.attributes('tabindex'))).toEqual(['-1', '0'])
    await rows()[1]!.trigger('keydown', { key: 'Enter' })
    await vi.waitFor(async () => {
      const stored = await fakeBrowser.storage.local.get('openConversationRequest')
      expect(stored.openConversationRequest).toMatchObject({ conversationId: 'u-new' })
    })
    expect(open).toHaveBeenCalledWith({ windowId: 5 })
    delete (fakeBrowser as unknown as Record<string, unknown>).sidePanel
    vi.unstubAllEnvs()
    wrapper.unmount()
  })

  it('sets my availability (and the idle watcher will not undo it)', async () => {
    await seed()
    await autoAwayStorage.setValue(true)
    const wrapper = await mountPopup()
    await wrapper.get('[data-testid="availability-away"]').setValue(true)
    await vi.waitFor(async () => {
      await flushPromises()
      expect((await db.agents.get('a1'))?.availability).toBe('away')
    })
    expect(await autoAwayStorage.getValue()).toBe(false)
    expect((await db.outbox.toArray()).map(row => row.type)).toEqual(['agent.setAvailability'])
    wrapper.unmount()
  })
})
