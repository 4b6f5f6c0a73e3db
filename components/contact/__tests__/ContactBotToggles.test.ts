import { mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { contact } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import ContactBotToggles from '../ContactBotToggles.vue'

const pending = { aiBot: null, replyBot: null }

beforeEach(() => {
  useEnglishMessages()
})

describe('botToggles: the AI Bot in this chat', () => {
  it('says the AI Bot is active when it is on and has not handed over', () => {
    const wrapper = mount(ContactBotToggles, {
      props: {
        contact: contact('c1', { aiBot: true }),
        pending,
      },
    })
    const state = wrapper.get('[data-testid="ai-bot-state"]')
    expect(state.attributes('data-state')).toBe('active')
    expect(state.text()).toBe('AI bot active in this chat')
    // Only under the AI Bot's switch.
    expect(wrapper.get('[data-bot="aiBot"]').find('[data-testid="ai-bot-state"]').exists()).toBe(true)
  })

  it('says why and when it handed over', () => {
    const at = Date.UTC(2025, 0, 15, 9, 30)
    const wrapper = mount(ContactBotToggles, {
      props: {
        contact: contact('c1', { aiBot: true }),
        pending,
        handover: { at, reason: 'max_turns' },
      },
    })
    const state = wrapper.get('[data-testid="ai-bot-state"]')
    expect(state.attributes('data-state')).toBe('handed-over')
    expect(state.text()).toBe(`Handed over: it answered too many times in a row (${new Date(at).toLocaleString('en', { dateStyle: 'short', timeStyle: 'short' })})`)
  })

  it('says nothing while the AI Bot is off for the contact', () => {
    const wrapper = mount(ContactBotToggles, {
      props: {
        contact: contact('c1', { aiBot: false }),
        pending,
        handover: { at: 1, reason: 'asked_for_human' },
      },
    })
    expect(wrapper.find('[data-testid="ai-bot-state"]').exists()).toBe(false)
  })
})
