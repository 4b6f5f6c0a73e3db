/**
 * The replay's vocabulary: which measurements exist (`Metric`), what a conversation and a cycle
 * look like to it, and the sink a replay feeds. Counts come first (ids below `COUNT_METRICS`),
 * durations after: the aggregates index flat arrays by these ids.
 */
import type { SessionAgent } from '../services/sessions.ts'
import { DAY } from './time.ts'

/** How far before the period a still-open cycle is reconstructed from (see README). */
export const LOOKBACK_MS = 90 * DAY

/** Measurement ids, stored as one byte per measurement in the facts (never renumber). */
export const Metric = {
  opened: 0,
  assigned: 1,
  closed: 2,
  messagesIn: 3,
  messagesOut: 4,
  botMessages: 5,
  failed: 6,
  botHandled: 7,
  humanHandled: 8,
  firstResponse: 9,
  reply: 10,
  resolution: 11,
  unassignedWait: 12,
} as const
export type MetricId = typeof Metric[keyof typeof Metric]
/** ids 0 … COUNT_METRICS - 1 are counts; the DURATION_METRICS after them are durations */
export const COUNT_METRICS = 9
export const DURATION_METRICS = 4

/** A conversation as the replay sees it (assignee and team as they are now). */
export interface Conv {
  id: string
  channelId: string
  contactId: string
  assigneeId: string | null
  teamId: string | null
  labels: string[]
}

/** One conversation cycle: from an inbound message that opens it to its close. */
export interface Cycle {
  conv: Conv
  start: number
  closedAt: number | null
  firstResponse: number | null
  replies: number[]
  resolution: number | null
  /** sum of the cycle's measured unassigned waits */
  unassignedWait: number | null
  messagesIn: number
  messagesOut: number
  botMessages: number
  humanOut: boolean
  anyOut: boolean
  /** assignee and team when the cycle closed (or at the end of the period) */
  assigneeId: string | null
  teamId: string | null
  humanAgents: Set<string>
  /** time of the cycle's first human outbound message / first outbound of any kind (null: none) */
  firstHumanAt: number | null
  firstOutAt: number | null
  /** time of the last assignment or team event while the cycle was open (null: none) */
  lastChangeAt: number | null
}

export interface Sink {
  /** a measurement at `at` (within the period); value = duration in ms for duration metrics */
  measure: (metric: MetricId, conv: Conv, at: number, value: number | null, agentId: string | null, teamId: string | null, reason?: string | null) => void
  /** a cycle that was active in the period, when it ended or the period did (CSV) */
  cycle?: (cycle: Cycle) => void
}

export interface ReplayOptions {
  workspaceId: string
  caller: SessionAgent
  from: number
  to: number
  channelId?: string
  labelId?: string
  /** only these conversations (the facts' fallback for long-open cycles, scan.ts) */
  onlyConversations?: string[]
  /** business time between two instants (defaults to wall time) */
  duration: (a: number, b: number) => number
}
