/**
 * Bots: the Reply Bot (rules, welcome / away / confirmation messages, business hours) and the AI
 * Bot (answers from the knowledge base; an OpenAI-compatible provider when configured; hands over
 * to a human). Settings and the knowledge base are admin-only (`/api/bots…`); every agent may ask
 * for a suggested reply (`POST /api/conversations/:id/suggest-reply`).
 */
import type { Static } from 'typebox'
import Type from 'typebox'
import { BOT_ACTIONS, BOT_KINDS, BOT_LANGUAGES, BOT_LIMITS, BOT_SOURCES, HANDOVER_REASONS, KB_KINDS, RULE_MATCH, SILENT_REASONS } from './bots-values.ts'
import { IdSchema, pageOf, TimestampSchema } from './common.ts'

export { BOT_ACTIONS, BOT_KINDS, BOT_LANGUAGES, BOT_LIMITS, BOT_SOURCES, HANDOVER_REASONS, KB_KINDS, RULE_MATCH, SILENT_REASONS }

function Nullable<T extends Parameters<typeof Type.Union>[0][number]>(t: T) {
  return Type.Union([
    t,
    Type.Null(),
  ])
}

export type BotKind = typeof BOT_KINDS[number]

export type HandoverReason = typeof HANDOVER_REASONS[number]

export const BotHandoverSchema = Type.Object({
  at: TimestampSchema,
  reason: Type.Enum(HANDOVER_REASONS),
})
export type BotHandover = Static<typeof BotHandoverSchema>

/** A text per customer language: `default` for any language without its own (`ro`, `en`). */
export const LocalizedTextSchema = Type.Object({
  default: Type.String({ maxLength: BOT_LIMITS.text }),
  ro: Type.Optional(Type.String({ maxLength: BOT_LIMITS.text })),
  en: Type.Optional(Type.String({ maxLength: BOT_LIMITS.text })),
}, { additionalProperties: false })
export type LocalizedText = Static<typeof LocalizedTextSchema>

export type BotLanguage = typeof BOT_LANGUAGES[number]

export type RuleMatch = typeof RULE_MATCH[number]

export const RuleReplySchema = Type.Object({
  text: Type.String({ minLength: 1, maxLength: BOT_LIMITS.text }),
  /** quick-reply buttons (WhatsApp interactive `button`, at most 3 titles of 20 characters) */
  buttons: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: BOT_LIMITS.buttonTitle }), { maxItems: BOT_LIMITS.buttons })),
  /** an approved template sent instead when the 24-hour window is closed (no parameters) */
  template: Type.Optional(Nullable(Type.Object({
    name: Type.String({ minLength: 1, maxLength: 512 }),
    language: Type.String({ minLength: 2, maxLength: 16 }),
  }, { additionalProperties: false }))),
}, { additionalProperties: false })
export type RuleReply = Static<typeof RuleReplySchema>

export const BotRuleSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: BOT_LIMITS.ruleName }),
  enabled: Type.Boolean(),
  /** keyword: any pattern as a whole word; phrase: the words in order; regex: a JavaScript regular expression */
  match: Type.Enum(RULE_MATCH),
  /** matched case- and accent-insensitively ("pret" matches "Preț") */
  patterns: Type.Array(Type.String({ minLength: 1, maxLength: BOT_LIMITS.pattern }), { minItems: 1, maxItems: BOT_LIMITS.patterns }),
  language: Type.Enum(BOT_LANGUAGES),
  reply: RuleReplySchema,
}, { additionalProperties: false })
export type BotRule = Static<typeof BotRuleSchema>

const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$' })

/** One opening span on a weekday (0 = Sunday … 6 = Saturday), local time; `to` after `from`. */
export const OpeningSchema = Type.Object({
  day: Type.Integer({ minimum: 0, maximum: 6 }),
  from: HHMM,
  to: HHMM,
}, { additionalProperties: false })
export type Opening = Static<typeof OpeningSchema>

export const BusinessHoursSchema = Type.Object({
  /** IANA time zone, e.g. `Europe/Bucharest` */
  timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  schedule: Type.Array(OpeningSchema, { maxItems: 70 }),
  /** closed all day, local dates `YYYY-MM-DD` */
  holidays: Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { maxItems: BOT_LIMITS.holidays }),
}, { additionalProperties: false })
export type BusinessHours = Static<typeof BusinessHoursSchema>

const AutoMessageSchema = Type.Object({
  enabled: Type.Boolean(),
  text: LocalizedTextSchema,
}, { additionalProperties: false })
export type AutoMessage = Static<typeof AutoMessageSchema>

export const ProviderSchema = Type.Object({
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama), an Azure deployment URL */
  baseUrl: Type.String({ minLength: 1, maxLength: 500, pattern: '^https?://' }),
  model: Type.String({ minLength: 1, maxLength: 200 }),
  /** Azure: sent as `?api-version=` */
  apiVersion: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  /** `bearer` (OpenAI, vLLM, Ollama) or `api-key` (Azure) */
  auth: Type.Union([
    Type.Literal('bearer'),
    Type.Literal('api-key'),
  ]),
  timeoutMs: Type.Integer({ minimum: 1000, maximum: 60_000 }),
  systemPrompt: Type.String({ maxLength: BOT_LIMITS.systemPrompt }),
}, { additionalProperties: false })

/** What the server answers: the key itself never leaves the server. */
export const ProviderViewSchema = Type.Object({
  ...ProviderSchema.properties,
  apiKeySet: Type.Boolean(),
}, { additionalProperties: false })

/** What an admin saves: `apiKey` absent keeps the stored key, null clears it. */
export const ProviderInputSchema = Type.Object({
  ...ProviderSchema.properties,
  apiKey: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
}, { additionalProperties: false })

function settingsSchema<P extends typeof ProviderViewSchema | typeof ProviderInputSchema>(provider: P) {
  return Type.Object({
    replyBot: Type.Object({
      enabled: Type.Boolean(),
      rules: Type.Array(BotRuleSchema, { maxItems: BOT_LIMITS.rules }),
      /** the first message of a new conversation (nothing from either side in the 24 hours before) */
      welcome: AutoMessageSchema,
      /** outside business hours, at most once every 12 hours per conversation */
      away: AutoMessageSchema,
      /** in business hours, once until an agent replies; `{minutes}` is replaced by `confirmationMinutes` */
      confirmation: AutoMessageSchema,
      confirmationMinutes: Type.Integer({ minimum: 1, maximum: 10_080 }),
    }, { additionalProperties: false }),
    aiBot: Type.Object({
      enabled: Type.Boolean(),
      /** 0–1: the local engine answers only at or above this confidence */
      threshold: Type.Number({ minimum: 0, maximum: 1 }),
      /** hand over after this many bot answers in a row without a human */
      maxTurns: Type.Integer({ minimum: 1, maximum: 50 }),
      /** extra phrases meaning "I want a person" (built-in Romanian and English ones always apply) */
      handoverPhrases: Type.Array(Type.String({ minLength: 1, maxLength: BOT_LIMITS.pattern }), { maxItems: BOT_LIMITS.handoverPhrases }),
      /** told to the customer when the bot hands over (empty: nothing is sent) */
      handoverMessage: LocalizedTextSchema,
      provider: Nullable(provider),
    }, { additionalProperties: false }),
    hours: BusinessHoursSchema,
    /** bots stay silent while an agent replied within this many minutes */
    agentQuietMinutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
    /** at most this many bot messages per conversation per hour (a loop with another bot stops here) */
    maxRepliesPerHour: Type.Integer({ minimum: 1, maximum: 60 }),
    /** where a handed-over chat goes: unassigned in this team, or unassigned with no team (null) */
    handoverTeamId: Nullable(IdSchema),
    /** the bot switches a contact first seen by WhatsApp starts with */
    newContacts: Type.Object({
      replyBot: Type.Boolean(),
      aiBot: Type.Boolean(),
    }, { additionalProperties: false }),
  }, { additionalProperties: false })
}

/** `GET /api/bots`, and the answer to `PUT /api/bots`. */
export const BotSettingsSchema = settingsSchema(ProviderViewSchema)
export type BotSettings = Static<typeof BotSettingsSchema>
/** `PUT /api/bots`: replaces every setting. An invalid or unsafe regular expression is refused (400 `invalid_pattern`, `field` names it). */
export const BotSettingsInputSchema = settingsSchema(ProviderInputSchema)
export type BotSettingsInput = Static<typeof BotSettingsInputSchema>

export type KbKind = typeof KB_KINDS[number]

/** A knowledge-base entry: a question with its answer, or a document (title + text, split into passages). */
export const KbEntrySchema = Type.Object({
  id: IdSchema,
  kind: Type.Enum(KB_KINDS),
  /** the question (qa) or the document's title */
  title: Type.String(),
  /** the answer (qa) or the document's text */
  body: Type.String(),
  language: Type.Enum(BOT_LANGUAGES),
  enabled: Type.Boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type KbEntry = Static<typeof KbEntrySchema>

export const CreateKbEntrySchema = Type.Object({
  kind: Type.Enum(KB_KINDS),
  title: Type.String({ minLength: 1, maxLength: BOT_LIMITS.kbTitle }),
  body: Type.String({ minLength: 1, maxLength: BOT_LIMITS.kbBody }),
  language: Type.Optional(Type.Enum(BOT_LANGUAGES)),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type CreateKbEntry = Static<typeof CreateKbEntrySchema>

export const UpdateKbEntrySchema = Type.Partial(CreateKbEntrySchema, { additionalProperties: false, minProperties: 1 })
export type UpdateKbEntry = Static<typeof UpdateKbEntrySchema>

export const ListKbQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type ListKbQuery = Static<typeof ListKbQuerySchema>
export const KbPageSchema = pageOf(KbEntrySchema)
export type KbPage = Static<typeof KbPageSchema>

/** A knowledge passage the engine found, with why. */
export const KbHitSchema = Type.Object({
  entryId: IdSchema,
  title: Type.String(),
  /** the passage that matched (a document's paragraph, or the answer) */
  passage: Type.String(),
  /** raw BM25 score */
  score: Type.Number(),
  /** 0–1: the share of the question's weight the entry covers */
  confidence: Type.Number(),
  /** the question's words found in the entry, normalised */
  matched: Type.Array(Type.String()),
})
export type KbHit = Static<typeof KbHitSchema>

/** `POST /api/bots/test`: what the bots would do with this customer message. */
export const BotTestRequestSchema = Type.Object({
  text: Type.String({ minLength: 1, maxLength: BOT_LIMITS.testText }),
  /** the customer's language; absent: detected from the text */
  language: Type.Optional(Type.String({ maxLength: 35 })),
  /** when the message arrives (default now): for business hours */
  at: Type.Optional(TimestampSchema),
  /** which bots the contact has on (default both) */
  replyBot: Type.Optional(Type.Boolean()),
  aiBot: Type.Optional(Type.Boolean()),
  /** a new conversation (welcome applies); default false */
  newConversation: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type BotTestRequest = Static<typeof BotTestRequestSchema>

export type BotSource = typeof BOT_SOURCES[number]

export type SilentReason = typeof SILENT_REASONS[number]

export const BotDecisionSchema = Type.Object({
  action: Type.Enum(BOT_ACTIONS),
  bot: Nullable(Type.Enum(BOT_KINDS)),
  source: Nullable(Type.Enum(BOT_SOURCES)),
  /** what would be sent to the customer (reply, or the hand-over message) */
  text: Nullable(Type.String()),
  buttons: Type.Array(Type.String()),
  handoverReason: Nullable(Type.Enum(HANDOVER_REASONS)),
  silentReason: Nullable(Type.Enum(SILENT_REASONS)),
})
export type BotDecision = Static<typeof BotDecisionSchema>

export const BotTraceSchema = Type.Object({
  language: Type.String(),
  normalized: Type.String(),
  hours: Type.Object({
    open: Type.Boolean(),
    /** the local time the hours were read at, e.g. `Mon 18:05 Europe/Bucharest` */
    local: Type.String(),
    holiday: Type.Boolean(),
  }),
  handoverRequested: Type.Boolean(),
  rule: Nullable(Type.Object({
    id: Type.String(),
    name: Type.String(),
    /** the pattern that matched */
    pattern: Type.String(),
  })),
  knowledge: Type.Array(KbHitSchema),
  threshold: Type.Number(),
  decision: BotDecisionSchema,
  /** milliseconds the decision took (the provider call excluded: the test never calls it) */
  tookMs: Type.Number(),
})
export type BotTrace = Static<typeof BotTraceSchema>

/** `POST /api/conversations/:id/suggest-reply`: a draft for the agent (never sent by itself). 422 `no_suggestion` when nothing fits. */
export const SuggestionSchema = Type.Object({
  text: Type.String(),
  source: Type.Union([
    Type.Literal('knowledge'),
    Type.Literal('provider'),
  ]),
  confidence: Type.Number(),
  entries: Type.Array(Type.Object({
    id: IdSchema,
    title: Type.String(),
  })),
})
export type Suggestion = Static<typeof SuggestionSchema>
