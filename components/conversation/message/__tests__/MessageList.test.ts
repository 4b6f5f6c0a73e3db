import type { VueWrapper } from '@vue/test-utils'
import type { Message } from '~/utils/db'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { db } from '~/utils/db'
import { enqueue } from '~/utils/db/outbox'
import { resetMessageHistory } from '~/utils/messages/history'
import { authSessionStorage } from '~/utils/session'
import MessageList from '../MessageList.vue'
import { agent, contact, conversation, fakeServer, history, message, NOW, session } from './fixtures'

const ROW_HEIGHT = 60
const VIEW_HEIGHT = 600

async function seed(messages: Message[]): Promise<void> {
  await db.agents.bulkPut([
    agent('a1', 'Ana Pop'),
    agent('a2', 'Bogdan Rus'),
  ])
  await db.contacts.put(contact('c1', { name: 'Ion Popescu' }))
  await db.conversations.put(conversation('k1', contact('c1', { name: 'Ion Popescu' })))
  await db.messages.bulkPut(messages)
}

async function mountList(): Promise<VueWrapper> {
  const wrapper = mount(MessageList, {
    props: { conversationId: 'k1' },
    attachTo: document.body,
  })
  await until(wrapper, () => expect(wrapper.find('[data-testid="message-log"], [data-testid="messages-empty"], [data-testid="messages-error"]').exists()).toBe(true))
  return wrapper
}

async function until(_wrapper: VueWrapper, check: () => void, timeout = 2000): Promise<void> {
  await vi.waitFor(async () => {
    await flushPromises()
    check()
  }, { timeout })
}

function messageIds(wrapper: VueWrapper): string[] {
  return wrapper.findAll('[data-testid="message"]').map(el => el.attributes('data-message-id')!)
}

function log(wrapper: VueWrapper): HTMLElement {
  return wrapper.get('[data-testid="message-log"]').element as HTMLElement
}

describe('messageList', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    resetMessageHistory()
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => {
      const values = [substitutions ?? []].flat()
      return [name, ...values].join(' ')
    })
    vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('en')
    // happy-dom has no layout: every message row is ROW_HEIGHT high, the view VIEW_HEIGHT.
    vi.spyOn(HTMLElement.prototype, 'scrollHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.querySelectorAll('[data-testid="message"]').length * ROW_HEIGHT
    })
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(VIEW_HEIGHT)
    vi.useFakeTimers({
      now: NOW,
      toFake: ['Date'],
    })
    await Promise.all(db.tables.map(table => table.clear()))
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('shows the empty state of a conversation without messages', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed([])
    const wrapper = await mountList()
    await until(wrapper, () => expect(wrapper.find('[data-testid="messages-empty"]').exists()).toBe(true))
    expect(wrapper.get('[data-testid="messages-empty"]').text()).toContain('conversation_message_list_empty')
    wrapper.unmount()
  })

  it('shows loading, then an error with a retry that loads the history', async () => {
    let fail = true
    const server = fakeServer(history(3, NOW - 3 * 60_000), {
      fail: () => fail,
    })
    vi.stubGlobal('fetch', server.fetch)
    await seed([])
    const wrapper = mount(MessageList, {
      props: { conversationId: 'k1' },
      attachTo: document.body,
    })
    expect(wrapper.find('[data-testid="messages-loading"]').exists()).toBe(true)
    await until(wrapper, () => expect(wrapper.find('[data-testid="messages-error"]').exists()).toBe(true))
    expect(wrapper.get('[data-testid="messages-error"]').text()).toContain('conversation_message_list_error internal_error')

    fail = false
    await wrapper.get('[data-testid="messages-retry"]').trigger('click')
    await until(wrapper, () => expect(messageIds(wrapper)).toEqual(['m0001', 'm0002', 'm0003']))
    expect(wrapper.find('[data-testid="history-start"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('is a labelled log with day separators', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    const day = 24 * 3600_000
    await seed([
      message('old', { timestamp: NOW - 40 * day }),
      message('week', { timestamp: NOW - 3 * day }),
      message('y1', { timestamp: NOW - day }),
      message('y2', { timestamp: NOW - day + 60_000 }),
      message('t1', { timestamp: NOW - 60_000 }),
    ])
    const wrapper = await mountList()
    const logEl = wrapper.get('[data-testid="message-log"]')
    expect(logEl.attributes('role')).toBe('log')
    expect(logEl.attributes('aria-label')).toBe('conversation_message_list_label')
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(5))
    expect(wrapper.findAll('[data-testid="day-separator"]').map(el => el.text())).toEqual([
      'December 6, 2024',
      'Sunday',
      'conversation_message_list_yesterday',
      'conversation_message_list_today',
    ])
    wrapper.unmount()
  })

  it('aligns outbound messages right with the agent\'s name and ticks per status', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    const statuses = ['sent', 'delivered', 'read', 'played'] as const
    await seed([
      message('in1', { timestamp: NOW - 10 * 60_000 }),
      ...statuses.map((status, index) => message(`out-${status}`, {
        direction: 'out',
        status,
        senderId: index % 2
          ? 'a2'
          : 'a1',
        timestamp: NOW - (9 - index) * 60_000,
      })),
    ])
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(5))
    const inbound = wrapper.get('[data-message-id="in1"]')
    expect(inbound.classes()).toContain('items-start')
    expect(inbound.find('[data-testid="ticks"]').exists()).toBe(false)
    expect(inbound.find('[data-testid="sender"]').exists()).toBe(false)
    for (const [index, status] of statuses.entries()) {
      const bubble = wrapper.get(`[data-message-id="out-${status}"]`)
      expect(bubble.classes()).toContain('items-end')
      expect(bubble.find('.bg-primary-soft').exists()).toBe(true)
      expect(bubble.get('[data-testid="ticks"]').attributes('data-state')).toBe(status)
      expect(bubble.get('[data-testid="sender"]').text()).toBe(index % 2
        ? 'Bogdan Rus'
        : 'Ana Pop')
    }
    wrapper.unmount()
  })

  it('explains a failed message and sends it again as a new message', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed([
      message('f1', {
        direction: 'out',
        status: 'failed',
        senderId: 'a1',
        clientId: 'c-1',
        error: { code: 131026, title: 'Message undeliverable' },
        content: { body: 'Salut' },
        timestamp: NOW - 2 * 60_000,
      }),
      message('f2', {
        direction: 'out',
        status: 'failed',
        senderId: 'a1',
        error: { code: 131047, title: 'Re-engagement message' },
        content: { body: 'Late' },
        timestamp: NOW - 60_000,
      }),
    ])
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(2))
    const first = wrapper.get('[data-message-id="f1"]')
    expect(first.get('[data-testid="ticks"]').attributes('aria-label')).toBe('conversation_message_status_failedReason conversation_message_whatsappErrors_code131026')
    expect(first.get('[data-testid="failure-reason"]').text()).toBe('conversation_message_whatsappErrors_code131026')
    // a free-form message outside the window would only fail again
    expect(wrapper.get('[data-message-id="f2"] [data-testid="failure-reason"]').text()).toBe('conversation_message_whatsappErrors_code131047')
    expect(wrapper.find('[data-message-id="f2"] [data-testid="send-again"]').exists()).toBe(false)

    await first.get('[data-testid="send-again"]').trigger('click')
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(3))
    const copyId = messageIds(wrapper)[2]!
    expect(copyId).not.toBe('c-1')
    const copy = wrapper.get(`[data-message-id="${copyId}"]`)
    expect(copy.get('[data-testid="text"]').text()).toBe('Salut')
    expect(copy.get('[data-testid="ticks"]').attributes('data-state')).toBe('queued')
    const outbox = await db.outbox.toArray()
    expect(outbox).toHaveLength(1)
    expect(outbox[0]!.args).toMatchObject({
      conversationId: 'k1',
      message: { clientId: copyId, type: 'text', text: 'Salut' },
    })
    wrapper.unmount()
  })

  it('offers retry and discard for a send the server refused', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed([
      message('m1', { timestamp: NOW - 60_000 }),
    ])
    const local = message('client-1', {
      clientId: 'client-1',
      direction: 'out',
      status: 'pending',
      wamid: null,
      senderId: 'a1',
      timestamp: NOW,
      content: { body: 'Hello' },
    })
    const row = await enqueue(db, 'message.send', {
      conversationId: 'k1',
      message: { clientId: 'client-1', type: 'text', text: 'Hello' },
    }, {
      apply: () => db.messages.put(local),
    })
    await db.outbox.update(row.seq, {
      state: 'failed',
      error: { code: 'window_closed', message: 'closed' },
    })
    const wrapper = await mountList()
    await until(wrapper, () => expect(wrapper.find('[data-testid="outbox-retry"]').exists()).toBe(true))
    const bubble = wrapper.get('[data-message-id="client-1"]')
    expect(bubble.get('[data-testid="failure-reason"]').text()).toBe('conversation_message_outboxErrors_windowClosed')
    expect(bubble.get('[data-testid="ticks"]').attributes('data-state')).toBe('failed')
    expect(bubble.find('[data-testid="send-again"]').exists()).toBe(false)

    await bubble.get('[data-testid="outbox-retry"]').trigger('click')
    await until(wrapper, () => expect(wrapper.get('[data-message-id="client-1"] [data-testid="ticks"]').attributes('data-state')).toBe('queued'))
    expect((await db.outbox.get(row.seq))!.state).toBe('queued')

    await db.outbox.update(row.seq, {
      state: 'failed',
      error: { code: 'offline', message: 'x' },
    })
    await until(wrapper, () => expect(wrapper.find('[data-testid="outbox-discard"]').exists()).toBe(true))
    await wrapper.get('[data-testid="outbox-discard"]').trigger('click')
    await until(wrapper, () => expect(messageIds(wrapper)).toEqual(['m1']))
    expect(await db.outbox.count()).toBe(0)
    wrapper.unmount()
  })

  it('shows reactions and a quote that jumps to the replied message', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed([
      message('q', {
        timestamp: NOW - 5 * 60_000,
        content: { body: 'Do you deliver?' },
        reaction: '👍',
      }),
      message('r', {
        direction: 'out',
        senderId: 'a1',
        timestamp: NOW - 4 * 60_000,
        content: { body: 'Yes' },
        context: { id: 'wamid.q', messageId: 'q' },
      }),
      message('x', {
        type: 'reaction',
        direction: 'out',
        timestamp: NOW - 3 * 60_000,
        content: { messageId: 'wamid.q', targetId: 'q', emoji: '🙏' },
      }),
      message('y', {
        timestamp: NOW - 2 * 60_000,
        context: { from: '40722', id: 'wamid.missing' },
      }),
    ])
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toEqual(['q', 'r', 'y']))
    expect(wrapper.get('[data-message-id="q"] [data-testid="reaction"]').text()).toBe('👍')
    expect(wrapper.get('[data-message-id="q"] [data-testid="agent-reaction"]').text()).toBe('🙏')
    const quote = wrapper.get('[data-message-id="r"] [data-testid="quote"]')
    expect(quote.get('[data-testid="quote-author"]').text()).toBe('Ion Popescu')
    expect(quote.get('[data-testid="quote-text"]').text()).toBe('Do you deliver?')
    expect(wrapper.find('[data-message-id="y"] [data-testid="quote-missing"]').exists()).toBe(true)

    await quote.trigger('click')
    await until(wrapper, () => expect(document.activeElement?.getAttribute('data-message-id')).toBe('q'))
    expect(wrapper.get('[data-message-id="q"]').attributes('tabindex')).toBe('0')
    wrapper.unmount()
  })

  it('moves focus between messages with the arrow keys and replies with R', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed(history(3, NOW - 3 * 60_000))
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(3))
    // one Tab stop: the newest message
    expect(wrapper.findAll('[data-testid="message"][tabindex="0"]').map(el => el.attributes('data-message-id'))).toEqual(['m0003'])
    const last = wrapper.get('[data-message-id="m0003"]')
    ;(last.element as HTMLElement).focus()
    await last.trigger('keydown', { key: 'ArrowUp' })
    await until(wrapper, () => expect(document.activeElement?.getAttribute('data-message-id')).toBe('m0002'))
    await wrapper.get('[data-message-id="m0002"]').trigger('keydown', { key: 'r' })
    expect(wrapper.emitted('reply')).toEqual([
      ['m0002'],
    ])
    // R typed on a button inside a bubble is not a reply
    await wrapper.get('[data-message-id="m0002"] [data-testid="reply"]').trigger('keydown', { key: 'r' })
    expect(wrapper.emitted('reply')).toHaveLength(1)
    await wrapper.get('[data-message-id="m0001"] [data-testid="reply"]').trigger('click')
    expect(wrapper.emitted('reply')).toEqual([
      ['m0002'],
      ['m0001'],
    ])
    wrapper.unmount()
  })

  it('loads older pages above without moving what is on screen', async () => {
    const all = history(120, NOW - 200 * 60_000)
    const server = fakeServer(all)
    vi.stubGlobal('fetch', server.fetch)
    await seed([])
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(50))
    const el = log(wrapper)
    // started at the bottom
    expect(el.scrollTop).toBe(50 * ROW_HEIGHT)

    el.scrollTop = 100
    await wrapper.get('[data-testid="message-log"]').trigger('scroll')
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(100))
    expect(server.requests).toEqual([null, '50'])
    // the same message stays where it was: 50 rows were added above
    expect(el.scrollTop).toBe(100 + 50 * ROW_HEIGHT)
    expect(messageIds(wrapper)).toEqual(all.slice(20).map(item => item.id))

    await wrapper.get('[data-testid="load-older"]').trigger('click')
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(120))
    expect(new Set(messageIds(wrapper)).size).toBe(120)
    expect(wrapper.find('[data-testid="history-start"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('follows new messages at the bottom, and offers a jump to them otherwise', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed(history(60, NOW - 120 * 60_000))
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(50))
    const el = log(wrapper)
    expect(el.scrollTop).toBe(50 * ROW_HEIGHT)
    expect(wrapper.find('[data-testid="jump-to-latest"]').exists()).toBe(false)

    await db.messages.put(message('new1', { timestamp: NOW }))
    // the window widens: nothing drops out at the top
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(51))
    expect(messageIds(wrapper).at(-1)).toBe('new1')
    await until(wrapper, () => expect(el.scrollTop).toBe(51 * ROW_HEIGHT))

    el.scrollTop = 1000
    await wrapper.get('[data-testid="message-log"]').trigger('scroll')
    const jump = wrapper.get('[data-testid="jump-to-latest"]')
    expect(jump.attributes('aria-label')).toBe('conversation_message_list_jumpToLatest')
    await db.messages.put(message('new2', { timestamp: NOW + 1 }))
    await until(wrapper, () => expect(messageIds(wrapper).at(-1)).toBe('new2'))
    await until(wrapper, () => expect(wrapper.find('[data-testid="unseen"]').exists()).toBe(true))
    expect(el.scrollTop).toBe(1000)

    await wrapper.get('[data-testid="jump-to-latest"]').trigger('click')
    await until(wrapper, () => expect(el.scrollTop).toBe(52 * ROW_HEIGHT))
    await until(wrapper, () => expect(wrapper.find('[data-testid="jump-to-latest"]').exists()).toBe(false))
    wrapper.unmount()
  })

  // happy-dom builds the 1,000 bubbles in a few seconds (a browser in a fraction of that). Time is
  // measured by `npm run bench`, not here: this checks that one update touches one bubble.
  it('renders a thousand loaded messages and updates one in place', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await seed(history(1000, NOW - 1000 * 60_000))
    const wrapper = await mountList()
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(50))
    for (let page = 0; page < 19; page++)
      await wrapper.get('[data-testid="load-older"]').trigger('click')
    await until(wrapper, () => expect(messageIds(wrapper)).toHaveLength(1000), 20_000)

    const neighbour = wrapper.get('[data-message-id="m0998"]').element
    await db.messages.update('m0999', {
      content: { body: 'edited' },
    })
    await until(wrapper, () => expect(wrapper.get('[data-message-id="m0999"] [data-testid="text"]').text()).toBe('edited'))
    // the other bubbles are the same DOM nodes: nothing else was rebuilt
    expect(wrapper.get('[data-message-id="m0998"]').element).toBe(neighbour)
    expect(messageIds(wrapper)).toHaveLength(1000)
    wrapper.unmount()
  }, 30_000)
})
