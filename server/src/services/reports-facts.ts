/**
 * Materialised report facts: the output of the reports replay (reports-engine.ts), kept so a
 * report reads facts instead of re-reading and replaying every message of its period.
 *
 * Each conversation's whole history is replayed once (and again whenever it changes) with no
 * period: every measurement (a count at an instant, or a duration as its two endpoints) and every
 * cycle (start, close, first human / any outbound, last assignment or team change, assignee and
 * team at its end) is stored in the segment of its UTC day — one columnar blob per workspace and
 * day, its agents / teams / numbers / failure reasons as dense indexes (`report_keys`). Durations
 * keep their raw endpoints, so business hours and time zones are applied when a report is asked.
 *
 * Freshness: triggers queue every conversation whose messages, events or assignee / team change
 * (`report_dirty`, migration 0005). `refreshFacts` replays exactly those conversations and, per
 * UTC day, rewrites only the segments whose facts for them changed (a hash per conversation and
 * day). Reports refresh before reading and a background timer refreshes every few seconds, so a
 * report reflects every change committed before it started.
 *
 * Concurrency: one refresh per workspace at a time — in-process by a promise chain; across
 * processes on PostgreSQL by a transaction-scoped advisory lock held for the whole refresh (SQLite
 * serialises writers; its refresh writes in one short transaction).
 */
import type { Db } from '../storage/db.ts'
import type { Conv, Cycle } from './reports-engine.ts'
import { sql } from 'kysely'
import { isPostgres } from '../storage/db.ts'
import { loadHistory, LOOKBACK_MS, M, replayConversation } from './reports-engine.ts'
import { DAY } from './reports-time.ts'

export type KeyKind = 'a' | 't' | 'h' | 'r'

/** A day's facts, columnar. Measurements: metric, at, start (durations; NaN for counts), conversation, agent / team / number / reason (-1: none). */
export interface Segment {
  n: number
  metric: Uint8Array
  at: Float64Array
  start: Float64Array
  conv: Int32Array
  agent: Int32Array
  team: Int32Array
  chan: Int32Array
  reason: Int32Array
  /** cycles started that day: start, close / first human outbound / first outbound / last assignment or team change (NaN: none), conversation, assignee and team at the end, number */
  cn: number
  cStart: Float64Array
  cClosed: Float64Array
  cHuman: Float64Array
  cOut: Float64Array
  cChange: Float64Array
  cConv: Int32Array
  cAgent: Int32Array
  cTeam: Int32Array
  cChan: Int32Array
}

const F64_M = ['at', 'start'] as const
const F64_C = [
  'cStart',
  'cClosed',
  'cHuman',
  'cOut',
  'cChange',
] as const
const I32_M = [
  'conv',
  'agent',
  'team',
  'chan',
  'reason',
] as const
const I32_C = ['cConv', 'cAgent', 'cTeam', 'cChan'] as const

interface MeasureEntry { metric: number, at: number, start: number, agent: number, team: number, reason: number }
interface CycleEntry { start: number, closed: number, human: number, out: number, change: number, agent: number, team: number }

/** Grows a segment by appending; `build()` answers the columnar arrays. */
class SegmentBuilder {
  n = 0
  cn = 0
  private m: Record<string, any> = {}
  private cap = 0
  private ccap = 0

  constructor() {
    this.grow(64)
    this.growCycles(16)
  }

  private grow(cap: number) {
    const old = this.m
    this.cap = cap
    const next: Record<string, any> = {
      metric: new Uint8Array(cap),
    }
    for (const k of F64_M)
      next[k] = new Float64Array(cap)
    for (const k of I32_M)
      next[k] = new Int32Array(cap)
    for (const k of [
      'metric',
      ...F64_M,
      ...I32_M,
    ]) {
      if (old[k])
        next[k].set(old[k].subarray(0, this.n))
    }
    Object.assign(this.m, next)
  }

  private growCycles(cap: number) {
    this.ccap = cap
    const next: Record<string, any> = {}
    for (const k of F64_C)
      next[k] = new Float64Array(cap)
    for (const k of I32_C)
      next[k] = new Int32Array(cap)
    for (const k of [
      ...F64_C,
      ...I32_C,
    ]) {
      if (this.m[k])
        next[k].set(this.m[k].subarray(0, this.cn))
    }
    Object.assign(this.m, next)
  }

  measure(metric: number, at: number, start: number, conv: number, agent: number, team: number, chan: number, reason: number) {
    if (this.n === this.cap)
      this.grow(this.cap * 2)
    const i = this.n++
    const m = this.m
    m.metric[i] = metric
    m.at[i] = at
    m.start[i] = start
    m.conv[i] = conv
    m.agent[i] = agent
    m.team[i] = team
    m.chan[i] = chan
    m.reason[i] = reason
  }

  cycle(start: number, closed: number, human: number, out: number, change: number, conv: number, agent: number, team: number, chan: number) {
    if (this.cn === this.ccap)
      this.growCycles(this.ccap * 2)
    const i = this.cn++
    const m = this.m
    m.cStart[i] = start
    m.cClosed[i] = closed
    m.cHuman[i] = human
    m.cOut[i] = out
    m.cChange[i] = change
    m.cConv[i] = conv
    m.cAgent[i] = agent
    m.cTeam[i] = team
    m.cChan[i] = chan
  }

  /** copies a segment's rows except those of conversations in `drop` */
  copy(s: Segment, drop: Set<number>) {
    for (let i = 0; i < s.n; i++) {
      if (!drop.has(s.conv[i]!))
        this.measure(s.metric[i]!, s.at[i]!, s.start[i]!, s.conv[i]!, s.agent[i]!, s.team[i]!, s.chan[i]!, s.reason[i]!)
    }
    for (let i = 0; i < s.cn; i++) {
      if (!drop.has(s.cConv[i]!))
        this.cycle(s.cStart[i]!, s.cClosed[i]!, s.cHuman[i]!, s.cOut[i]!, s.cChange[i]!, s.cConv[i]!, s.cAgent[i]!, s.cTeam[i]!, s.cChan[i]!)
    }
  }

  encode(): Uint8Array {
    const n = this.n
    const cn = this.cn
    const size = 8 + 8 * (F64_M.length * n + F64_C.length * cn) + 4 * (I32_M.length * n + I32_C.length * cn) + n
    const buf = new ArrayBuffer(size)
    const head = new Uint32Array(buf, 0, 2)
    head[0] = n
    head[1] = cn
    let off = 8
    for (const k of F64_M) {
      new Float64Array(buf, off, n).set(this.m[k].subarray(0, n))
      off += 8 * n
    }
    for (const k of F64_C) {
      new Float64Array(buf, off, cn).set(this.m[k].subarray(0, cn))
      off += 8 * cn
    }
    for (const k of I32_M) {
      new Int32Array(buf, off, n).set(this.m[k].subarray(0, n))
      off += 4 * n
    }
    for (const k of I32_C) {
      new Int32Array(buf, off, cn).set(this.m[k].subarray(0, cn))
      off += 4 * cn
    }
    new Uint8Array(buf, off, n).set(this.m.metric.subarray(0, n))
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
  const cStart = f64(cn)
  const cClosed = f64(cn)
  const cHuman = f64(cn)
  const cOut = f64(cn)
  const cChange = f64(cn)
  const conv = i32(n)
  const agent = i32(n)
  const team = i32(n)
  const chan = i32(n)
  const reason = i32(n)
  const cConv = i32(cn)
  const cAgent = i32(cn)
  const cTeam = i32(cn)
  const cChan = i32(cn)
  const metric = new Uint8Array(buf, off, n)
  return {
    n,
    metric,
    at,
    start,
    conv,
    agent,
    team,
    chan,
    reason,
    cn,
    cStart,
    cClosed,
    cHuman,
    cOut,
    cChange,
    cConv,
    cAgent,
    cTeam,
    cChan,
  }
}

/** Dense indexes of agent (a), team (t), number (h) and failure-reason (r) keys. */
export class Keys {
  readonly lists: Record<KeyKind, string[]> = { a: [], t: [], h: [], r: [] }
  private readonly maps: Record<KeyKind, Map<string, number>> = {
    a: new Map(),
    t: new Map(),
    h: new Map(),
    r: new Map(),
  }

  /** keys added since loading (to insert) */
  readonly added: Array<{ kind: KeyKind, key: string, idx: number }> = []

  load(kind: KeyKind, key: string, idx: number) {
    this.lists[kind][idx] = key
    this.maps[kind].set(key, idx)
  }

  /** the index of a key, -1 for none */
  find(kind: KeyKind, key: string | null | undefined): number {
    if (key === null || key === undefined)
      return -1
    return this.maps[kind].get(key) ?? -2
  }

  /** the index of a key, adding it when new */
  idx(kind: KeyKind, key: string | null | undefined): number {
    if (key === null || key === undefined)
      return -1
    let i = this.maps[kind].get(key)
    if (i === undefined) {
      i = this.lists[kind].length
      this.load(kind, key, i)
      this.added.push({ kind, key, idx: i })
    }
    return i
  }

  name(kind: KeyKind, idx: number): string | null {
    return idx < 0
      ? null
      : (this.lists[kind][idx] ?? null)
  }
}

async function loadKeys(db: Db, workspaceId: string): Promise<Keys> {
  const keys = new Keys()
  const rows = await sql<{ kind: KeyKind, key: string, idx: number }>`SELECT kind, key, idx FROM report_keys WHERE workspace_id = ${workspaceId}`.execute(db)
  for (const r of rows.rows)
    keys.load(r.kind, r.key, Number(r.idx))
  return keys
}

/** WhatsApp error JSON → code and title (unknown: 0). */
export function errorOf(text: string | null): { code: number, title: string } {
  try {
    const e = text
      ? JSON.parse(text)
      : null
    if (e && typeof e === 'object') {
      return {
        code: Number.isInteger(e.code)
          ? e.code
          : 0,
        title: typeof e.title === 'string'
          ? e.title
          : 'Unknown error',
      }
    }
  }
  catch {}
  return { code: 0, title: 'Unknown error' }
}

export function reasonKey(text: string | null): string {
  const { code, title } = errorOf(text)
  return `${code}\t${title}`
}

export function parseReasonKey(key: string): { code: number, title: string } {
  const tab = key.indexOf('\t')
  return {
    code: Number(key.slice(0, tab)),
    title: key.slice(tab + 1),
  }
}

/** 32-bit FNV-1a of a string */
function hash(text: string): string {
  let h = 0x811C9DC5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(36)
}

// ---------------------------------------------------------------------------------------------
// Refresh

const chains = new WeakMap<Db, Map<string, Promise<unknown>>>()

/** Runs `task` after the workspace's previous refresh in this process. */
function serialized<T>(db: Db, workspaceId: string, task: () => Promise<T>): Promise<T> {
  let map = chains.get(db)
  if (!map) {
    map = new Map()
    chains.set(db, map)
  }
  const previous = map.get(workspaceId) ?? Promise.resolve()
  const run = previous.then(task, task)
  const settled = run.then(() => {}, () => {})
  map.set(workspaceId, settled)
  void settled.then(() => {
    if (map.get(workspaceId) === settled)
      map.delete(workspaceId)
  })
  return run
}

/** a refresh of at least this many conversations refreshes the planner statistics (PostgreSQL) */
const ANALYZE_AFTER = 5000

export interface RefreshResult { conversations: number, days: number, ms: number }

/** Brings the workspace's facts up to date with every change queued so far. */
export async function refreshFacts(db: Db, workspaceId: string): Promise<RefreshResult> {
  return await serialized(db, workspaceId, async () => {
    const started = performance.now()
    await startTracking(db, workspaceId)
    let result: Omit<RefreshResult, 'ms'>
    if (isPostgres(db)) {
      result = await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`wa-inbox:reports:${workspaceId}`}))`.execute(trx)
        // Claim exactly the queued rows this transaction sees; rows committed later stay queued.
        const dirty = await sql<{ conversation_id: string }>`DELETE FROM report_dirty WHERE workspace_id = ${workspaceId} RETURNING conversation_id`.execute(trx)
        if (dirty.rows.length === 0)
          return { conversations: 0, days: 0 }
        const work = await compute(trx, workspaceId, [
          ...new Set(dirty.rows.map(r => r.conversation_id)),
        ])
        await write(trx, workspaceId, work)
        // After a large refresh (the first build), fresh planner statistics: the label join and
        // the lookups by workspace would otherwise be planned for the empty tables.
        if (work.conversations >= ANALYZE_AFTER)
          await sql`ANALYZE report_conv`.execute(trx)
        return { conversations: work.conversations, days: work.days.size }
      })
    }
    else {
      const dirty = await sql<{ seq: number, conversation_id: string }>`SELECT seq, conversation_id FROM report_dirty WHERE workspace_id = ${workspaceId} ORDER BY seq`.execute(db)
      if (dirty.rows.length === 0) {
        return {
          conversations: 0,
          days: 0,
          ms: Math.round(performance.now() - started),
        }
      }
      const maxSeq = Number(dirty.rows[dirty.rows.length - 1]!.seq)
      const work = await compute(db, workspaceId, [
        ...new Set(dirty.rows.map(r => r.conversation_id)),
      ])
      await db.transaction().execute(async (trx) => {
        await write(trx, workspaceId, work)
        // SQLite row ids grow with commits: rows queued after the read stay queued.
        await sql`DELETE FROM report_dirty WHERE workspace_id = ${workspaceId} AND seq <= ${maxSeq}`.execute(trx)
      })
      result = { conversations: work.conversations, days: work.days.size }
    }
    return {
      ...result,
      ms: Math.round(performance.now() - started),
    }
  })
}

/**
 * A workspace's first report: from now on the triggers queue its changes (its `report_state` row
 * is committed first), then everything recorded so far is queued once, so the refresh that
 * follows builds the facts of every conversation. Nothing written in between is missed: it is
 * either queued by a trigger or read by that refresh. Two instances doing this at once only queue
 * conversations twice (a refresh takes each once).
 */
async function startTracking(db: Db, workspaceId: string): Promise<void> {
  const state = await sql<{ one: number }>`SELECT 1 AS one FROM report_state WHERE workspace_id = ${workspaceId}`.execute(db)
  if (state.rows.length > 0)
    return
  await sql`INSERT INTO report_state (workspace_id, version, next_conv) VALUES (${workspaceId}, 0, 0) ON CONFLICT (workspace_id) DO NOTHING`.execute(db)
  await sql`INSERT INTO report_dirty (workspace_id, conversation_id) SELECT workspace_id, id FROM conversations WHERE workspace_id = ${workspaceId}`.execute(db)
}

/**
 * The background timer: refreshes the workspaces with queued changes. Only workspaces that use
 * reports queue anything (see the migration's triggers), so message ingest never competes with a
 * replay for a workspace nobody reports on.
 */
export async function refreshAllFacts(db: Db): Promise<number> {
  const rows = await sql<{ workspace_id: string }>`SELECT DISTINCT workspace_id FROM report_dirty`.execute(db)
  let n = 0
  for (const r of rows.rows)
    n += (await refreshFacts(db, r.workspace_id)).conversations
  return n
}

interface ConvRow { conversation_id: string, idx: number, days: string, open_since: number | null, long_cycles: string | null }

interface Work {
  conversations: number
  keys: Keys
  version: number
  nextConv: number
  /** per touched day: the conversations whose rows are replaced, and their new rows */
  days: Map<number, { drop: Set<number>, add: SegmentBuilder }>
  upserts: ConvRow[]
  deletes: string[]
}

const DROPPED = new Set<number>([M.botHandled, M.humanHandled])

async function compute(db: Db, workspaceId: string, ids: string[]): Promise<Work> {
  const [keys, state] = await Promise.all([
    loadKeys(db, workspaceId),
    sql<{ version: number, next_conv: number }>`SELECT version, next_conv FROM report_state WHERE workspace_id = ${workspaceId}`.execute(db),
  ])
  const work: Work = {
    conversations: ids.length,
    keys,
    version: Number(state.rows[0]?.version ?? 0) + 1,
    nextConv: Number(state.rows[0]?.next_conv ?? 0),
    days: new Map(),
    upserts: [],
    deletes: [],
  }
  const dayOf = (d: number) => {
    let entry = work.days.get(d)
    if (!entry) {
      entry = {
        drop: new Set(),
        add: new SegmentBuilder(),
      }
      work.days.set(d, entry)
    }
    return entry
  }
  const CHUNK = 1000
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK)
    const [old, history] = await Promise.all([
      sql<ConvRow>`SELECT conversation_id, idx, days FROM report_conv WHERE workspace_id = ${workspaceId} AND conversation_id IN (${sql.join(chunk)})`.execute(db),
      loadHistory(db, workspaceId, chunk),
    ])
    const oldOf = new Map(old.rows.map(r => [r.conversation_id, r]))
    const msgs = history.messages
    const ranges = new Map<string, [number, number]>()
    for (let j = 0; j < msgs.length;) {
      const c = msgs[j]!.c
      let k = j + 1
      while (k < msgs.length && msgs[k]!.c === c)
        k++
      ranges.set(c, [j, k])
      j = k
    }
    const present = new Set<string>()
    for (const conv of history.convs) {
      present.add(conv.id)
      const before = oldOf.get(conv.id)
      const measures: MeasureEntry[] = []
      const cycles: CycleEntry[] = []
      const sink = {
        measure(metric: number, _c: Conv, at: number, value: number | null, agentId: string | null, teamId: string | null, reason?: string | null) {
          if (DROPPED.has(metric))
            return
          measures.push({
            metric,
            at,
            start: value === null
              ? Number.NaN
              : at - value,
            agent: keys.idx('a', agentId),
            team: keys.idx('t', teamId),
            reason: metric === M.failed
              ? keys.idx('r', reasonKey(reason ?? null))
              : -1,
          })
        },
        cycle(c: Cycle) {
          cycles.push({
            start: c.start,
            closed: c.closedAt ?? Number.NaN,
            human: c.firstHumanAt ?? Number.NaN,
            out: c.firstOutAt ?? Number.NaN,
            change: c.lastChangeAt ?? Number.NaN,
            agent: keys.idx('a', c.assigneeId),
            team: keys.idx('t', c.teamId),
          })
        },
      }
      const [a, b] = ranges.get(conv.id) ?? [0, 0]
      replayConversation(conv, msgs, a, b, history.events.get(conv.id) ?? [], -Infinity, Infinity, (x, y) => y - x, sink)
      const chan = keys.idx('h', conv.channelId)
      // Facts per UTC day, and their hash: only days whose facts changed are rewritten.
      const perDay = new Map<number, string[]>()
      const text = (d: number) => {
        let l = perDay.get(d)
        if (!l) {
          l = []
          perDay.set(d, l)
        }
        return l
      }
      for (const e of measures)
        text(Math.floor(e.at / DAY)).push(`${e.metric},${e.at},${e.start},${e.agent},${e.team},${e.reason}`)
      for (const c of cycles)
        text(Math.floor(c.start / DAY)).push(`c${c.start},${c.closed},${c.human},${c.out},${c.change},${c.agent},${c.team}`)
      const hashes: Record<string, string> = {}
      for (const [d, l] of perDay)
        hashes[d] = hash(`${chan};${l.join(';')}`)
      const oldHashes: Record<string, string> = before
        ? JSON.parse(before.days)
        : {}
      const idx = before
        ? Number(before.idx)
        : work.nextConv++
      const touched = new Set<number>()
      for (const d of Object.keys(oldHashes)) {
        if (hashes[d] !== oldHashes[d])
          touched.add(Number(d))
      }
      for (const d of Object.keys(hashes)) {
        if (hashes[d] !== oldHashes[d])
          touched.add(Number(d))
      }
      for (const d of touched) {
        const entry = dayOf(d)
        if (before)
          entry.drop.add(idx)
      }
      for (const e of measures) {
        const d = Math.floor(e.at / DAY)
        if (touched.has(d))
          dayOf(d).add.measure(e.metric, e.at, e.start, idx, e.agent, e.team, chan, e.reason)
      }
      for (const c of cycles) {
        const d = Math.floor(c.start / DAY)
        if (touched.has(d))
          dayOf(d).add.cycle(c.start, c.closed, c.human, c.out, c.change, idx, c.agent, c.team, chan)
      }
      const open = cycles.find(c => Number.isNaN(c.closed))
      const long = cycles.filter(c => !Number.isNaN(c.closed) && c.closed - c.start > LOOKBACK_MS).map(c => [c.start, c.closed])
      work.upserts.push({
        conversation_id: conv.id,
        idx,
        days: JSON.stringify(hashes),
        open_since: open ? open.start : null,
        long_cycles: long.length
          ? JSON.stringify(long)
          : null,
      })
    }
    // Conversations that no longer exist: their facts go.
    for (const id of chunk) {
      const before = oldOf.get(id)
      if (present.has(id) || !before)
        continue
      for (const d of Object.keys(JSON.parse(before.days)))
        dayOf(Number(d)).drop.add(Number(before.idx))
      work.deletes.push(id)
    }
  }
  return work
}

async function write(db: Db, workspaceId: string, work: Work): Promise<void> {
  const days = [
    ...work.days.keys(),
  ]
  const postgres = isPostgres(db)
  for (let i = 0; i < days.length; i += 100) {
    const chunk = days.slice(i, i + 100)
    const current = await sql<{ day: number, data: Uint8Array }>`SELECT day, data FROM report_segments WHERE workspace_id = ${workspaceId} AND day IN (${sql.join(chunk)})`.execute(db)
    const existing = new Map(current.rows.map(r => [
      Number(r.day),
      r.data,
    ]))
    for (const day of chunk) {
      const { drop, add } = work.days.get(day)!
      const prior = existing.get(day)
      let out = add
      if (prior) {
        out = new SegmentBuilder()
        out.copy(decodeSegment(prior), drop)
        const fresh = add.encode()
        out.copy(decodeSegment(fresh), new Set())
      }
      if (out.n === 0 && out.cn === 0) {
        await sql`DELETE FROM report_segments WHERE workspace_id = ${workspaceId} AND day = ${day}`.execute(db)
        continue
      }
      const data = out.encode()
      const blob = postgres
        ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      await sql`INSERT INTO report_segments (workspace_id, day, version, data) VALUES (${workspaceId}, ${day}, ${work.version}, ${blob})
        ON CONFLICT (workspace_id, day) DO UPDATE SET version = excluded.version, data = excluded.data`.execute(db)
    }
  }
  for (let i = 0; i < work.deletes.length; i += 500)
    await sql`DELETE FROM report_conv WHERE workspace_id = ${workspaceId} AND conversation_id IN (${sql.join(work.deletes.slice(i, i + 500))})`.execute(db)
  for (let i = 0; i < work.upserts.length; i += 500) {
    const rows = work.upserts.slice(i, i + 500).map(r => sql`(${workspaceId}, ${r.conversation_id}, ${r.idx}, ${r.days}, ${r.open_since}, ${r.long_cycles})`)
    await sql`INSERT INTO report_conv (workspace_id, conversation_id, idx, days, open_since, long_cycles) VALUES ${sql.join(rows)}
      ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET days = excluded.days, open_since = excluded.open_since, long_cycles = excluded.long_cycles`.execute(db)
  }
  for (let i = 0; i < work.keys.added.length; i += 500) {
    const rows = work.keys.added.slice(i, i + 500).map(k => sql`(${workspaceId}, ${k.kind}, ${k.key}, ${k.idx})`)
    await sql`INSERT INTO report_keys (workspace_id, kind, key, idx) VALUES ${sql.join(rows)}`.execute(db)
  }
  await sql`INSERT INTO report_state (workspace_id, version, next_conv) VALUES (${workspaceId}, ${work.version}, ${work.nextConv})
    ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version, next_conv = excluded.next_conv`.execute(db)
}

// ---------------------------------------------------------------------------------------------
// Reading

interface CacheEntry { version: number, keys: Keys, segments: Map<number, { version: number, segment: Segment, bytes: number }>, bytes: number }
const caches = new WeakMap<Db, Map<string, CacheEntry>>()
/** decoded segments kept in memory per database handle, at most this many bytes per workspace */
const CACHE_BYTES = 512 * 1024 * 1024

export interface Facts { keys: Keys, segments: Segment[] }

/** The (fresh) facts of the UTC days covering [from, to). */
export async function loadFacts(db: Db, workspaceId: string, from: number, to: number): Promise<Facts> {
  let byWs = caches.get(db)
  if (!byWs) {
    byWs = new Map()
    caches.set(db, byWs)
  }
  const state = await sql<{ version: number }>`SELECT version FROM report_state WHERE workspace_id = ${workspaceId}`.execute(db)
  const version = Number(state.rows[0]?.version ?? 0)
  let cache = byWs.get(workspaceId)
  if (!cache || cache.version !== version) {
    cache = {
      version,
      keys: await loadKeys(db, workspaceId),
      segments: cache?.segments ?? new Map(),
      bytes: cache?.bytes ?? 0,
    }
    byWs.set(workspaceId, cache)
  }
  const first = Math.floor(from / DAY)
  const last = Math.floor((to - 1) / DAY)
  const listed = await sql<{ day: number, version: number }>`SELECT day, version FROM report_segments WHERE workspace_id = ${workspaceId} AND day >= ${first} AND day <= ${last}`.execute(db)
  const missing: number[] = []
  const present = new Set<number>()
  for (const r of listed.rows) {
    const day = Number(r.day)
    present.add(day)
    const hit = cache.segments.get(day)
    if (!hit || hit.version !== Number(r.version))
      missing.push(day)
  }
  for (let d = first; d <= last; d++) {
    const hit = cache.segments.get(d)
    if (hit && !present.has(d)) {
      cache.bytes -= hit.bytes
      cache.segments.delete(d)
    }
  }
  for (let i = 0; i < missing.length; i += 50) {
    const rows = await sql<{ day: number, version: number, data: Uint8Array }>`SELECT day, version, data FROM report_segments WHERE workspace_id = ${workspaceId} AND day IN (${sql.join(missing.slice(i, i + 50))})`.execute(db)
    for (const r of rows.rows) {
      const day = Number(r.day)
      const old = cache.segments.get(day)
      if (old)
        cache.bytes -= old.bytes
      const entry = {
        version: Number(r.version),
        segment: decodeSegment(r.data),
        bytes: r.data.byteLength,
      }
      cache.segments.set(day, entry)
      cache.bytes += entry.bytes
    }
  }
  const segments: Segment[] = []
  for (let d = first; d <= last; d++) {
    const hit = cache.segments.get(d)
    if (hit)
      segments.push(hit.segment)
  }
  if (cache.bytes > CACHE_BYTES)
    byWs.delete(workspaceId)
  return { keys: cache.keys, segments }
}

/** conversation index → id, for the given indexes */
export async function conversationIds(db: Db, workspaceId: string, idxs: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  for (let i = 0; i < idxs.length; i += 500) {
    const rows = await sql<{ idx: number, conversation_id: string }>`SELECT idx, conversation_id FROM report_conv WHERE workspace_id = ${workspaceId} AND idx IN (${sql.join(idxs.slice(i, i + 500))})`.execute(db)
    for (const r of rows.rows)
      out.set(Number(r.idx), r.conversation_id)
  }
  return out
}

/**
 * Conversations the facts cannot answer for a period starting at `from`: one with a cycle that
 * began more than the lookback before `from` and was still open at `from`. The replay rebuilds
 * such a cycle from the lookback cap only (README), so they are replayed as before.
 */
export async function longOpen(db: Db, workspaceId: string, from: number): Promise<Map<string, number>> {
  const cap = Math.max(0, from - LOOKBACK_MS)
  const out = new Map<string, number>()
  const [open, long] = await Promise.all([
    sql<{ conversation_id: string, idx: number }>`SELECT conversation_id, idx FROM report_conv WHERE workspace_id = ${workspaceId} AND open_since < ${cap}`.execute(db),
    longCycles(db, workspaceId),
  ])
  for (const r of open.rows)
    out.set(r.conversation_id, Number(r.idx))
  for (const r of long) {
    if (r.start < cap && r.closed >= from)
      out.set(r.id, r.idx)
  }
  return out
}

interface Derived { version: number, long: Array<{ id: string, idx: number, start: number, closed: number }> | null, contacts: Map<string, number[]> | null }
const derived = new WeakMap<Db, Map<string, Derived>>()

/**
 * Per workspace, what follows from `report_conv` alone, kept while the facts' version stays: that
 * table changes only in a refresh, which bumps the version.
 */
async function derivedOf(db: Db, workspaceId: string): Promise<Derived> {
  let byWs = derived.get(db)
  if (!byWs) {
    byWs = new Map()
    derived.set(db, byWs)
  }
  const state = await sql<{ version: number }>`SELECT version FROM report_state WHERE workspace_id = ${workspaceId}`.execute(db)
  const version = Number(state.rows[0]?.version ?? 0)
  let entry = byWs.get(workspaceId)
  if (!entry || entry.version !== version) {
    entry = { version, long: null, contacts: null }
    byWs.set(workspaceId, entry)
  }
  return entry
}

/** cycles longer than the lookback: conversation, its index, start and close */
async function longCycles(db: Db, workspaceId: string): Promise<NonNullable<Derived['long']>> {
  const entry = await derivedOf(db, workspaceId)
  if (!entry.long) {
    const rows = await sql<{ conversation_id: string, idx: number, long_cycles: string }>`SELECT conversation_id, idx, long_cycles FROM report_conv WHERE workspace_id = ${workspaceId} AND long_cycles IS NOT NULL`.execute(db)
    const long: NonNullable<Derived['long']> = []
    for (const r of rows.rows) {
      for (const [start, closed] of JSON.parse(r.long_cycles) as Array<[number, number]>) {
        long.push({
          id: r.conversation_id,
          idx: Number(r.idx),
          start,
          closed,
        })
      }
    }
    entry.long = long
  }
  return entry.long
}

/**
 * The labels of every conversation with facts (conversation index → label ids): the contacts'
 * labels now, read each time; which contact a conversation belongs to (a conversation's contact
 * does not change) is kept with the facts' version.
 */
export async function conversationLabels(db: Db, workspaceId: string): Promise<Map<number, string[]>> {
  const [entry, labels] = await Promise.all([
    derivedOf(db, workspaceId),
    sql<{ contact_id: string, label_id: string }>`SELECT contact_id, label_id FROM contact_labels WHERE workspace_id = ${workspaceId}`.execute(db),
  ])
  if (!entry.contacts) {
    const rows = await sql<{ idx: number, contact_id: string }>`SELECT rc.idx, c.contact_id FROM report_conv rc
      JOIN conversations c ON c.id = rc.conversation_id AND c.workspace_id = rc.workspace_id
      WHERE rc.workspace_id = ${workspaceId}`.execute(db)
    const contacts = new Map<string, number[]>()
    for (const r of rows.rows) {
      const list = contacts.get(r.contact_id)
      if (list) {
        list.push(Number(r.idx))
      }
      else {
        contacts.set(r.contact_id, [
          Number(r.idx),
        ])
      }
    }
    entry.contacts = contacts
  }
  const out = new Map<number, string[]>()
  for (const r of labels.rows) {
    const convs = entry.contacts.get(r.contact_id)
    if (!convs)
      continue
    for (const idx of convs) {
      const l = out.get(idx)
      if (l)
        l.push(r.label_id)
      else out.set(idx, [r.label_id])
    }
  }
  return out
}
