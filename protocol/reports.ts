/**
 * Reports: agent performance and response times, computed from what the server recorded
 * (messages, assignment / team / status events). docs/reports.md defines every
 * metric precisely: which event starts and which stops each clock.
 *
 * - `GET /api/reports/summary` totals, per agent / team / label / WhatsApp number rows, bot vs
 *   human, failed sends by reason, a trend per day and a 7×24 heatmap, for a period and a time zone.
 * - `GET /api/reports/conversations` the conversations behind one figure (drill-down), paged.
 * - `GET /api/reports/conversations.csv` one row per conversation cycle active in the period.
 * - `GET /api/reports/aggregates.csv` the summary's rows (total, agents, teams, labels, numbers).
 * - `GET /api/reports/live` the live overview; refresh it when `/api/live` says `changed`.
 *
 * Admins may ask about everyone. An agent may only ask about themself: `agentId` defaults to the
 * caller and any other id answers 403 `forbidden`; a restricted agent's figures only count the
 * conversations they can see. Bad input answers 400 `invalid_request` with `field` and
 * `details.reason` (one of REPORT_INPUT_ERRORS).
 */
import type { Static } from 'typebox'
import Type from 'typebox'
import { IdSchema, TimestampSchema } from './common.ts'
import { AvailabilitySchema } from './team.ts'

function Nullable<T extends Parameters<typeof Type.Union>[0][number]>(t: T) {
  return Type.Union([
    t,
    Type.Null(),
  ])
}

/** Longest period one report may cover. */
export const REPORT_MAX_DAYS = 366

/** `details.reason` of a 400 `invalid_request` from a report route. */
export const REPORT_INPUT_ERRORS = [
  /** `tz` is not an IANA time zone this server knows */
  'unknown_time_zone',
  /** `from` is after `to` (or equal: the period is empty) */
  'from_after_to',
  /** `to - from` is longer than REPORT_MAX_DAYS days */
  'period_too_long',
  /** `hours` does not parse (see ReportQuerySchema.hours) */
  'invalid_schedule',
  /** `day` is not YYYY-MM-DD, or `hour` came without `weekday` (or the reverse) */
  'invalid_bucket',
  /** `cursor` was not issued by this server for this query */
  'invalid_cursor',
] as const
export type ReportInputError = typeof REPORT_INPUT_ERRORS[number]

/**
 * The period, time zone and optional filters shared by every report route.
 *
 * `hours` is the business-hours schedule: comma-separated `weekday:start-end` ranges, weekday
 * ISO (1 = Monday … 7 = Sunday), start/end in minutes after local midnight (0…1440, start < end),
 * e.g. `1:540-1020,2:540-1020,3:540-1020,4:540-1020,5:540-1020` = Mon–Fri 09:00–17:00.
 * Several ranges per day are allowed. With `hours`, only time inside the schedule counts toward
 * every duration (first response, reply, resolution, unassigned wait); counts are unaffected.
 */
export const ReportQuerySchema = Type.Object({
  /** start of the period (inclusive), ms since the epoch */
  from: TimestampSchema,
  /** end of the period (exclusive), ms since the epoch */
  to: TimestampSchema,
  /** IANA time zone for days, hours of day, weekdays and the schedule; default UTC */
  tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: 'UTC' })),
  hours: Type.Optional(Type.String({ maxLength: 1000 })),
  /** only measurements attributed to this agent (an agent: only themself; default themself) */
  agentId: Type.Optional(IdSchema),
  teamId: Type.Optional(IdSchema),
  labelId: Type.Optional(IdSchema),
  channelId: Type.Optional(IdSchema),
})
export type ReportQuery = Static<typeof ReportQuerySchema>

/** Durations in milliseconds. Percentiles are nearest-rank: the value at rank ⌈p/100 · count⌉ of the sorted values. */
export const DurationStatsSchema = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  p50: Nullable(Type.Number()),
  p90: Nullable(Type.Number()),
  mean: Nullable(Type.Number()),
})
export type DurationStats = Static<typeof DurationStatsSchema>

export const ReportMetricsSchema = Type.Object({
  /** conversation cycles started (first inbound message after a close, or ever) */
  opened: Type.Integer({ minimum: 0 }),
  /** assignments to an agent (each assignment event with a new assignee) */
  assigned: Type.Integer({ minimum: 0 }),
  /** cycles ended by a close */
  closed: Type.Integer({ minimum: 0 }),
  messagesIn: Type.Integer({ minimum: 0 }),
  /** outbound messages (human + bot), failed ones included */
  messagesOut: Type.Integer({ minimum: 0 }),
  /** outbound messages with no sending agent (bots, automations) */
  botMessages: Type.Integer({ minimum: 0 }),
  /** outbound messages that failed */
  failed: Type.Integer({ minimum: 0 }),
  /** cycles started in the period with an outbound message but no human one (so far) */
  botHandled: Type.Integer({ minimum: 0 }),
  /** cycles started in the period with at least one human outbound message */
  humanHandled: Type.Integer({ minimum: 0 }),
  firstResponse: DurationStatsSchema,
  reply: DurationStatsSchema,
  resolution: DurationStatsSchema,
  unassignedWait: DurationStatsSchema,
})
export type ReportMetrics = Static<typeof ReportMetricsSchema>

/** A row per agent / team / label / number; `id` null = none (no agent, no team). */
export const ReportGroupRowSchema = Type.Object({
  id: Nullable(IdSchema),
  name: Nullable(Type.String()),
  metrics: ReportMetricsSchema,
})
export type ReportGroupRow = Static<typeof ReportGroupRowSchema>

export const FailedReasonSchema = Type.Object({
  /** the WhatsApp error code (0 = unknown) */
  code: Type.Integer(),
  title: Type.String(),
  count: Type.Integer({ minimum: 0 }),
})
export type FailedReason = Static<typeof FailedReasonSchema>

export const TrendPointSchema = Type.Object({
  /** local date in the report's time zone, YYYY-MM-DD */
  day: Type.String(),
  opened: Type.Integer({ minimum: 0 }),
  closed: Type.Integer({ minimum: 0 }),
  messagesIn: Type.Integer({ minimum: 0 }),
  messagesOut: Type.Integer({ minimum: 0 }),
  firstResponseP50: Nullable(Type.Number()),
  firstResponseP90: Nullable(Type.Number()),
  replyP50: Nullable(Type.Number()),
  resolutionP50: Nullable(Type.Number()),
})
export type TrendPoint = Static<typeof TrendPointSchema>

/** 7 rows (Monday … Sunday) × 24 columns (local hour 0 … 23) in the report's time zone. */
export const HeatmapSchema = Type.Array(Type.Array(Type.Integer({ minimum: 0 }), { minItems: 24, maxItems: 24 }), { minItems: 7, maxItems: 7 })
export type Heatmap = Static<typeof HeatmapSchema>

export const ReportSummarySchema = Type.Object({
  period: Type.Object({
    from: TimestampSchema,
    to: TimestampSchema,
    tz: Type.String(),
    /** the parsed `hours` schedule, or null when all time counts */
    hours: Nullable(Type.Array(Type.Object({
      weekday: Type.Integer({ minimum: 1, maximum: 7 }),
      start: Type.Integer({ minimum: 0, maximum: 1440 }),
      end: Type.Integer({ minimum: 0, maximum: 1440 }),
    }))),
  }),
  totals: ReportMetricsSchema,
  agents: Type.Array(ReportGroupRowSchema),
  teams: Type.Array(ReportGroupRowSchema),
  /** a measurement counts once for each label its contact has now */
  labels: Type.Array(ReportGroupRowSchema),
  /** per WhatsApp number; `name` is its display phone number */
  channels: Type.Array(ReportGroupRowSchema),
  /** failed sends by WhatsApp error code, most frequent first */
  failedByReason: Type.Array(FailedReasonSchema),
  /** one point per local day of the period, in order */
  trend: Type.Array(TrendPointSchema),
  heatmap: Type.Object({
    /** inbound messages by local weekday and hour */
    messagesIn: HeatmapSchema,
    /** cycles opened by local weekday and hour */
    opened: HeatmapSchema,
  }),
  generatedAt: TimestampSchema,
  /** server time spent computing this answer */
  computeMs: Type.Number(),
})
export type ReportSummary = Static<typeof ReportSummarySchema>

export const REPORT_METRICS = [
  'opened',
  'assigned',
  'closed',
  'messagesIn',
  'messagesOut',
  'botMessages',
  'failed',
  'botHandled',
  'humanHandled',
  'firstResponse',
  'reply',
  'resolution',
  'unassignedWait',
] as const
export type ReportMetric = typeof REPORT_METRICS[number]

/**
 * The conversations behind one figure: the same query (period, tz, hours, filters) plus the
 * metric and optionally a trend day or a heatmap cell (the measurement's local time).
 */
export const ReportConversationsQuerySchema = Type.Object({
  ...ReportQuerySchema.properties,
  metric: Type.Enum(REPORT_METRICS),
  /** only measurements on this local day (YYYY-MM-DD) */
  day: Type.Optional(Type.String({ maxLength: 10 })),
  /** with `hour`: only measurements at this local weekday (1 = Monday … 7 = Sunday) */
  weekday: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 })),
  /** with `weekday`: only measurements in this local hour (0 … 23) */
  hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type ReportConversationsQuery = Static<typeof ReportConversationsQuerySchema>

export const ReportConversationRowSchema = Type.Object({
  conversationId: IdSchema,
  contactId: IdSchema,
  contactName: Nullable(Type.String()),
  channelId: IdSchema,
  /** as it is now */
  assigneeId: Nullable(IdSchema),
  teamId: Nullable(IdSchema),
  /** how many measurements of the metric this conversation contributed */
  count: Type.Integer({ minimum: 1 }),
  /** for duration metrics: the longest of its measurements (ms); null for counts */
  value: Nullable(Type.Number()),
  /** the latest of its measurements */
  at: TimestampSchema,
})
export type ReportConversationRow = Static<typeof ReportConversationRowSchema>

export const ReportConversationPageSchema = Type.Object({
  items: Type.Array(ReportConversationRowSchema),
  /** conversations in all pages */
  total: Type.Integer({ minimum: 0 }),
  nextCursor: Nullable(Type.String()),
})
export type ReportConversationPage = Static<typeof ReportConversationPageSchema>

/** Columns of `GET /api/reports/conversations.csv` (one row per conversation cycle). Times are local ISO 8601 with offset; durations in seconds. */
export const CONVERSATIONS_CSV_COLUMNS = [
  'conversation_id',
  'cycle_started_at',
  'closed_at',
  'contact',
  'phone',
  'whatsapp_number',
  'team',
  'assignee',
  'labels',
  'first_response_s',
  'replies',
  'reply_p50_s',
  'reply_max_s',
  'resolution_s',
  'unassigned_wait_s',
  'messages_in',
  'messages_out',
  'bot_messages',
  'handled_by',
] as const

/** Columns of `GET /api/reports/aggregates.csv`: `group` is total, agent, team, label or channel. */
export const AGGREGATES_CSV_COLUMNS = [
  'group',
  'id',
  'name',
  'opened',
  'assigned',
  'closed',
  'messages_in',
  'messages_out',
  'bot_messages',
  'failed',
  'bot_handled',
  'human_handled',
  'first_response_count',
  'first_response_p50_s',
  'first_response_p90_s',
  'reply_count',
  'reply_p50_s',
  'reply_p90_s',
  'resolution_count',
  'resolution_p50_s',
  'resolution_p90_s',
  'unassigned_wait_count',
  'unassigned_wait_p50_s',
  'unassigned_wait_p90_s',
] as const

/** What the CSV routes take: the summary's query (filters apply). */
export const ReportCsvQuerySchema = ReportQuerySchema
export type ReportCsvQuery = ReportQuery

export const LiveAgentSchema = Type.Object({
  agentId: IdSchema,
  name: Type.String(),
  availability: AvailabilitySchema,
  /** open conversations assigned to them */
  open: Type.Integer({ minimum: 0 }),
})

/** `GET /api/reports/live`: the inbox right now (a restricted agent: their visible conversations). */
export const ReportLiveSchema = Type.Object({
  /** open conversations (snoozed and closed ones are not) */
  open: Type.Integer({ minimum: 0 }),
  /** open conversations with no assignee */
  unassigned: Type.Integer({ minimum: 0 }),
  /** open conversations whose latest message is inbound (the customer waits for an answer) */
  waiting: Type.Integer({ minimum: 0 }),
  /** the open conversation whose customer has waited longest: since its oldest unanswered inbound message */
  waitingLongest: Nullable(Type.Object({
    conversationId: IdSchema,
    since: TimestampSchema,
  })),
  agentsOnline: Type.Integer({ minimum: 0 }),
  /** active agents, online first */
  agents: Type.Array(LiveAgentSchema),
  generatedAt: TimestampSchema,
})
export type ReportLive = Static<typeof ReportLiveSchema>
