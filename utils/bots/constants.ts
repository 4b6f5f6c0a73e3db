/**
 * The bots' limits and enums for the pages: the protocol's own values (protocol/bots-values.ts
 * has no schema library, so importing it keeps TypeBox out of page bundles), under the names the
 * settings components use, plus the ranges the protocol writes inline in its schemas.
 */
import { BOT_LANGUAGES, BOT_LIMITS, HANDOVER_REASONS, RULE_MATCH, SILENT_REASONS } from '~/protocol/bots-values'

export { BOT_LIMITS }
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

export const BOT_LANGUAGE_CHOICES = BOT_LANGUAGES
export const RULE_MATCH_CHOICES = RULE_MATCH
export const BOT_HANDOVER_REASONS = HANDOVER_REASONS
export const BOT_SILENT_REASONS = SILENT_REASONS
