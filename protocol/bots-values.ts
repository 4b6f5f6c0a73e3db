/**
 * The bots' limits and enums as plain values, without the schema library: extension pages import
 * them from here; protocol/bots.ts builds its schemas from them and re-exports them.
 */

export const BOT_LIMITS = {
  rules: 200,
  patterns: 20,
  pattern: 200,
  ruleName: 80,
  text: 4096,
  buttons: 3,
  buttonTitle: 20,
  holidays: 100,
  handoverPhrases: 50,
  systemPrompt: 8000,
  kbTitle: 300,
  kbBody: 20_000,
  kbEntries: 5000,
  testText: 4096,
} as const

/** Which bot sent an outbound message (`Message.bot`). */
export const BOT_KINDS = ['reply', 'ai'] as const

/** Why the AI Bot handed a chat to the humans (`Conversation.botHandover.reason`). */
export const HANDOVER_REASONS = [
  'asked_for_human',
  'low_confidence',
  'max_turns',
  'loop_suspected',
  'provider_error',
  'provider_timeout',
  'provider_refused',
  'provider_invalid',
] as const

/** Languages a rule or knowledge entry can be limited to; `any` answers every customer. */
export const BOT_LANGUAGES = ['any', 'ro', 'en'] as const

export const RULE_MATCH = ['keyword', 'phrase', 'regex'] as const

export const KB_KINDS = ['qa', 'document'] as const

export const BOT_ACTIONS = ['reply', 'handover', 'none'] as const
export const BOT_SOURCES = [
  'rule',
  'knowledge',
  'provider',
  'welcome',
  'away',
  'confirmation',
  'handover',
] as const

/** Why the bots stayed silent (`action: 'none'`). */
export const SILENT_REASONS = [
  'bots_off',
  'blocked',
  'agent_active',
  'handed_over',
  'rate_capped',
  'no_match',
  'not_text',
  'already_sent',
  'window_closed',
  'toggled_off',
  /** the message waited too long (bots were not running): a late answer would confuse */
  'stale',
] as const
