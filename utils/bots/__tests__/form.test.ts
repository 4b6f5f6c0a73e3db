import { describe, expect, it } from 'vitest'
import { botSettings } from '~/components/settings/bots/__tests__/fixtures'
import { fieldForPath, newRule, spanForm, toBotForm, toBotSettingsInput, validateBotForm, valueAtPath } from '../form'

describe('bot settings form', () => {
  it('turns what the server answers back into the same settings', () => {
    const settings = botSettings()
    const input = toBotSettingsInput(toBotForm(settings))
    const { apiKeySet: _, ...provider } = settings.aiBot.provider!
    expect(input).toEqual({
      ...settings,
      replyBot: {
        ...settings.replyBot,
        rules: settings.replyBot.rules.map(rule => ({
          ...rule,
          reply: { template: null, ...rule.reply },
        })),
      },
      aiBot: { ...settings.aiBot, provider },
    })
  })

  it('reads a span ending at midnight as 00:00 and sends it as 24:00', () => {
    const form = toBotForm(botSettings())
    expect(form.hours.schedule.map(s => s.to)).toEqual(['17:00', '00:00'])
    form.hours.schedule.push(spanForm(5, '20:00', '00:00'))
    expect(toBotSettingsInput(form).hours.schedule.at(-1)).toEqual({ day: 5, from: '20:00', to: '24:00' })
    expect(validateBotForm(form)).toEqual({})
  })

  it('sends the provider key only when typed (a new one) or cleared (null)', () => {
    const form = toBotForm(botSettings())
    expect(toBotSettingsInput(form).aiBot.provider).not.toHaveProperty('apiKey')
    form.aiBot.provider.apiKey = '  sk-123 '
    expect(toBotSettingsInput(form).aiBot.provider!.apiKey).toBe('sk-123')
    form.aiBot.provider.clearKey = true
    expect(toBotSettingsInput(form).aiBot.provider!.apiKey).toBeNull()
    form.aiBot.provider.enabled = false
    expect(toBotSettingsInput(form).aiBot.provider).toBeNull()
  })

  it('keeps one pattern per non-blank line and drops empty optional texts', () => {
    const form = toBotForm(botSettings())
    form.replyBot.rules[0]!.patterns = ' livrare \n\n  curier*\n'
    form.replyBot.welcome.text.ro = '  '
    const input = toBotSettingsInput(form)
    expect(input.replyBot.rules[0]!.patterns).toEqual(['livrare', 'curier*'])
    expect(input.replyBot.welcome.text).toEqual({ default: 'Hello!' })
  })

  it('names each problem by the path the server would use', () => {
    const form = toBotForm(botSettings())
    const rule = newRule('')
    rule.match = 'regex'
    rule.patterns = 'ok\n(a'
    rule.buttons = [
      '',
      'x'.repeat(21),
    ]
    rule.template.enabled = true
    rule.template.language = 'r'
    form.replyBot.rules.push(rule)
    form.replyBot.welcome.enabled = true
    form.replyBot.welcome.text.default = ' '
    form.replyBot.confirmationMinutes = 1.5
    form.aiBot.threshold = 1.2
    form.aiBot.provider.baseUrl = 'ftp://x'
    form.aiBot.provider.model = ''
    form.aiBot.provider.timeoutSeconds = 61
    form.hours.timeZone = 'Mars/Olympus'
    form.hours.schedule[0]!.to = '08:00'
    form.hours.holidays.push('2025-13-45x')
    form.maxRepliesPerHour = 0
    expect(validateBotForm(form)).toEqual({
      'replyBot.rules.2.name': { kind: 'required' },
      'replyBot.rules.2.patterns.1': { kind: 'regex', pattern: '(a', reason: 'syntax' },
      'replyBot.rules.2.reply.text': { kind: 'required' },
      'replyBot.rules.2.reply.buttons.0': { kind: 'required' },
      'replyBot.rules.2.reply.buttons.1': { kind: 'tooLong', max: 20 },
      'replyBot.rules.2.reply.template.name': { kind: 'required' },
      'replyBot.rules.2.reply.template.language': { kind: 'length', min: 2, max: 16 },
      'replyBot.welcome.text.default': { kind: 'required' },
      'replyBot.confirmationMinutes': { kind: 'range', min: 1, max: 10_080 },
      'aiBot.threshold': { kind: 'range', min: 0, max: 1 },
      'aiBot.provider.baseUrl': { kind: 'url' },
      'aiBot.provider.model': { kind: 'required' },
      'aiBot.provider.timeoutMs': { kind: 'range', min: 1, max: 60 },
      'hours.timeZone': { kind: 'timeZone' },
      'hours.schedule.0.to': { kind: 'timeOrder' },
      'hours.holidays.1': { kind: 'date' },
      'maxRepliesPerHour': { kind: 'range', min: 1, max: 60 },
    })
  })

  it('finds the field that shows a problem: the deepest one covering its path', () => {
    const fields = [
      'replyBot.rules.3',
      'replyBot.rules.3.patterns',
      'replyBot.rules.31.name',
      'hours.schedule.1',
    ]
    expect(fieldForPath('replyBot.rules.3.patterns.0', fields)).toBe('replyBot.rules.3.patterns')
    expect(fieldForPath('replyBot.rules.3.reply.text', fields)).toBe('replyBot.rules.3')
    expect(fieldForPath('hours.schedule.1.to', fields)).toBe('hours.schedule.1')
    expect(fieldForPath('hours.schedule.10', fields)).toBeNull()
    expect(valueAtPath({
      a: [
        { b: 'x' },
      ],
    }, 'a.0.b')).toBe('x')
    expect(valueAtPath({ a: null }, 'a.0.b')).toBeUndefined()
  })
})
