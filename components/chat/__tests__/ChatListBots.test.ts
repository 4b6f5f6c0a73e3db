import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import ChatList from '../ChatList.vue'
import { contact, conversation, NOW, session } from './fixtures'

beforeEach(async () => {
  // happy-dom has no layout: give the scrolling list a size so the virtualizer renders rows.
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600)
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(400)
  vi.spyOn(HTMLElement.prototype, 'scrollTo').mockImplementation(() => {})
  useEnglishMessages()
  vi.useFakeTimers({
    now: NOW,
    toFake: ['Date'],
  })
  await authSessionStorage.setValue(session())
})

afterEach(() => {
  vi.useRealTimers()
})

describe('chat list: the AI bot marker', () => {
  it('marks the chats the AI Bot answers: its contact has it on and it has not handed over', async () => {
    const ai = contact('c1', { name: 'Ana', aiBot: true })
    const handedOver = contact('c2', { name: 'Bogdan', aiBot: true })
    const off = contact('c3', { name: 'Carmen', aiBot: false })
    await db.contacts.bulkPut([ai, handedOver, off])
    await db.conversations.bulkPut([
      conversation('k1', ai, { lastMessageAt: NOW - 1000 }),
      conversation('k2', handedOver, {
        lastMessageAt: NOW - 2000,
        botHandover: { at: NOW - 5000, reason: 'low_confidence' },
      }),
      conversation('k3', off, { lastMessageAt: NOW - 3000 }),
    ])
    const wrapper = mount(ChatList, { attachTo: document.body })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="name"]')).toHaveLength(3)
    })
    const marked = () => wrapper.findAll('[role="option"]').filter(row => row.find('[data-testid="ai-bot"]').exists()).map(row => row.get('[data-testid="name"]').text())
    expect(marked()).toEqual(['Ana'])
    const marker = wrapper.get('[data-testid="ai-bot"]')
    expect(marker.text()).toBe('AI')
    expect(marker.attributes('title')).toBe('AI bot active')

    // The contact's switch follows sync: turned off, the marker goes.
    await db.contacts.update('c1', { aiBot: false })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(marked()).toEqual([])
    })
    wrapper.unmount()
  })
})
