import type { VueWrapper } from '@vue/test-utils'
import type { BotSettingsInput } from '~/protocol/bots'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, session, team } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import { apiError, botSettings, fakeApi } from '../bots/__tests__/fixtures'
import BotsSettingsPanel from '../bots/BotsSettingsPanel.vue'
import SettingsBots from '../SettingsBots.vue'

const admin = session({
  agent: {
    ...agent('a2', 'Admin'),
    role: 'admin',
  },
})

/** The settings API plus an empty knowledge base; PUT answers what was sent, the key as `apiKeySet`. */
function server(options: { put?: (body: BotSettingsInput) => Response | undefined } = {}) {
  return fakeApi({
    'GET /api/bots': () => botSettings(),
    'PUT /api/bots': ({ body }) => {
      const input = body as BotSettingsInput
      const refusal = options.put?.(input)
      if (refusal)
        return refusal
      const { apiKey, ...provider } = input.aiBot.provider ?? { apiKey: undefined }
      return {
        ...input,
        aiBot: {
          ...input.aiBot,
          provider: input.aiBot.provider
            ? {
                ...provider,
                apiKeySet: apiKey === undefined
                  ? true
                  : apiKey !== null,
              }
            : null,
        },
      }
    },
    'GET /api/bots/knowledge': () => ({ items: [], nextCursor: null }),
  })
}

async function mountPanel(): Promise<VueWrapper> {
  const wrapper = mount(BotsSettingsPanel, { attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="bots-form"], [data-testid="bots-load-error"]').exists()).toBe(true)
  })
  return wrapper
}

async function save(wrapper: VueWrapper): Promise<void> {
  await wrapper.get('[data-testid="bots-form"]').trigger('submit')
  await flushPromises()
  await vi.waitFor(() => expect(wrapper.get('[data-testid="bots-save-state"]').attributes('data-state')).not.toBe('saving'))
}

function rule(wrapper: VueWrapper, index: number) {
  return wrapper.findAll('[data-testid="rule"]')[index]!
}

function fieldError(wrapper: VueWrapper, path: string): string | undefined {
  const error = wrapper.find(`[data-field="${path}"] > [data-testid="field-error"]`)
  return error.exists()
    ? error.text()
    : undefined
}

beforeEach(async () => {
  useEnglishMessages()
  await authSessionStorage.setValue(admin)
})

describe('settingsBots', () => {
  it('shows nothing to an agent and never asks the server', async () => {
    await authSessionStorage.setValue(session({
      agent: agent('a1', 'Ana Pop'),
    }))
    const api = server()
    const wrapper = mount(SettingsBots, { attachTo: document.body })
    await flushPromises()
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(wrapper.find('[data-testid="settings-bots"]').exists()).toBe(false)
    expect(api.fetch).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('shows an admin the settings as the server holds them', async () => {
    const api = server()
    const wrapper = mount(SettingsBots, { attachTo: document.body })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="bots-form"]').exists()).toBe(true)
    })
    expect(api.of('GET', '/api/bots')).toHaveLength(1)
    expect(wrapper.findAll('[data-testid="rule-title"]').map(el => el.text())).toEqual(['Prices', 'Opening hours'])
    expect((wrapper.get('[data-testid="time-zone"]').element as HTMLSelectElement).value).toBe('Europe/Bucharest')
    expect(wrapper.get('[data-testid="bots-provider"]').text()).toContain('A key is set')
    expect(wrapper.get('[data-testid="holidays"]').text()).toContain('2025')
    // Nothing changed yet: nothing to save.
    expect(wrapper.get('[data-testid="bots-save"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('says why the settings did not load, and tries again', async () => {
    let fail = true
    fakeApi({
      'GET /api/bots': () => fail
        ? apiError(403, 'forbidden')
        : botSettings(),
      'GET /api/bots/knowledge': () => ({ items: [], nextCursor: null }),
    })
    const wrapper = await mountPanel()
    expect(wrapper.get('[data-testid="bots-load-error"]').text()).toContain('Only admins can change the bots.')
    fail = false
    await wrapper.get('[data-testid="bots-load-error"] button').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="bots-form"]').exists()).toBe(true)
    })
    wrapper.unmount()
  })

  it('saves the whole settings; the provider key is sent only when typed or cleared', async () => {
    const api = server()
    const wrapper = await mountPanel()
    await wrapper.get('[data-testid="ai-max-turns"]').setValue('5')
    await wrapper.get('[data-testid="bots-ai"] input[role="switch"]').setValue(false)
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toBe('Unsaved changes.')
    await save(wrapper)

    const [put] = api.of('PUT', '/api/bots')
    const body = put!.body as BotSettingsInput
    expect(body.aiBot).toMatchObject({
      enabled: false,
      maxTurns: 5,
      handoverPhrases: ['operator'],
    })
    expect(body.aiBot.provider).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiVersion: null,
      auth: 'bearer',
      timeoutMs: 15_000,
      systemPrompt: '',
    })
    // What came in goes back unchanged: rules, midnight, holidays, texts without a language.
    expect(body.replyBot.rules).toEqual(botSettings().replyBot.rules.map(r => ({
      ...r,
      reply: { template: null, ...r.reply },
    })))
    expect(body.hours).toEqual(botSettings().hours)
    expect(body.replyBot.away.text).toEqual({ default: 'We are closed.' })
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toBe('Saved.')
    expect(wrapper.get('[data-testid="bots-save"]').attributes('disabled')).toBeDefined()

    await wrapper.get('[data-testid="provider-api-key"]').setValue('sk-new')
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[1]!.body as BotSettingsInput).aiBot.provider!.apiKey).toBe('sk-new')
    expect((wrapper.get('[data-testid="provider-api-key"]').element as HTMLInputElement).value).toBe('')

    await wrapper.get('[data-testid="provider-clear-key"]').trigger('click')
    expect(wrapper.get('[data-testid="bots-provider"]').text()).toContain('The stored key will be removed when you save.')
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[2]!.body as BotSettingsInput).aiBot.provider!.apiKey).toBeNull()
    expect(wrapper.get('[data-testid="bots-provider"]').text()).toContain('No key is set.')
    wrapper.unmount()
  })

  it('checks the fields before sending and shows each problem next to its field', async () => {
    const api = server()
    const wrapper = await mountPanel()
    await wrapper.get('[data-testid="rule-add"]').trigger('click')
    await flushPromises()
    const added = rule(wrapper, 2)
    // The new rule opens with its name focused.
    expect(document.activeElement).toBe(added.get('[data-testid="rule-name"]').element)
    await wrapper.get('[data-testid="agent-quiet"]').setValue('-1')
    await save(wrapper)

    expect(api.of('PUT', '/api/bots')).toHaveLength(0)
    expect(fieldError(wrapper, 'replyBot.rules.2.name')).toBe('Fill this in.')
    expect(fieldError(wrapper, 'replyBot.rules.2.patterns')).toBe('Fill this in.')
    expect(fieldError(wrapper, 'replyBot.rules.2.reply.text')).toBe('Fill this in.')
    expect(fieldError(wrapper, 'agentQuietMinutes')).toBe('Enter a whole number from 0 to 10080.')
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toBe('Some settings need attention: 4. They are marked in red.')
    await vi.waitFor(() => expect(document.activeElement).toBe(added.get('[data-testid="rule-name"]').element))
    expect(added.get('[data-testid="rule-name"]').attributes('aria-invalid')).toBe('true')

    // Fixing a field clears its problem as the admin types.
    await added.get('[data-testid="rule-name"]').setValue('Delivery')
    expect(fieldError(wrapper, 'replyBot.rules.2.name')).toBeUndefined()
    await added.get('[data-testid="rule-match"]').setValue('regex')
    await added.get('[data-testid="rule-patterns"]').setValue('livrare\n(curier')
    expect(fieldError(wrapper, 'replyBot.rules.2.patterns')).toBe('“(curier” is not a valid regular expression (look-arounds and back-references are not supported).')
    wrapper.unmount()
  })

  it('shows the server\'s invalid_pattern on the pattern box of that rule, unfolding it', async () => {
    const api = server({
      put: body => body.replyBot.rules[1]!.patterns[1] === 'open(ing)? hours'
        ? apiError(400, 'invalid_pattern', {
            field: 'replyBot.rules.1.patterns.1',
            details: { reason: 'unsafe' },
          })
        : undefined,
    })
    const wrapper = await mountPanel()
    // Both rules start folded.
    expect(wrapper.findAll('[data-testid="rule-editor"]')).toHaveLength(0)
    await wrapper.get('[data-testid="max-per-hour"]').setValue('10')
    await save(wrapper)

    expect(api.of('PUT', '/api/bots')).toHaveLength(1)
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toContain('A regular expression cannot be used.')
    await vi.waitFor(() => expect(fieldError(wrapper, 'replyBot.rules.1.patterns')).toBe('“open(ing)? hours” could take too long to match (nested repetition). Simplify it.'))
    const hours = rule(wrapper, 1)
    expect(hours.find('[data-testid="rule-editor"]').exists()).toBe(true)
    await vi.waitFor(() => expect(document.activeElement).toBe(hours.get('[data-testid="rule-patterns"]').element))

    // Another pattern: the server's complaint no longer applies.
    await hours.get('[data-testid="rule-patterns"]').setValue('\\bprogram\\b\nopening hours')
    expect(fieldError(wrapper, 'replyBot.rules.1.patterns')).toBeUndefined()
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[1]!.body as BotSettingsInput).replyBot.rules[1]!.patterns).toEqual(['\\bprogram\\b', 'opening hours'])
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toBe('Saved.')
    wrapper.unmount()
  })

  it('shows a field the server refused (invalid_request) next to it, and one no field covers under Save', async () => {
    let field = 'hours.schedule.1.to'
    server({
      put: () => apiError(400, 'invalid_request', { field }),
    })
    const wrapper = await mountPanel()
    await wrapper.get('[data-testid="max-per-hour"]').setValue('10')
    await save(wrapper)
    expect(fieldError(wrapper, 'hours.schedule.1')).toBe('The server refused this value. Check it.')
    expect(wrapper.get('[data-testid="bots-save-state"]').text()).toContain('The server refused some settings.')

    field = 'somethingNew'
    await save(wrapper)
    expect(wrapper.get('[data-testid="bots-orphan-issues"]').text()).toBe('The server refused this value. Check it.')
    wrapper.unmount()
  })

  it('reorders, turns off and deletes rules, keeping the keyboard on the moved rule', async () => {
    const api = server()
    const wrapper = await mountPanel()
    await rule(wrapper, 0).get('[data-action="down"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="rule-title"]').map(el => el.text())).toEqual(['Opening hours', 'Prices'])
    // Now last, it cannot go further down: the keyboard is on its "up" button.
    expect(document.activeElement).toBe(rule(wrapper, 1).get('[data-action="up"]').element)
    await rule(wrapper, 1).get('[data-action="up"]').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(rule(wrapper, 0).get('[data-action="down"]').element)
    await rule(wrapper, 0).get('[data-action="down"]').trigger('click')
    await flushPromises()
    await rule(wrapper, 0).get('[data-testid="rule-enabled"]').setValue(true)
    await rule(wrapper, 1).get('[data-action="delete"]').trigger('click')
    await save(wrapper)
    const rules = (api.of('PUT', '/api/bots')[0]!.body as BotSettingsInput).replyBot.rules
    expect(rules.map(r => [r.id, r.enabled])).toEqual([
      ['r-hours', true],
    ])
    wrapper.unmount()
  })

  it('edits a rule\'s reply buttons and template, and discards changes', async () => {
    const api = server()
    const wrapper = await mountPanel()
    const prices = rule(wrapper, 0)
    await prices.get('[data-action="edit"]').trigger('click')
    expect(prices.get('[data-action="edit"]').attributes('aria-expanded')).toBe('true')
    await prices.get('[data-testid="rule-add-button"]').trigger('click')
    await prices.get('[data-testid="rule-button-1"]').setValue('A way too long button title')
    expect((prices.get('[data-testid="rule-button-1"]').element as HTMLInputElement).maxLength).toBe(20)
    await prices.get('[data-testid="rule-button-1"]').setValue('Call me')
    await prices.get('[data-testid="rule-template-toggle"]').setValue(true)
    await prices.get('[data-testid="rule-template-name"]').setValue('price_list')
    await prices.get('[data-testid="rule-template-language"]').setValue('en')
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[0]!.body as BotSettingsInput).replyBot.rules[0]!.reply).toEqual({
      text: 'Our prices are on shop.example.com/prices',
      buttons: ['Talk to us', 'Call me'],
      template: { name: 'price_list', language: 'en' },
    })

    await wrapper.get('[data-testid="agent-quiet"]').setValue('5')
    await wrapper.get('[data-testid="bots-discard"]').trigger('click')
    expect((wrapper.get('[data-testid="agent-quiet"]').element as HTMLInputElement).value).toBe('30')
    expect(wrapper.get('[data-testid="bots-save"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('edits business hours: spans per weekday and holidays', async () => {
    const api = server()
    const wrapper = await mountPanel()
    const monday = wrapper.get('[data-testid="schedule"] [data-day="1"]')
    expect(monday.findAll('[data-testid="span-from"]')).toHaveLength(1)
    await monday.get('[data-testid="span-add"]').trigger('click')
    await flushPromises()
    const [, added] = monday.findAll('[data-testid="span-to"]')
    // A new span starts where the day's last one ends.
    expect((monday.findAll('[data-testid="span-from"]')[1]!.element as HTMLInputElement).value).toBe('17:00')
    await added!.setValue('16:00')
    await save(wrapper)
    expect(api.of('PUT', '/api/bots')).toHaveLength(0)
    expect(fieldError(wrapper, 'hours.schedule.2')).toBe('The end must be after the start.')
    await added!.setValue('19:30')

    const saturday = wrapper.get('[data-testid="schedule"] [data-day="6"]')
    expect(saturday.text()).toContain('Closed')
    await wrapper.get('[data-testid="holiday-new"]').setValue('2025-01-01')
    await wrapper.get('[data-testid="holiday-add"]').trigger('click')
    await wrapper.get('[data-testid="time-zone"]').setValue('Europe/London')
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[0]!.body as BotSettingsInput).hours).toEqual({
      timeZone: 'Europe/London',
      schedule: [
        { day: 1, from: '09:00', to: '17:00' },
        { day: 2, from: '09:00', to: '24:00' },
        { day: 1, from: '17:00', to: '19:30' },
      ],
      holidays: ['2025-01-01', '2025-12-25'],
    })
    wrapper.unmount()
  })

  it('offers the synced teams for hand-over', async () => {
    await db.teams.bulkPut([
      team('t1', 'Sales'),
      team('t2', 'Support'),
    ])
    const api = server()
    const wrapper = await mountPanel()
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="handover-team"] option').map(o => o.text())).toEqual(['No team (unassigned)', 'Sales', 'Support']))
    await wrapper.get('[data-testid="handover-team"]').setValue('t2')
    await save(wrapper)
    expect((api.of('PUT', '/api/bots')[0]!.body as BotSettingsInput).handoverTeamId).toBe('t2')
    wrapper.unmount()
  })
})
