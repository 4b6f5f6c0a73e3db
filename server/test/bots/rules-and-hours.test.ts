import type { BotRule } from '../../../protocol/bots.ts'
import { describe, expect, it } from 'vitest'
import { asksForHuman, decide } from '../../src/bots/decide.ts'
import { hoursAt } from '../../src/bots/hours.ts'
import { compileRules } from '../../src/bots/rules.ts'
import { defaultSettings } from '../../src/bots/settings.ts'
import { normalize } from '../../src/bots/text.ts'

function rule(id: string, match: BotRule['match'], patterns: string[], language: BotRule['language'] = 'any'): BotRule {
  return {
    id,
    name: id,
    enabled: true,
    match,
    patterns,
    language,
    reply: { text: `reply ${id}` },
  }
}

const RULES = [
  rule('price', 'keyword', ['preț', 'price', 'cost']),
  rule('delivery-ro', 'phrase', ['cât durează livrarea', 'când ajunge'], 'ro'),
  rule('delivery-en', 'phrase', ['how long does delivery take', 'when will it arrive'], 'en'),
  rule('order', 'regex', ['comanda\\s*(nr\\.?)?\\s*\\d{5,}', 'order\\s*#?\\d{5,}']),
  rule('hours', 'keyword', ['program', 'orar', 'opening hours']),
  rule('wild', 'keyword', ['retur*']),
]

describe('reply bot rules: accent- and case-insensitive, per language', () => {
  const set = compileRules(RULES)
  it.each([
    // [message, customer language, expected rule id (null: none)]
    ['Cât e prețul?', 'ro', 'price'],
    ['cat e pretul', 'ro', 'price'], // no diacritics, inflected: a keyword of 4+ letters matches the words it begins
    ['PREȚ???', null, 'price'],
    ['What is the PRICE of this?', 'en', 'price'],
    ['How much does it cost', 'en', 'price'],
    ['costume', 'en', 'price'], // "cost" is 4 letters: it begins "costume" (a known trade-off, documented)
    ['Cât durează livrarea în Cluj?', 'ro', 'delivery-ro'],
    ['cat dureaza livrarea', 'ro', 'delivery-ro'],
    ['cat dureaza livrarea', 'en', null], // the Romanian rule does not answer an English-speaking customer
    ['cat dureaza livrarea', null, 'delivery-ro'], // language unknown: every rule may answer
    ['How long does delivery take?', 'en', 'delivery-en'],
    ['when will it ARRIVE', 'en', 'delivery-en'],
    ['Comanda nr. 123456 nu a ajuns', 'ro', 'order'],
    ['comandă 98765', 'ro', 'order'],
    ['my order #55555 is late', 'en', 'order'],
    ['comanda 12', 'ro', null], // too few digits for the regex
    ['Care este programul?', 'ro', 'hours'],
    ['What are your opening hours?', 'en', 'hours'],
    ['vreau un retur', 'ro', 'wild'],
    ['returnare produs', 'ro', 'wild'],
    ['bună ziua', 'ro', null],
    ['hello there', 'en', null],
    ['', null, null],
  ])('%j (%s) → %s', (text, language, expected) => {
    expect(set.match(text, language)?.rule.id ?? null).toBe(expected)
  })

  it('says which pattern matched, and the first rule in order wins', () => {
    const both = compileRules([
      rule('a', 'keyword', ['livrare']),
      rule('b', 'keyword', ['livrarea']),
    ])
    expect(both.match('Livrarea e gratuită?', 'ro')).toMatchObject({
      rule: { id: 'a' },
      pattern: 'livrare',
    })
  })

  it('matches in linear time: a pattern that makes a backtracking engine explode answers at once', () => {
    // With JavaScript's RegExp, `(\\d|\\w)+$` on 30 digits and a "!" takes seconds, doubling per digit.
    const set = compileRules([
      rule('slow', 'regex', ['(\\d|\\w)+$', '(x+x+)+y']),
    ])
    expect(set.match(`${'1'.repeat(4000)}!`, null)).toBeNull()
    expect(set.match(`${'x'.repeat(4000)}!`, null)).toBeNull()
    expect(set.match('abc123', null)?.rule.id).toBe('slow')
  })

  it('skips disabled rules', () => {
    const set = compileRules([
      {
        ...rule('off', 'keyword', ['pret']),
        enabled: false,
      },
    ])
    expect(set.match('pret', 'ro')).toBeNull()
  })

  it('normalises Romanian letters in both comma and cedilla forms', () => {
    expect(normalize('Şcoală ţară ȘȚ ăâî')).toBe('scoala tara st aai')
  })
})

describe('business hours in the workspace time zone', () => {
  const hours = {
    timeZone: 'Europe/Bucharest',
    schedule: [1, 2, 3, 4, 5].map(day => ({ day, from: '09:00', to: '17:30' })),
    holidays: ['2026-12-25'],
  }
  it.each([
    ['2026-11-23T07:00:00Z', true, 'Mon 09:00'], // Bucharest is UTC+2 in winter
    ['2026-11-23T06:59:00Z', false, 'Mon 08:59'],
    ['2026-11-23T15:29:00Z', true, 'Mon 17:29'],
    ['2026-11-23T15:30:00Z', false, 'Mon 17:30'],
    ['2026-11-28T10:00:00Z', false, 'Sat 12:00'],
    ['2026-07-06T06:00:00Z', true, 'Mon 09:00'], // UTC+3 in summer
    ['2026-12-25T10:00:00Z', false, 'Fri 12:00'], // a holiday
  ])('%s → open %s (%s)', (iso, open, local) => {
    const state = hoursAt(hours, Date.parse(iso))
    expect(state.open).toBe(open)
    expect(state.local).toBe(`${local} Europe/Bucharest`)
  })
  it('marks holidays', () => {
    expect(hoursAt(hours, Date.parse('2026-12-25T10:00:00Z')).holiday).toBe(true)
  })
})

describe('asking for a person', () => {
  it.each([
    ['Vreau să vorbesc cu un om', true],
    ['pot vorbi cu cineva?', true],
    ['I want to talk to a human', true],
    ['can I speak to an agent please', true],
    ['Operator!', true],
    ['cât costă livrarea', false],
    ['how much is shipping', false],
    ['comanda mea nu a ajuns', false],
    ['Cât costă de persoană?', false],
    ['what is the price for a person?', false],
    ['what is the agent fee?', false],
    ['Aș vrea să vorbesc cu o persoană reală', true],
  ])('%j → %s', (text, expected) => {
    expect(asksForHuman(normalize(text), [])).toBe(expected)
  })
  it('uses the admin\'s extra phrases', () => {
    expect(asksForHuman(normalize('Chem pe șefu'), ['pe sefu'])).toBe(true)
  })
})

describe('decide(): the order of the bots', () => {
  const at = Date.parse('2026-11-23T10:00:00Z') // Monday 12:00 in Bucharest: open
  const base = () => {
    const settings = defaultSettings()
    settings.replyBot.welcome.enabled = true
    settings.replyBot.away.enabled = true
    settings.replyBot.confirmation.enabled = true
    settings.replyBot.rules = [
      rule('price', 'keyword', ['pret']),
    ]
    return {
      settings,
      rules: compileRules(settings.replyBot.rules),
      index: null,
      contact: {
        replyBot: true,
        aiBot: false,
        blocked: false,
        language: 'ro',
      },
      conversation: { handedOver: false, windowOpen: true },
      message: { type: 'text', text: 'Bună ziua', at },
      history: {
        newConversation: true,
        lastHumanAt: null,
        botMessagesLastHour: 0,
        aiTurns: 0,
        awaySentRecently: false,
        confirmationSent: false,
        recentBotTexts: [],
      },
      now: at,
    }
  }
  it('welcomes a new conversation in Romanian, then confirms once', () => {
    const first = decide(base())
    expect(first).toMatchObject({ action: 'reply', source: 'welcome', bot: 'reply' })
    expect(first.text).toContain('Bună ziua')
    const second = decide({
      ...base(),
      history: {
        ...base().history,
        newConversation: false,
      },
    })
    expect(second).toMatchObject({ action: 'reply', source: 'confirmation' })
    expect(second.text).toContain('15 minute')
    const third = decide({
      ...base(),
      history: {
        ...base().history,
        newConversation: false,
        confirmationSent: true,
      },
    })
    expect(third).toMatchObject({ action: 'none', silentReason: 'no_match' })
  })
  it('answers outside business hours with the away message, once', () => {
    const night = Date.parse('2026-11-23T22:00:00Z')
    expect(decide({
      ...base(),
      message: { type: 'text', text: 'hello', at: night },
      now: night,
    })).toMatchObject({ source: 'away' })
    expect(decide({
      ...base(),
      message: { type: 'text', text: 'hello', at: night },
      now: night,
      history: {
        ...base().history,
        awaySentRecently: true,
      },
    })).toMatchObject({ source: 'welcome' })
  })
  it('a rule comes before welcome and away', () => {
    expect(decide({
      ...base(),
      message: { type: 'text', text: 'Preț?', at },
    })).toMatchObject({ source: 'rule', text: 'reply price' })
  })
  it('stays silent while an agent replied recently, for a blocked contact, with both bots off', () => {
    expect(decide({
      ...base(),
      history: {
        ...base().history,
        lastHumanAt: at - 5 * 60_000,
      },
    })).toMatchObject({ action: 'none', silentReason: 'agent_active' })
    expect(decide({
      ...base(),
      history: {
        ...base().history,
        lastHumanAt: at - 31 * 60_000,
      },
    })).toMatchObject({ action: 'reply' })
    expect(decide({
      ...base(),
      contact: {
        ...base().contact,
        blocked: true,
      },
    })).toMatchObject({ silentReason: 'blocked' })
    expect(decide({
      ...base(),
      contact: {
        ...base().contact,
        replyBot: false,
      },
    })).toMatchObject({ silentReason: 'bots_off' })
  })
  it('caps bot messages per hour and never answers an echo of its own text', () => {
    expect(decide({
      ...base(),
      history: {
        ...base().history,
        botMessagesLastHour: 6,
      },
    })).toMatchObject({ action: 'none', silentReason: 'rate_capped' })
    expect(decide({
      ...base(),
      message: { type: 'text', text: 'Reply, price!', at },
      history: {
        ...base().history,
        recentBotTexts: ['reply price'],
      },
    })).toMatchObject({ silentReason: 'rate_capped' })
    const ai = {
      ...base(),
      contact: {
        ...base().contact,
        aiBot: true,
      },
    }
    expect(decide({
      ...ai,
      history: { ...ai.history, botMessagesLastHour: 6 },
    })).toMatchObject({ action: 'handover', handoverReason: 'loop_suspected', text: null })
  })
  it('sends a rule\'s template when the window is closed, or nothing', () => {
    const settings = base().settings
    settings.replyBot.rules = [
      {
        ...rule('price', 'keyword', ['pret']),
        reply: {
          text: 'x',
          template: { name: 'price_list', language: 'ro' },
        },
      },
    ]
    const input = {
      ...base(),
      settings,
      rules: compileRules(settings.replyBot.rules),
      conversation: { handedOver: false, windowOpen: false },
      message: { type: 'text', text: 'pret', at },
    }
    expect(decide(input)).toMatchObject({
      action: 'reply',
      template: { name: 'price_list', language: 'ro' },
    })
    expect(decide({
      ...input,
      message: { type: 'text', text: 'salut', at },
    })).toMatchObject({ action: 'none', silentReason: 'window_closed' })
  })
})
