/**
 * The stored form of one UTC day's facts (`report_segments.data`): parallel columns, one entry
 * per measurement and one per cycle, packed into one little blob. Keys (agents, teams, numbers,
 * failure reasons) are dense indexes into `report_keys` (keys.ts), conversations indexes into
 * `report_conv`; -1 is "none".
 *
 * Layout (the order below is the format: existing databases hold it, never reorder):
 *   u32 measureCount, u32 cycleCount,
 *   f64 × measureCount: at, start,
 *   f64 × cycleCount: cycleStart, cycleClosedAt, cycleFirstHumanAt, cycleFirstOutAt, cycleLastChangeAt,
 *   i32 × measureCount: conversation, agent, team, channel, reason,
 *   i32 × cycleCount: cycleConversation, cycleAgent, cycleTeam, cycleChannel,
 *   u8 × measureCount: metric.
 */

/** A day's facts, columnar (index i of every measurement column is measurement i; same for cycles). */
export interface Segment {
  measureCount: number
  /** Metric id (metrics.ts) */
  metric: Uint8Array
  at: Float64Array
  /** a duration's start (its value is at − start, or business time between them); NaN for counts */
  start: Float64Array
  conversation: Int32Array
  agent: Int32Array
  team: Int32Array
  /** the conversation's number (WhatsApp channel) */
  channel: Int32Array
  /** failure reason of a failed message; -1 otherwise */
  reason: Int32Array
  /** cycles started that day */
  cycleCount: number
  cycleStart: Float64Array
  /** close / first human outbound / first outbound / last assignment or team change (NaN: none) */
  cycleClosedAt: Float64Array
  cycleFirstHumanAt: Float64Array
  cycleFirstOutAt: Float64Array
  cycleLastChangeAt: Float64Array
  cycleConversation: Int32Array
  /** assignee and team at the cycle's end */
  cycleAgent: Int32Array
  cycleTeam: Int32Array
  cycleChannel: Int32Array
}

type Column<T> = { [K in keyof Segment]: Segment[K] extends T ? K : never }[keyof Segment]

// The blob's sections, in the order they are written.
const MEASURE_F64: ReadonlyArray<Column<Float64Array>> = ['at', 'start']
const CYCLE_F64: ReadonlyArray<Column<Float64Array>> = [
  'cycleStart',
  'cycleClosedAt',
  'cycleFirstHumanAt',
  'cycleFirstOutAt',
  'cycleLastChangeAt',
]
const MEASURE_I32: ReadonlyArray<Column<Int32Array>> = [
  'conversation',
  'agent',
  'team',
  'channel',
  'reason',
]
const CYCLE_I32: ReadonlyArray<Column<Int32Array>> = [
  'cycleConversation',
  'cycleAgent',
  'cycleTeam',
  'cycleChannel',
]

function grown<T extends Float64Array | Int32Array | Uint8Array>(old: T | undefined, make: (n: number) => T, cap: number, used: number): T {
  const next = make(cap)
  if (old)
    next.set(old.subarray(0, used) as never)
  return next
}

/** Grows a segment by appending; `encode()` answers the stored blob. */
export class SegmentBuilder {
  measureCount = 0
  cycleCount = 0
  private readonly columns = {} as Omit<Segment, 'measureCount' | 'cycleCount'>
  private measureCap = 0
  private cycleCap = 0

  constructor() {
    this.growMeasures(64)
    this.growCycles(16)
  }

  private growMeasures(cap: number) {
    const c = this.columns
    this.measureCap = cap
    c.metric = grown(c.metric, n => new Uint8Array(n), cap, this.measureCount)
    for (const k of MEASURE_F64)
      c[k] = grown(c[k], n => new Float64Array(n), cap, this.measureCount)
    for (const k of MEASURE_I32)
      c[k] = grown(c[k], n => new Int32Array(n), cap, this.measureCount)
  }

  private growCycles(cap: number) {
    const c = this.columns
    this.cycleCap = cap
    for (const k of CYCLE_F64)
      c[k] = grown(c[k], n => new Float64Array(n), cap, this.cycleCount)
    for (const k of CYCLE_I32)
      c[k] = grown(c[k], n => new Int32Array(n), cap, this.cycleCount)
  }

  measure(metric: number, at: number, start: number, conversation: number, agent: number, team: number, channel: number, reason: number) {
    if (this.measureCount === this.measureCap)
      this.growMeasures(this.measureCap * 2)
    const i = this.measureCount++
    const c = this.columns
    c.metric[i] = metric
    c.at[i] = at
    c.start[i] = start
    c.conversation[i] = conversation
    c.agent[i] = agent
    c.team[i] = team
    c.channel[i] = channel
    c.reason[i] = reason
  }

  cycle(start: number, closedAt: number, firstHumanAt: number, firstOutAt: number, lastChangeAt: number, conversation: number, agent: number, team: number, channel: number) {
    if (this.cycleCount === this.cycleCap)
      this.growCycles(this.cycleCap * 2)
    const i = this.cycleCount++
    const c = this.columns
    c.cycleStart[i] = start
    c.cycleClosedAt[i] = closedAt
    c.cycleFirstHumanAt[i] = firstHumanAt
    c.cycleFirstOutAt[i] = firstOutAt
    c.cycleLastChangeAt[i] = lastChangeAt
    c.cycleConversation[i] = conversation
    c.cycleAgent[i] = agent
    c.cycleTeam[i] = team
    c.cycleChannel[i] = channel
  }

  /** copies a segment's rows except those of conversations in `drop` */
  copy(s: Segment, drop: Set<number>) {
    for (let i = 0; i < s.measureCount; i++) {
      if (!drop.has(s.conversation[i]!))
        this.measure(s.metric[i]!, s.at[i]!, s.start[i]!, s.conversation[i]!, s.agent[i]!, s.team[i]!, s.channel[i]!, s.reason[i]!)
    }
    for (let i = 0; i < s.cycleCount; i++) {
      if (!drop.has(s.cycleConversation[i]!))
        this.cycle(s.cycleStart[i]!, s.cycleClosedAt[i]!, s.cycleFirstHumanAt[i]!, s.cycleFirstOutAt[i]!, s.cycleLastChangeAt[i]!, s.cycleConversation[i]!, s.cycleAgent[i]!, s.cycleTeam[i]!, s.cycleChannel[i]!)
    }
  }

  encode(): Uint8Array {
    const n = this.measureCount
    const cn = this.cycleCount
    const c = this.columns
    const size = 8 + 8 * (MEASURE_F64.length * n + CYCLE_F64.length * cn) + 4 * (MEASURE_I32.length * n + CYCLE_I32.length * cn) + n
    const buf = new ArrayBuffer(size)
    const head = new Uint32Array(buf, 0, 2)
    head[0] = n
    head[1] = cn
    let off = 8
    for (const k of MEASURE_F64) {
      new Float64Array(buf, off, n).set(c[k].subarray(0, n))
      off += 8 * n
    }
    for (const k of CYCLE_F64) {
      new Float64Array(buf, off, cn).set(c[k].subarray(0, cn))
      off += 8 * cn
    }
    for (const k of MEASURE_I32) {
      new Int32Array(buf, off, n).set(c[k].subarray(0, n))
      off += 4 * n
    }
    for (const k of CYCLE_I32) {
      new Int32Array(buf, off, cn).set(c[k].subarray(0, cn))
      off += 4 * cn
    }
    new Uint8Array(buf, off, n).set(c.metric.subarray(0, n))
    return new Uint8Array(buf)
  }
}

export function decodeSegment(data: Uint8Array): Segment {
  // Copy into a fresh (aligned) buffer: the driver's Buffer may sit at any offset of a pool.
  const buf = new ArrayBuffer(data.byteLength)
  new Uint8Array(buf).set(data)
  const head = new Uint32Array(buf, 0, 2)
  const n = head[0]!
  const cn = head[1]!
  let off = 8
  const f64 = (count: number) => {
    const view = new Float64Array(buf, off, count)
    off += 8 * count
    return view
  }
  const i32 = (count: number) => {
    const view = new Int32Array(buf, off, count)
    off += 4 * count
    return view
  }
  // in the order encode() writes them; one literal shape for every segment
  const at = f64(n)
  const start = f64(n)
  const cycleStart = f64(cn)
  const cycleClosedAt = f64(cn)
  const cycleFirstHumanAt = f64(cn)
  const cycleFirstOutAt = f64(cn)
  const cycleLastChangeAt = f64(cn)
  const conversation = i32(n)
  const agent = i32(n)
  const team = i32(n)
  const channel = i32(n)
  const reason = i32(n)
  const cycleConversation = i32(cn)
  const cycleAgent = i32(cn)
  const cycleTeam = i32(cn)
  const cycleChannel = i32(cn)
  const metric = new Uint8Array(buf, off, n)
  return {
    measureCount: n,
    metric,
    at,
    start,
    conversation,
    agent,
    team,
    channel,
    reason,
    cycleCount: cn,
    cycleStart,
    cycleClosedAt,
    cycleFirstHumanAt,
    cycleFirstOutAt,
    cycleLastChangeAt,
    cycleConversation,
    cycleAgent,
    cycleTeam,
    cycleChannel,
  }
}
