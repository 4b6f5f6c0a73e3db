/**
 * The bots' limits and enums as plain values. `protocol/bots.ts` builds TypeBox schemas when it is
 * imported, which would pull the schema library into the pages' bundles; these copies are typed
 * with the protocol's own `typeof`, so any drift fails the typecheck instead.
 */
import type { HANDOVER_REASONS as ProtocolHandoverReasons, BOT_LANGUAGES as ProtocolLanguages, BOT_LIMITS as ProtocolLimits, RULE_MATCH as ProtocolRuleMatch, SILENT_REASONS as ProtocolSilentReasons } from '~/protocol/bots'

export const BOT_LIMITS: typeof ProtocolLimits = {
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

/** Limits the protocol writes inline in its schemas (`BotSettingsSchema`, `ProviderSchema`). */
export const BOT_SETTING_RANGES = {
  confirmationMinutes: { min: 1, max: 10_080 },
  threshold: { min: 0, max: 1 },
  maxTurns: { min: 1, max: 50 },
  agentQuietMinutes: { min: 0, max: 10_080 },
  maxRepliesPerHour: { min: 1, max: 60 },
  /** the provider's timeout, in seconds here (milliseconds on the wire: 1000–60000) */
  timeoutSeconds: { min: 1, max: 60 },
  schedule: 70,
  templateName: 512,
  templateLanguage: { min: 2, max: 16 },
  baseUrl: 500,
  model: 200,
  apiVersion: 40,
  apiKey: 1000,
  ruleId: 64,
  kbQuery: 200,
} as const

export const BOT_LANGUAGE_CHOICES: typeof ProtocolLanguages = ['any', 'ro', 'en'] as const
export const RULE_MATCH_CHOICES: typeof ProtocolRuleMatch = ['keyword', 'phrase', 'regex'] as const

export const BOT_HANDOVER_REASONS: typeof ProtocolHandoverReasons = [
  'asked_for_human',
  'low_confidence',
  'max_turns',
  'loop_suspected',
  'provider_error',
  'provider_timeout',
  'provider_refused',
  'provider_invalid',
] as const

export const BOT_SILENT_REASONS: typeof ProtocolSilentReasons = [
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
  'stale',
] as const
