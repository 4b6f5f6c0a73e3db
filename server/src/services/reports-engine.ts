/**
 * The one place that turns recorded history into measurements. It replays each conversation's
 * messages and assignment / team / status events in time order through a small state machine
 * (the README's "Reports" section is its specification) and hands every measurement that falls in
 * the period to a sink: the summary aggregates them, the drill-down filters them, the CSV export
 * collects cycles. Everything shown in a report therefore comes from the same replay.
 */
import type { Db } from '../storage/db.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { conversationVisibility } from './access.ts'
import { DAY } from './reports-time.ts'

/** How far before the period a still-open cycle is reconstructed from (see README). */
export const LOOKBACK_MS = 90 * DAY

export const M = {
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
export type MetricId = typeof M[keyof typeof M]
export const COUNT_METRICS = 9
export const DURATION_METRICS = 4

export interface Conv {
  id: string
  channelId: string
  contactId: string
  assigneeId: string | null
  teamId: string | null
  labels: string[]
}

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
  /** only these conversations (the facts' fallback, reports-facts.ts) */
  onlyConversations?: string[]
  /** business time between two instants (defaults to wall time) */
  duration: (a: number, b: number) => number
}

interface MessageRow { c: string, t: number, k: number, a: string | null, e: string | null }
interface EventRow { c: string, kind: string, v: string | null, f: string | null, t: number }

// Message kinds as computed in SQL: 0 inbound, 1 human outbound, 2 bot outbound (sent_by null), 3 failed outbound.
const IN = 0
const HUMAN = 1
const FAILED = 3

export async function loadConversations(db: Db, options: Pick<ReplayOptions, 'workspaceId' | 'caller' | 'channelId' | 'labelId' | 'onlyConversations'>): Promise<Map<string, Conv>> {
  let query = db.selectFrom('conversations')
    .select([
      'id',
      'channel_id',
      'contact_id',
      'assignee_id',
      'team_id',
    ])
    .where('workspace_id', '=', options.workspaceId)
  const visible = conversationVisibility(options.caller)
  if (visible)
    query = query.where(visible)
  if (options.channelId)
    query = query.where('channel_id', '=', options.channelId)
  if (options.onlyConversations) {
    query = query.where('id', 'in', options.onlyConversations.length
      ? options.onlyConversations
      : [''])
  }
  if (options.labelId) {
    const labelId = options.labelId
    query = query.where('contact_id', 'in', eb => eb.selectFrom('contact_labels').select('contact_id').where('label_id', '=', labelId))
  }
  const labels = new Map<string, string[]>()
  let labelQuery = db.selectFrom('contact_labels').select(['contact_id', 'label_id']).where('workspace_id', '=', options.workspaceId)
  if (options.onlyConversations) {
    const only = options.onlyConversations.length
      ? options.onlyConversations
      : ['']
    labelQuery = labelQuery.where('contact_id', 'in', eb => eb.selectFrom('conversations').select('contact_id').where('id', 'in', only))
  }
  for (const row of await labelQuery.execute()) {
    const list = labels.get(row.contact_id)
    if (list)
      list.push(row.label_id)
    else labels.set(row.contact_id, [row.label_id])
  }
  const map = new Map<string, Conv>()
  for (const row of await query.execute()) {
    map.set(row.id, {
      id: row.id,
      channelId: row.channel_id,
      contactId: row.contact_id,
      assigneeId: row.assignee_id,
      teamId: row.team_id,
      labels: labels.get(row.contact_id) ?? [],
    })
  }
  return map
}

/** Replays history and feeds `sink`; answers the conversations considered. */
export async function replay(db: Db, options: ReplayOptions, sink: Sink): Promise<Map<string, Conv>> {
  const { from, to, duration } = options
  const ws = options.workspaceId
  const cap = Math.max(0, from - LOOKBACK_MS)
  const only = options.onlyConversations
  const onlyEvents = only
    ? sql`AND conversation_id IN (${sql.join(only.length
      ? only
      : [''])})`
    : sql``
  const onlyMessages = only
    ? sql`AND m.conversation_id IN (${sql.join(only.length
      ? only
      : [''])})`
    : sql``
  const [convs, events, messages] = await Promise.all([
    loadConversations(db, options),
    sql<EventRow>`SELECT conversation_id AS c, kind, to_value AS v, from_value AS f, created_at AS t
      FROM conversation_events WHERE workspace_id = ${ws} AND created_at >= ${cap} ${onlyEvents}
      ORDER BY created_at, id`.execute(db),
    // A cycle still open at `from` is rebuilt from the conversation's last close before `from`
    // (or from the lookback cap); messages before that cannot change anything in the period.
    sql<MessageRow>`WITH anchors AS (
        SELECT conversation_id, max(created_at) AS anchor FROM conversation_events
        WHERE workspace_id = ${ws} AND kind = 'status' AND to_value = 'closed' AND created_at >= ${cap} AND created_at < ${from} ${onlyEvents}
        GROUP BY conversation_id
      )
      SELECT m.conversation_id AS c, m.timestamp AS t,
        CASE WHEN m.direction = 'in' THEN 0 WHEN m.status = 'failed' THEN 3 WHEN m.sent_by IS NULL THEN 2 ELSE 1 END AS k,
        m.sent_by AS a,
        CASE WHEN m.status = 'failed' THEN m.error END AS e
      FROM messages m LEFT JOIN anchors ON anchors.conversation_id = m.conversation_id
      WHERE m.workspace_id = ${ws} AND m.timestamp >= ${cap} AND m.timestamp < ${to}
        AND (anchors.anchor IS NULL OR m.timestamp > anchors.anchor) ${onlyMessages}
      ORDER BY m.conversation_id, m.timestamp, m.id`.execute(db),
  ])

  const eventsOf = new Map<string, EventRow[]>()
  for (const e of events.rows) {
    if (!convs.has(e.c))
      continue
    const list = eventsOf.get(e.c)
    if (list)
      list.push(e)
    else eventsOf.set(e.c, [e])
  }

  const rows = messages.rows
  let i = 0
  while (i < rows.length) {
    const c = rows[i]!.c
    let j = i + 1
    while (j < rows.length && rows[j]!.c === c)
      j++
    const conv = convs.get(c)
    if (conv) {
      replayConversation(conv, rows, i, j, eventsOf.get(c) ?? [], from, to, duration, sink)
      eventsOf.delete(c)
    }
    i = j
  }
  for (const [c, list] of eventsOf)
    replayConversation(convs.get(c)!, rows, 0, 0, list, from, to, duration, sink)
  return convs
}

export function replayConversation(conv: Conv, rows: MessageRow[], start: number, end: number, events: EventRow[], from: number, to: number, duration: (a: number, b: number) => number, sink: Sink): void {
  // State at the start of the window: undo the window's events from the state as it is now.
  let assignee = conv.assigneeId
  let team = conv.teamId
  let seenAssign = false
  let seenTeam = false
  for (const e of events) {
    if (e.kind === 'assigned' && !seenAssign) {
      assignee = e.f
      seenAssign = true
    }
    else if (e.kind === 'team' && !seenTeam) {
      team = e.f
      seenTeam = true
    }
  }

  let cycle: Cycle | null = null
  let unassignedSince: number | null = null
  let pendingReply: number | null = null
  /** the last message that counts for clocks: inbound or human outbound (bots are transparent) */
  let lastHuman = false

  const inPeriod = (t: number) => t >= from && t < to

  const finish = (closedAt: number | null) => {
    const c = cycle!
    c.closedAt = closedAt
    c.assigneeId = assignee
    c.teamId = team
    if (inPeriod(c.start)) {
      if (c.humanOut)
        sink.measure(M.humanHandled, conv, c.start, null, assignee, team)
      else if (c.anyOut)
        sink.measure(M.botHandled, conv, c.start, null, assignee, team)
    }
    if (sink.cycle && c.start < to && (closedAt === null || closedAt >= from))
      sink.cycle(c)
    cycle = null
    unassignedSince = null
    pendingReply = null
  }

  let ei = 0
  let mi = start
  while (mi < end || ei < events.length) {
    // Messages first at equal times: a reply and a close in the same millisecond are reply, then close.
    const takeMessage = mi < end && (ei >= events.length || rows[mi]!.t <= events[ei]!.t)
    if (takeMessage) {
      const m = rows[mi++]!
      const t = m.t
      const counted = inPeriod(t)
      if (m.k === IN) {
        if (counted)
          sink.measure(M.messagesIn, conv, t, null, assignee, team)
        if (!cycle) {
          cycle = {
            conv,
            start: t,
            closedAt: null,
            firstResponse: null,
            replies: [],
            resolution: null,
            unassignedWait: null,
            messagesIn: 0,
            messagesOut: 0,
            botMessages: 0,
            humanOut: false,
            anyOut: false,
            assigneeId: null,
            teamId: null,
            humanAgents: new Set(),
            firstHumanAt: null,
            firstOutAt: null,
            lastChangeAt: null,
          }
          if (counted)
            sink.measure(M.opened, conv, t, null, assignee, team)
          unassignedSince = assignee === null
            ? t
            : null
          lastHuman = false
        }
        else if (lastHuman && cycle.firstResponse !== null) {
          pendingReply = t
        }
        cycle.messagesIn++
        lastHuman = false
        continue
      }
      const agent = m.a
      if (counted) {
        sink.measure(M.messagesOut, conv, t, null, agent, team)
        if (agent === null)
          sink.measure(M.botMessages, conv, t, null, null, team)
        if (m.k === FAILED)
          sink.measure(M.failed, conv, t, null, agent, team, m.e)
      }
      if (cycle) {
        cycle.messagesOut++
        if (agent === null)
          cycle.botMessages++
        cycle.anyOut = true
        cycle.firstOutAt ??= t
      }
      if (m.k !== HUMAN)
        continue
      // A human outbound message that did not fail: stops the running clock.
      lastHuman = true
      if (!cycle)
        continue
      cycle.humanOut = true
      cycle.firstHumanAt ??= t
      cycle.humanAgents.add(agent!)
      if (cycle.firstResponse === null) {
        const d = duration(cycle.start, t)
        cycle.firstResponse = d
        if (counted)
          sink.measure(M.firstResponse, conv, t, d, agent, team)
      }
      else if (pendingReply !== null) {
        const d = duration(pendingReply, t)
        cycle.replies.push(d)
        if (counted)
          sink.measure(M.reply, conv, t, d, agent, team)
        pendingReply = null
      }
      continue
    }
    const e = events[ei++]!
    const t = e.t
    if (t >= to) {
      // Events after the period only served to rebuild the initial state.
      ei = events.length
      continue
    }
    const counted = inPeriod(t)
    if (cycle && (e.kind === 'assigned' || e.kind === 'team'))
      cycle.lastChangeAt = t
    if (e.kind === 'assigned') {
      assignee = e.v
      if (e.v !== null) {
        if (counted)
          sink.measure(M.assigned, conv, t, null, e.v, team)
        if (cycle && unassignedSince !== null) {
          const d = duration(unassignedSince, t)
          cycle.unassignedWait = (cycle.unassignedWait ?? 0) + d
          if (counted)
            sink.measure(M.unassignedWait, conv, t, d, e.v, team)
        }
        unassignedSince = null
      }
      else if (cycle) {
        unassignedSince = t
      }
    }
    else if (e.kind === 'team') {
      team = e.v
    }
    else if (e.kind === 'status' && e.v === 'closed' && cycle) {
      const d = duration(cycle.start, t)
      cycle.resolution = d
      if (counted) {
        sink.measure(M.closed, conv, t, null, assignee, team)
        sink.measure(M.resolution, conv, t, d, assignee, team)
      }
      finish(t)
    }
  }
  // Skip any events left (after `to`) and close the books on a cycle still open.
  if (cycle)
    finish(null)
}

/**
 * The whole recorded history of some conversations, for the facts (reports-facts.ts): the same
 * rows and order as `replay` reads, without the period's bounds.
 */
export async function loadHistory(db: Db, workspaceId: string, ids: string[]): Promise<{ convs: Conv[], messages: MessageRow[], events: Map<string, EventRow[]> }> {
  if (ids.length === 0) {
    return {
      convs: [],
      messages: [],
      events: new Map(),
    }
  }
  const list = sql.join(ids)
  const [convRows, events, messages] = await Promise.all([
    sql<{ id: string, channel_id: string, contact_id: string, assignee_id: string | null, team_id: string | null }>`SELECT id, channel_id, contact_id, assignee_id, team_id
      FROM conversations WHERE workspace_id = ${workspaceId} AND id IN (${list})`.execute(db),
    sql<EventRow>`SELECT conversation_id AS c, kind, to_value AS v, from_value AS f, created_at AS t
      FROM conversation_events WHERE conversation_id IN (${list}) AND workspace_id = ${workspaceId}
      ORDER BY created_at, id`.execute(db),
    sql<MessageRow>`SELECT m.conversation_id AS c, m.timestamp AS t,
        CASE WHEN m.direction = 'in' THEN 0 WHEN m.status = 'failed' THEN 3 WHEN m.sent_by IS NULL THEN 2 ELSE 1 END AS k,
        m.sent_by AS a,
        CASE WHEN m.status = 'failed' THEN m.error END AS e
      FROM messages m WHERE m.conversation_id IN (${list}) AND m.workspace_id = ${workspaceId}
      ORDER BY m.conversation_id, m.timestamp, m.id`.execute(db),
  ])
  const eventsOf = new Map<string, EventRow[]>()
  for (const e of events.rows) {
    const l = eventsOf.get(e.c)
    if (l)
      l.push(e)
    else eventsOf.set(e.c, [e])
  }
  return {
    convs: convRows.rows.map(r => ({
      id: r.id,
      channelId: r.channel_id,
      contactId: r.contact_id,
      assigneeId: r.assignee_id,
      teamId: r.team_id,
      labels: [],
    })),
    messages: messages.rows.map(r => ({
      c: r.c,
      t: Number(r.t),
      k: Number(r.k),
      a: r.a,
      e: r.e,
    })),
    events: eventsOf,
  }
}

export type { EventRow, MessageRow }
