/**
 * The one place that turns recorded history into measurements. It replays each conversation's
 * messages and assignment / team / status events in time order through a small state machine
 * (docs/reports.md is its specification) and hands every measurement that falls in
 * the period to a sink: the summary aggregates them, the drill-down filters them, the CSV export
 * collects cycles. Everything shown in a report therefore comes from the same replay.
 */
import type { Db } from '../storage/db.ts'
import type { EventRow, MessageRow } from './history.ts'
import type { Conv, Cycle, ReplayOptions, Sink } from './metrics.ts'
import { eventsByConversation, loadConversations, loadPeriodHistory, MessageKind } from './history.ts'
import { Metric } from './metrics.ts'

/** Replays history and feeds `sink`; answers the conversations considered. */
export async function replay(db: Db, options: ReplayOptions, sink: Sink): Promise<Map<string, Conv>> {
  const { from, to, duration } = options
  const [convs, history] = await Promise.all([
    loadConversations(db, options),
    loadPeriodHistory(db, options),
  ])
  const eventsOf = eventsByConversation(history.events, id => convs.has(id))
  const rows = history.messages
  let i = 0
  while (i < rows.length) {
    const id = rows[i]!.conversationId
    let j = i + 1
    while (j < rows.length && rows[j]!.conversationId === id)
      j++
    const conv = convs.get(id)
    if (conv) {
      replayConversation(conv, rows, i, j, eventsOf.get(id) ?? [], from, to, duration, sink)
      eventsOf.delete(id)
    }
    i = j
  }
  for (const [id, list] of eventsOf)
    replayConversation(convs.get(id)!, rows, 0, 0, list, from, to, duration, sink)
  return convs
}

/** Replays one conversation: its messages rows[start, end) and its events, both in time order. */
export function replayConversation(conv: Conv, rows: MessageRow[], start: number, end: number, events: EventRow[], from: number, to: number, duration: (a: number, b: number) => number, sink: Sink): void {
  const state = new ConversationReplay(conv, events, from, to, duration, sink)
  let ei = 0
  let mi = start
  while (mi < end || ei < events.length) {
    // Messages first at equal times: a reply and a close in the same millisecond are reply, then close.
    if (mi < end && (ei >= events.length || rows[mi]!.at <= events[ei]!.at)) {
      state.message(rows[mi++]!)
      continue
    }
    const e = events[ei++]!
    if (e.at >= to) {
      // Events after the period only served to rebuild the initial state.
      ei = events.length
      continue
    }
    state.event(e)
  }
  // Skip any events left (after `to`) and close the books on a cycle still open.
  if (state.cycle)
    state.finish(null)
}

function newCycle(conv: Conv, start: number): Cycle {
  return {
    conv,
    start,
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
}

/** The state machine of one conversation's replay (docs/reports.md). */
class ConversationReplay {
  assignee: string | null
  team: string | null
  cycle: Cycle | null = null
  private unassignedSince: number | null = null
  private pendingReply: number | null = null
  /** the last message that counts for clocks: inbound or human outbound (bots are transparent) */
  private lastHuman = false

  private readonly conv: Conv
  private readonly from: number
  private readonly to: number
  private readonly duration: (a: number, b: number) => number
  private readonly sink: Sink

  constructor(conv: Conv, events: EventRow[], from: number, to: number, duration: (a: number, b: number) => number, sink: Sink) {
    this.conv = conv
    this.from = from
    this.to = to
    this.duration = duration
    this.sink = sink
    // State at the start of the window: undo the window's events from the state as it is now.
    this.assignee = conv.assigneeId
    this.team = conv.teamId
    let seenAssign = false
    let seenTeam = false
    for (const e of events) {
      if (e.kind === 'assigned' && !seenAssign) {
        this.assignee = e.fromValue
        seenAssign = true
      }
      else if (e.kind === 'team' && !seenTeam) {
        this.team = e.fromValue
        seenTeam = true
      }
    }
  }

  private inPeriod(t: number): boolean {
    return t >= this.from && t < this.to
  }

  message(m: MessageRow): void {
    if (m.kind === MessageKind.inbound)
      this.inbound(m.at)
    else this.outbound(m)
  }

  private inbound(t: number): void {
    const counted = this.inPeriod(t)
    const { conv, sink } = this
    if (counted)
      sink.measure(Metric.messagesIn, conv, t, null, this.assignee, this.team)
    if (!this.cycle) {
      this.cycle = newCycle(conv, t)
      if (counted)
        sink.measure(Metric.opened, conv, t, null, this.assignee, this.team)
      this.unassignedSince = this.assignee === null
        ? t
        : null
      this.lastHuman = false
    }
    else if (this.lastHuman && this.cycle.firstResponse !== null) {
      this.pendingReply = t
    }
    this.cycle.messagesIn++
    this.lastHuman = false
  }

  private outbound(m: MessageRow): void {
    const t = m.at
    const counted = this.inPeriod(t)
    const { conv, sink, team, cycle } = this
    const agent = m.senderId
    if (counted) {
      sink.measure(Metric.messagesOut, conv, t, null, agent, team)
      if (agent === null)
        sink.measure(Metric.botMessages, conv, t, null, null, team)
      if (m.kind === MessageKind.failed)
        sink.measure(Metric.failed, conv, t, null, agent, team, m.error)
    }
    if (cycle) {
      cycle.messagesOut++
      if (agent === null)
        cycle.botMessages++
      cycle.anyOut = true
      cycle.firstOutAt ??= t
    }
    if (m.kind !== MessageKind.human)
      return
    // A human outbound message that did not fail: stops the running clock.
    this.lastHuman = true
    if (!cycle)
      return
    cycle.humanOut = true
    cycle.firstHumanAt ??= t
    cycle.humanAgents.add(agent!)
    if (cycle.firstResponse === null) {
      const d = this.duration(cycle.start, t)
      cycle.firstResponse = d
      if (counted)
        sink.measure(Metric.firstResponse, conv, t, d, agent, team)
    }
    else if (this.pendingReply !== null) {
      const d = this.duration(this.pendingReply, t)
      cycle.replies.push(d)
      if (counted)
        sink.measure(Metric.reply, conv, t, d, agent, team)
      this.pendingReply = null
    }
  }

  /** an event before `to` */
  event(e: EventRow): void {
    const t = e.at
    const counted = this.inPeriod(t)
    const { conv, sink, cycle } = this
    if (cycle && (e.kind === 'assigned' || e.kind === 'team'))
      cycle.lastChangeAt = t
    if (e.kind === 'assigned') {
      this.assignee = e.toValue
      if (e.toValue !== null) {
        if (counted)
          sink.measure(Metric.assigned, conv, t, null, e.toValue, this.team)
        if (cycle && this.unassignedSince !== null) {
          const d = this.duration(this.unassignedSince, t)
          cycle.unassignedWait = (cycle.unassignedWait ?? 0) + d
          if (counted)
            sink.measure(Metric.unassignedWait, conv, t, d, e.toValue, this.team)
        }
        this.unassignedSince = null
      }
      else if (cycle) {
        this.unassignedSince = t
      }
    }
    else if (e.kind === 'team') {
      this.team = e.toValue
    }
    else if (e.kind === 'status' && e.toValue === 'closed' && cycle) {
      const d = this.duration(cycle.start, t)
      cycle.resolution = d
      if (counted) {
        sink.measure(Metric.closed, conv, t, null, this.assignee, this.team)
        sink.measure(Metric.resolution, conv, t, d, this.assignee, this.team)
      }
      this.finish(t)
    }
  }

  /** ends the open cycle at `closedAt` (null: still open at the end of the period) */
  finish(closedAt: number | null): void {
    const c = this.cycle!
    const { conv, sink, assignee, team } = this
    c.closedAt = closedAt
    c.assigneeId = assignee
    c.teamId = team
    if (this.inPeriod(c.start)) {
      if (c.humanOut)
        sink.measure(Metric.humanHandled, conv, c.start, null, assignee, team)
      else if (c.anyOut)
        sink.measure(Metric.botHandled, conv, c.start, null, assignee, team)
    }
    if (sink.cycle && c.start < this.to && (closedAt === null || closedAt >= this.from))
      sink.cycle(c)
    this.cycle = null
    this.unassignedSince = null
    this.pendingReply = null
  }
}
