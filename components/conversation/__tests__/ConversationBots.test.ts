import type { VueWrapper } from '@vue/test-utils'
import type { Message } from '~/utils/db'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { db } from '~/utils/db'
import { resetMessageHistory } from '~/utils/messages/history'
import { authSessionStorage } from '~/utils/session'
import ConversationView from '../ConversationView.vue'
import { contact, conversation, fakeServer, message, NOW, session } from '../message/__tests__/fixtures'
import MessageContent from '../message/MessageContent.vue'

const ion = contact('c1', { name: 'Ion Popescu', aiBot: true })

async function mountView(messages: Message[], patch: Parameters<typeof conversation>[2] = {}): Promise<VueWrapper> {
  await db.contacts.put(ion)
  await db.conversations.put(conversation('k1', ion, { windowExpiresAt: NOW + 3_600_000, ...patch }))
  await db.messages.bulkPut(messages)
  vi.stubGlobal('fetch', fakeServer(messages).fetch)
  const wrapper = mount(ConversationView, {
    props: { conversationId: 'k1', back: false, contactOpen: false },
    attachTo: document.body,
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="message"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="composer"][data-ready]').exists()).toBe(true)
  })
  return wrapper
}

beforeEach(async () => {
  fakeBrowser.reset()
  resetMessageHistory()
  useEnglishMessages()
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

describe('bots in the conversation', () => {
  it('marks what each bot sent, and reads a bot\'s quick-reply buttons', async () => {
    const wrapper = await mountView([
      message('m1', {
        timestamp: NOW - 3000,
        content: { body: 'Cât costă livrarea?' },
      }),
      message('m2', {
        timestamp: NOW - 2000,
        direction: 'out',
        type: 'interactive',
        bot: 'reply',
        content: {
          interactiveType: 'button',
          body: 'Livrarea costă *15 lei*.',
          buttons: ['Comand acum', 'Vreau un om'],
        },
      }),
      message('m3', {
        timestamp: NOW - 1000,
        direction: 'out',
        bot: 'ai',
        content: { body: 'Vă pot ajuta cu altceva?' },
      }),
      message('m4', {
        timestamp: NOW - 500,
        direction: 'out',
        bot: null,
        content: { body: 'Bună, sunt Ana.' },
      }),
    ])
    const marks = wrapper.findAll('[data-testid="bot-mark"]')
    expect(marks.map(m => [
      m.element.closest('[data-message-id]')!.getAttribute('data-message-id'),
      m.attributes('data-bot'),
    ])).toEqual([
      ['m2', 'reply'],
      ['m3', 'ai'],
    ])
    expect(marks[0]!.text()).toContain('Reply Bot')
    expect(marks[1]!.attributes('title')).toBe('Sent automatically by the AI Bot')

    const interactive = wrapper.get('[data-message-id="m2"] [data-testid="interactive"]')
    expect(interactive.get('[data-testid="interactive-body"]').text()).toBe('Livrarea costă 15 lei.')
    expect(interactive.get('[data-testid="interactive-body"] strong').text()).toBe('15 lei')
    expect(interactive.get('[data-testid="interactive-buttons"]').attributes('aria-label')).toBe('Quick-reply buttons')
    expect(interactive.findAll('[data-testid="interactive-button"]').map(b => b.text())).toEqual(['Comand acum', 'Vreau un om'])
    // The AI Bot still answers this chat.
    expect(wrapper.find('[data-testid="handover-notice"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="ai-bot-notice"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('says when and why the AI Bot handed the chat over', async () => {
    const wrapper = await mountView([
      message('m1', { timestamp: NOW - 1000 }),
    ], {
      botHandover: { at: NOW - 120_000, reason: 'asked_for_human' },
    })
    const notice = wrapper.get('[data-testid="handover-notice"]')
    expect(notice.attributes('data-reason')).toBe('asked_for_human')
    expect(notice.text()).toContain('The AI Bot handed this chat over: the customer asked for a person')
    expect(notice.get('time').attributes('datetime')).toBe(new Date(NOW - 120_000).toISOString())
    // The composer no longer says the AI Bot answers.
    expect(wrapper.find('[data-testid="ai-bot-notice"]').exists()).toBe(false)

    // Sync clears it (an agent turned the AI Bot on again): the notice goes.
    await db.conversations.update('k1', { botHandover: null })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="handover-notice"]').exists()).toBe(false)
    })
    wrapper.unmount()
  })
})

describe('interactive messages', () => {
  it('keeps WhatsApp\'s own button replies and lists as before, and reads object buttons', () => {
    const reply = mount(MessageContent, {
      props: {
        message: message('m1', {
          type: 'interactive',
          content: { interactiveType: 'button_reply', id: 'yes', title: 'Yes, confirm' },
        }),
      },
    })
    expect(reply.find('[data-testid="interactive-buttons"]').exists()).toBe(false)
    expect(reply.get('[data-testid="interactive"]').text()).toBe('Yes, confirm')
    const objects = mount(MessageContent, {
      props: {
        message: message('m2', {
          type: 'interactive',
          direction: 'out',
          content: {
            body: 'Pick one',
            buttons: [
              {
                type: 'reply',
                reply: { id: 'a', title: 'A' },
              },
              { title: 'B' },
              42,
            ],
          },
        }),
      },
    })
    expect(objects.findAll('[data-testid="interactive-button"]').map(b => b.text())).toEqual(['A', 'B'])
  })
})
