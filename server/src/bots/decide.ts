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
  const context = startPlan(input)
  return guardPlan(context)
    ?? aiBotPlan(context)
    ?? replyBotPlan(context)
}

/** What every step of decide() reads: the input, the plan so far, and the message's facts. */
interface PlanContext {
  input: DecisionInput
  plan: Plan
  /** the message's text (null for a type the bots do not read) */
  text: string | null
  ruleLanguage: Exclude<Plan['language'], 'default'> | null
  aiOn: boolean
  replyOn: boolean
  /** the AI Bot is on and the conversation was not handed over */
  aiActive: boolean
}

/** The message's text, language and hours, and a plan that does nothing yet. */
function startPlan(input: DecisionInput): PlanContext {
  const { settings, contact, conversation, message } = input
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
  const aiOn = settings.aiBot.enabled && contact.aiBot
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
    hours: hoursAt(settings.hours, message.at),
    handoverRequested: asksForHuman(normalized, settings.aiBot.handoverPhrases),
    rule: null,
    hits: [],
  }
  return {
    input,
    plan,
    text,
    ruleLanguage,
    aiOn,
    replyOn: settings.replyBot.enabled && contact.replyBot,
    aiActive: aiOn && !conversation.handedOver,
  }
}

function silent(plan: Plan, reason: SilentReason): Plan {
  return { ...plan, action: 'none', silentReason: reason }
}

function reply(plan: Plan, bot: BotKind, source: BotSource, body: string, buttons: string[] = []): Plan {
  return {
    ...plan,
    action: 'reply',
    bot,
    source,
    text: body,
    buttons,
  }
}

/**
 * Silence before anything else: bots off, a blocked contact, an agent active in the conversation,
 * or a loop with another bot (the AI Bot hands such a conversation over, without a goodbye).
 */
function guardPlan({ input, plan, text, ruleLanguage, aiOn, replyOn, aiActive }: PlanContext): Plan | null {
  const { settings, contact, history, now } = input
  if (!aiOn && !replyOn)
    return silent(plan, 'bots_off')
  if (contact.blocked)
    return silent(plan, 'blocked')
  if (history.lastHumanAt !== null && now - history.lastHumanAt < settings.agentQuietMinutes * MINUTE)
    return silent(plan, 'agent_active')
  const echo = plan.normalized !== '' && history.recentBotTexts.includes(plan.normalized)
  if (history.botMessagesLastHour >= settings.maxRepliesPerHour || echo) {
    return aiActive
      ? {
          ...handoverPlan(plan, settings, 'loop_suspected'),
          text: null,
        } // answering another bot again would only feed the loop
      : silent(plan, 'rate_capped')
  }
  // The matching rule is looked up once here, after the guards, for both bots.
  plan.rule = text !== null && replyOn
    ? input.rules.match(text, ruleLanguage)
    : null
  return null
}

/** A Reply Bot rule's answer: its text and buttons, or its template once the window has closed. */
function ruleReply({ input, plan }: PlanContext, bot: BotKind): Plan {
  const r = plan.rule!.rule.reply
  if (!input.conversation.windowOpen) {
    return r.template
      ? {
          ...reply(plan, bot, 'rule', r.text),
          template: r.template,
        }
      : silent(plan, 'window_closed')
  }
  return reply(plan, bot, 'rule', r.text, r.buttons ?? [])
}

/**
 * The AI Bot: a person asked for goes to a person, a matching rule answers first, then the
 * knowledge base answers when confident; a question it cannot answer is handed over. Null lets
 * the Reply Bot decide (no text, or small talk the knowledge base does not cover).
 */
function aiBotPlan(context: PlanContext): Plan | null {
  const { input, plan, text, ruleLanguage } = context
  const { settings, conversation, history } = input
  if (!context.aiActive || text === null)
    return null
  if (plan.handoverRequested)
    return handoverPlan(plan, settings, 'asked_for_human')
  if (plan.rule)
    return ruleReply(context, 'reply')
  if (history.aiTurns >= settings.aiBot.maxTurns)
    return handoverPlan(plan, settings, 'max_turns')
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
      return silent(plan, 'window_closed')
    const provider = settings.aiBot.provider !== null
    return {
      ...reply(plan, 'ai', provider ? 'provider' : 'knowledge', best.passage),
      useProvider: provider,
    }
  }
  // A question the knowledge base cannot answer goes to a person; small talk does not.
  if (best || plan.normalized.split(' ').length > 3)
    return handoverPlan(plan, settings, 'low_confidence')
  return null
}

/** The Reply Bot: a matching rule, else the away, welcome or confirmation message when due. */
function replyBotPlan(context: PlanContext): Plan {
  const { input, plan, text } = context
  const { settings, conversation, history } = input
  if (!context.replyOn) {
    return silent(plan, text === null
      ? 'not_text'
      : 'no_match')
  }
  if (plan.rule)
    return ruleReply(context, 'reply')
  if (!conversation.windowOpen)
    return silent(plan, 'window_closed')
  const { away, welcome, confirmation, confirmationMinutes } = settings.replyBot
  const { hours, language } = plan
  if (!hours.open && away.enabled && !history.awaySentRecently)
    return reply(plan, 'reply', 'away', localized(away.text, language))
  if (history.newConversation && welcome.enabled)
    return reply(plan, 'reply', 'welcome', localized(welcome.text, language))
  if (hours.open && confirmation.enabled && !history.confirmationSent)
    return reply(plan, 'reply', 'confirmation', localized(confirmation.text, language).replaceAll('{minutes}', String(confirmationMinutes)))
  return silent(plan, text === null
    ? 'not_text'
    : 'no_match')
}
