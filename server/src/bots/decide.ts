/**
 * What the bots do with one customer message: a pure function of the settings, the contact, the
 * conversation's recent history and the message, so the runner, the admin's "test this message"
 * box and the benchmark all take the same decision. At most one bot message answers a customer
 * message. In order:
 *
 * 1. Silence: both bots off for the contact, a blocked contact, an agent replied within
 *    `agentQuietMinutes`, or the hourly cap of bot messages reached (with the AI Bot on, a cap or a
 *    customer echoing our own bot text counts as a loop with another bot: hand over).
 * 2. AI Bot (on for the workspace and the contact, not handed over yet): the customer asks for a
 *    person → hand over; a Reply Bot rule matches → the rule answers; `maxTurns` bot answers since a
 *    human last wrote → hand over; the knowledge base answers at or above the threshold → answer
 *    (written by the provider when one is configured); a question below it → hand over. Small talk
 *    ("hi", "thanks") and media fall through to the Reply Bot.
 * 3. Reply Bot: a rule; outside business hours the away message (once per 12 hours); the welcome
 *    message on a new conversation; in business hours the quick confirmation (once until an agent
 *    replies).
 */
import type { BotDecision, BotKind, BotSource, HandoverReason, KbHit, LocalizedText, SilentReason } from '../../../protocol/bots.ts'
import type { HoursState } from './hours.ts'
import type { KbIndex } from './retrieval.ts'
import type { RuleMatch, RuleSet } from './rules.ts'
import type { StoredSettings } from './settings.ts'
import { hoursAt } from './hours.ts'
import { detectLanguage, normalize, primaryLanguage } from './text.ts'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
/** The away message is repeated at most this often in one conversation. */
export const AWAY_REPEAT_MS = 12 * HOUR
/** How many of the best knowledge hits the decision keeps (the provider sees them all). */
export const HITS = 3

/** Customer messages meaning "I want a person", normalised; matched as whole words / phrases. */
const HANDOVER_PHRASES = [
  // English ("a person" alone is not enough: "price for a person?")
  'human',
  'real person',
  'a real person',
  'talk to a person',
  'speak to a person',
  'speak with a person',
  'talk to someone',
  'speak to someone',
  'speak with someone',
  'talk with someone',
  'an agent',
  'live agent',
  'operator',
  'representative',
  'customer service',
  'not a bot',
  'no bot',
  'no robot',
  // Romanian, accents removed ("de persoana" is a price, not a person)
  'un om',
  'cu un om',
  'o persoana',
  'persoana reala',
  'cu o persoana',
  'un coleg',
  'o colega',
  'un consultant',
  'reprezentant',
  'cu cineva',
  'nu un robot',
  'nu robot',
  'nu bot',
  'un agent',
  'agentul',
  'operatorul',
]

export interface MessageFacts {
  /** WhatsApp type of the customer's message */
  type: string
  /** what the customer wrote (text, caption, button title), or null */
  text: string | null
  at: number
}

export interface HistoryFacts {
  /** nothing from either side in the 24 hours before this message */
  newConversation: boolean
  /** the last message an agent sent, if any */
  lastHumanAt: number | null
  /** bot messages in the hour before */
  botMessagesLastHour: number
  /** AI Bot answers since an agent or a hand-over message last wrote */
  aiTurns: number
  /** an away message in the last 12 hours */
  awaySentRecently: boolean
  /** a confirmation since an agent last wrote (within the last 24 hours) */
  confirmationSent: boolean
  /** the normalised texts of the last few bot messages (a customer echoing them is another bot) */
  recentBotTexts: string[]
}

export interface DecisionInput {
  settings: StoredSettings
  rules: RuleSet
  index: KbIndex | null
  contact: { replyBot: boolean, aiBot: boolean, blocked: boolean, language: string | null }
  conversation: { handedOver: boolean, windowOpen: boolean }
  message: MessageFacts
  history: HistoryFacts
  now: number
}

export interface Plan extends BotDecision {
  /** the provider writes the text (`source: 'provider'`); `text` holds the local answer meanwhile */
  useProvider: boolean
  /** a rule's template, sent instead of the text when the window is closed */
  template: { name: string, language: string } | null
  language: string
  normalized: string
  hours: HoursState
  handoverRequested: boolean
  rule: RuleMatch | null
  hits: KbHit[]
}

const TEXT_TYPES = new Set(['text', 'button', 'interactive'])

/** The text for the customer's language (`ro`, `en`), else the default. */
export function localized(text: LocalizedText, language: string): string {
  const own = (text as Record<string, string | undefined>)[language]
  return own && own.trim() !== ''
    ? own
    : text.default
}

/** Whether a normalised message asks for a person (built-in phrases plus the admin's). */
export function asksForHuman(normalized: string, extra: string[]): boolean {
  if (normalized === '')
    return false
  const padded = ` ${normalized} `
  return HANDOVER_PHRASES.some(p => padded.includes(` ${p} `))
    || extra.some((p) => {
      const n = normalize(p)
      return n !== '' && padded.includes(` ${n} `)
    })
}

/** `plan` turned into the AI Bot's hand-over, with the goodbye in the customer's language (none when empty). */
export function handoverPlan(plan: Plan, settings: StoredSettings, reason: HandoverReason): Plan {
  const goodbye = localized(settings.aiBot.handoverMessage, plan.language).trim()
  return {
    ...plan,
    action: 'handover',
    bot: 'ai',
    source: 'handover',
    text: goodbye === ''
      ? null
      : goodbye,
    buttons: [],
    handoverReason: reason,
  }
}

export function decide(input: DecisionInput): Plan {
  const { settings, contact, conversation, message, history, now } = input
  const text = message.text !== null && TEXT_TYPES.has(message.type)
    ? message.text
    : null
  const normalized = text === null
    ? ''
    : normalize(text)
  const language = primaryLanguage(contact.language) ?? (text === null
    ? null
    : detectLanguage(text)) ?? 'default'
  const ruleLanguage = language === 'default'
    ? null
    : language
  const hours = hoursAt(settings.hours, message.at)
  const handoverRequested = asksForHuman(normalized, settings.aiBot.handoverPhrases)
  const aiOn = settings.aiBot.enabled && contact.aiBot
  const replyOn = settings.replyBot.enabled && contact.replyBot
  const aiActive = aiOn && !conversation.handedOver

  const plan: Plan = {
    action: 'none',
    bot: null,
    source: null,
    text: null,
    buttons: [],
    handoverReason: null,
    silentReason: null,
    useProvider: false,
    template: null,
    language,
    normalized,
    hours,
    handoverRequested,
    rule: null,
    hits: [],
  }
  const silent = (reason: SilentReason): Plan => ({ ...plan, action: 'none', silentReason: reason })
  const reply = (bot: BotKind, source: BotSource, body: string, buttons: string[] = []): Plan => ({
    ...plan,
    action: 'reply',
    bot,
    source,
    text: body,
    buttons,
  })
  const handover = (reason: HandoverReason): Plan => handoverPlan(plan, settings, reason)

  if (!aiOn && !replyOn)
    return silent('bots_off')
  if (contact.blocked)
    return silent('blocked')
  if (history.lastHumanAt !== null && now - history.lastHumanAt < settings.agentQuietMinutes * MINUTE)
    return silent('agent_active')
  const echo = normalized !== '' && history.recentBotTexts.includes(normalized)
  if (history.botMessagesLastHour >= settings.maxRepliesPerHour || echo) {
    return aiActive
      ? {
          ...handover('loop_suspected'),
          text: null,
        } // answering another bot again would only feed the loop
      : silent('rate_capped')
  }

  const rule = text !== null && replyOn
    ? input.rules.match(text, ruleLanguage)
    : null
  plan.rule = rule
  const ruleReply = (bot: BotKind): Plan => {
    const r = rule!.rule.reply
    if (!conversation.windowOpen) {
      return r.template
        ? {
            ...reply(bot, 'rule', r.text),
            template: r.template,
          }
        : silent('window_closed')
    }
    return reply(bot, 'rule', r.text, r.buttons ?? [])
  }

  if (aiActive && text !== null) {
    if (handoverRequested)
      return handover('asked_for_human')
    if (rule)
      return ruleReply('reply')
    if (history.aiTurns >= settings.aiBot.maxTurns)
      return handover('max_turns')
    const hits = input.index
      ? input.index.search(text, {
          language: ruleLanguage === 'ro' || ruleLanguage === 'en'
            ? ruleLanguage
            : null,
          limit: HITS,
        })
      : []
    plan.hits = hits
    const best = hits[0]
    if (best && best.confidence >= settings.aiBot.threshold) {
      if (!conversation.windowOpen)
        return silent('window_closed')
      const provider = settings.aiBot.provider !== null
      return {
        ...reply('ai', provider ? 'provider' : 'knowledge', best.passage),
        useProvider: provider,
      }
    }
    // A question the knowledge base cannot answer goes to a person; small talk does not.
    if (best || normalized.split(' ').length > 3)
      return handover('low_confidence')
  }

  if (!replyOn) {
    return silent(text === null
      ? 'not_text'
      : 'no_match')
  }
  if (rule)
    return ruleReply('reply')
  if (!conversation.windowOpen)
    return silent('window_closed')
  const { away, welcome, confirmation, confirmationMinutes } = settings.replyBot
  if (!hours.open && away.enabled && !history.awaySentRecently)
    return reply('reply', 'away', localized(away.text, language))
  if (history.newConversation && welcome.enabled)
    return reply('reply', 'welcome', localized(welcome.text, language))
  if (hours.open && confirmation.enabled && !history.confirmationSent)
    return reply('reply', 'confirmation', localized(confirmation.text, language).replaceAll('{minutes}', String(confirmationMinutes)))
  return silent(text === null
    ? 'not_text'
    : 'no_match')
}
