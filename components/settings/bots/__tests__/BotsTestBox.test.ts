import type { VueWrapper } from '@vue/test-utils'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, session } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { authSessionStorage } from '~/utils/session'
import BotsTestBox from '../BotsTestBox.vue'
import { apiError, fakeApi, trace } from './fixtures'

async function run(wrapper: VueWrapper): Promise<void> {
  await wrapper.get('form').trigger('submit')
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.get('[data-testid="test-run"]').attributes('disabled')).toBeUndefined()
  })
}

beforeEach(async () => {
  useEnglishMessages()
  await authSessionStorage.setValue(session({
    agent: {
      ...agent('a2', 'Admin'),
      role: 'admin',
    },
  }))
})

describe('botsTestBox', () => {
  it('asks what the bots would do with a message, at a chosen time, and shows why', async () => {
    const api = fakeApi({
      'POST /api/bots/test': () => trace({
        hours: { open: true, local: 'Mon 10:15 Europe/Bucharest', holiday: false },
        rule: { id: 'r-price', name: 'Prices', pattern: 'pret*' },
        knowledge: [
          {
            entryId: 'e1',
            title: 'Delivery costs',
            passage: 'Delivery costs 15 lei.',
            score: 7.1,
            confidence: 0.8,
            matched: ['livrare', 'cost'],
          },
          {
            entryId: 'e2',
            title: 'Returns',
            passage: 'Returns within 14 days.',
            score: 1.2,
            confidence: 0.2,
            matched: [],
          },
        ],
        decision: {
          action: 'reply',
          bot: 'reply',
          source: 'rule',
          text: 'Our prices are online.',
          buttons: ['Talk to us'],
          handoverReason: null,
          silentReason: null,
        },
      }),
    })
    const wrapper = mount(BotsTestBox, { attachTo: document.body })
    await wrapper.get('[data-testid="test-text"]').setValue('Cât e prețul?')
    await wrapper.get('[data-testid="test-language"]').setValue('ro')
    await wrapper.get('[data-testid="test-at-choice"]').setValue(true)
    await wrapper.get('[data-testid="test-at"]').setValue('2025-03-03T10:15')
    await wrapper.get('[data-testid="test-ai-bot"]').setValue(false)
    await wrapper.get('[data-testid="test-new-conversation"]').setValue(true)
    await run(wrapper)

    expect(api.of('POST', '/api/bots/test')[0]!.body).toEqual({
      text: 'Cât e prețul?',
      language: 'ro',
      at: new Date('2025-03-03T10:15').getTime(),
      replyBot: true,
      aiBot: false,
      newConversation: true,
    })
    const result = wrapper.get('[data-testid="bots-trace"]')
    expect(result.attributes('data-action')).toBe('reply')
    expect(result.get('[data-testid="trace-decision"]').text()).toBe('Would reply: Reply Bot, by a rule.')
    expect(result.get('[data-testid="trace-text"]').text()).toBe('Our prices are online.')
    expect(result.findAll('[data-testid="trace-button"]').map(b => b.text())).toEqual(['Talk to us'])
    expect(result.get('[data-testid="trace-rule"]').text()).toBe('Prices · pattern “pret*”')
    expect(result.get('[data-testid="trace-hours"]').text()).toBe('Open · Mon 10:15 Europe/Bucharest')
    const hits = result.findAll('[data-testid="trace-hit"]')
    expect(hits.map(h => h.get('[data-testid="trace-confidence"]').text())).toEqual(['80%', '20%'])
    expect(hits[0]!.get('[role="meter"]').attributes('aria-valuetext')).toBe('80% (threshold 50%)')
    expect(hits[0]!.get('[role="meter"] > div').attributes('style')).toContain('width: 80%')
    expect(hits[0]!.get('[data-testid="trace-threshold"]').attributes('style')).toContain('50%')
    expect(hits[0]!.text()).toContain('Words found: livrare, cost')
    wrapper.unmount()
  })

  it('shows a hand-over and a silence with their reasons, and closed hours', async () => {
    let next = trace({
      handoverRequested: true,
      hours: { open: false, local: 'Thu 09:00 Europe/Bucharest', holiday: true },
      decision: {
        action: 'handover',
        bot: 'ai',
        source: 'handover',
        text: 'A colleague will answer you.',
        buttons: [],
        handoverReason: 'asked_for_human',
        silentReason: null,
      },
    })
    const api = fakeApi({
      'POST /api/bots/test': () => next,
    })
    const wrapper = mount(BotsTestBox, { attachTo: document.body })
    await wrapper.get('[data-testid="test-text"]').setValue('vreau un operator')
    await run(wrapper)
    // "Now" and a detected language: neither is sent.
    expect(api.of('POST', '/api/bots/test')[0]!.body).toEqual({
      text: 'vreau un operator',
      replyBot: true,
      aiBot: true,
      newConversation: false,
    })
    expect(wrapper.get('[data-testid="trace-decision"]').text()).toBe('Would hand over to a person: the customer asked for a person.')
    expect(wrapper.get('[data-testid="trace-hours"]').text()).toBe('Closed (holiday) · Thu 09:00 Europe/Bucharest')
    expect(wrapper.get('[data-testid="trace-handover-requested"]').text()).toBe('Yes')
    expect(wrapper.get('[data-testid="trace-rule"]').text()).toBe('No rule matched')

    next = trace()
    await run(wrapper)
    expect(wrapper.get('[data-testid="trace-decision"]').text()).toBe('Would stay silent: nothing matched.')
    expect(wrapper.find('[data-testid="trace-no-knowledge"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('asks for a text first, warns that unsaved changes are not tested, and shows errors', async () => {
    const api = fakeApi({
      'POST /api/bots/test': () => apiError(429, 'rate_limited'),
    })
    const wrapper = mount(BotsTestBox, {
      props: { dirty: true },
      attachTo: document.body,
    })
    expect(wrapper.get('[data-testid="test-saved-hint"]').text()).toContain('the test uses the saved settings')
    await run(wrapper)
    expect(wrapper.get('[data-testid="test-error"]').text()).toBe('Type a message to test.')
    expect(api.fetch).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="test-text"]').setValue('hello')
    await run(wrapper)
    expect(wrapper.get('[data-testid="test-error"]').text()).toBe('Too many requests. Wait a minute, then try again.')
    wrapper.unmount()
  })
})
