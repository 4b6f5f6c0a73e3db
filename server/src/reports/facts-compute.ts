/**
 * One refresh's work (facts-refresh.ts runs it): replay the queued conversations' whole history,
 * compare each conversation's facts per UTC day with what is stored (a hash per conversation and
 * day in `report_conv.days`), and rewrite only the day segments that changed.
 */
import type { Db } from '../storage/db.ts'
import type { MessageRow } from './history.ts'
import type { Keys } from './keys.ts'
import type { Conv, Cycle } from './metrics.ts'
import { sql } from 'kysely'
import { decodeSegment, SegmentBuilder } from './codec.ts'
import { replayConversation } from './engine.ts'
import { loadHistory } from './history.ts'
import { loadKeys, reasonKey, saveAddedKeys } from './keys.ts'
import { LOOKBACK_MS, Metric } from './metrics.ts'
import { DAY } from './time.ts'

/** a `report_conv` row: the conversation's dense index, its per-day hashes (JSON), its open / long cycles */
interface ConvRow { conversation_id: string, idx: number, days: string, open_since: number | null, long_cycles: string | null }

export interface Work {
  conversations: number
  keys: Keys
  version: number
  nextConv: number
  /** per touched day: the conversations whose rows are replaced, and their new rows */
  days: Map<number, { drop: Set<number>, add: SegmentBuilder }>
  upserts: ConvRow[]
  deletes: string[]
}

/** Not stored: judged when a report is asked, from the cycles (scan.ts). */
const DROPPED = new Set<number>([Metric.botHandled, Metric.humanHandled])

/** One measurement of a conversation, keys as indexes; `start` NaN for counts. */
interface MeasureEntry { metric: number, at: number, start: number, agent: number, team: number, reason: number }
/** One cycle of a conversation; instants NaN for none. */
interface CycleEntry { start: number, closed: number, human: number, out: number, change: number, agent: number, team: number }

/** 32-bit FNV-1a of a string */
function hash(text: string): string {
  let h = 0x811C9DC5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(36)
}

/** The conversation's whole history replayed with no period, in wall time. */
function conversationFacts(conv: Conv, keys: Keys, messages: MessageRow[], range: [number, number], events: Parameters<typeof replayConversation>[4]): { measures: MeasureEntry[], cycles: CycleEntry[] } {
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
        agent: keys.idx('agent', agentId),
        team: keys.idx('team', teamId),
        reason: metric === Metric.failed
          ? keys.idx('reason', reasonKey(reason ?? null))
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
        agent: keys.idx('agent', c.assigneeId),
        team: keys.idx('team', c.teamId),
      })
    },
  }
  replayConversation(conv, messages, range[0], range[1], events, -Infinity, Infinity, (x, y) => y - x, sink)
  return { measures, cycles }
}

/** Facts per UTC day, hashed (the text format is part of the stored hashes: keep it). */
function dayHashes(channel: number, measures: MeasureEntry[], cycles: CycleEntry[]): Record<string, string> {
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
    hashes[d] = hash(`${channel};${l.join(';')}`)
  return hashes
}

/** the days whose hash differs between the stored and the new facts */
function changedDays(oldHashes: Record<string, string>, hashes: Record<string, string>): Set<number> {
  const touched = new Set<number>()
  for (const d of Object.keys(oldHashes)) {
    if (hashes[d] !== oldHashes[d])
      touched.add(Number(d))
  }
  for (const d of Object.keys(hashes)) {
    if (hashes[d] !== oldHashes[d])
      touched.add(Number(d))
  }
  return touched
}

/** per conversation id, its rows [start, end) in `messages` (grouped by conversation) */
function messageRanges(messages: MessageRow[]): Map<string, [number, number]> {
  const ranges = new Map<string, [number, number]>()
  for (let j = 0; j < messages.length;) {
    const id = messages[j]!.conversationId
    let k = j + 1
    while (k < messages.length && messages[k]!.conversationId === id)
      k++
    ranges.set(id, [j, k])
    j = k
  }
  return ranges
}

function newWork(keys: Keys, state: { version: number, next_conv: number } | undefined, conversations: number): Work {
  return {
    conversations,
    keys,
    version: Number(state?.version ?? 0) + 1,
    nextConv: Number(state?.next_conv ?? 0),
    days: new Map(),
    upserts: [],
    deletes: [],
  }
}

function dayEntry(work: Work, d: number) {
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

/** Replays the conversations `ids` and collects what to write. */
export async function compute(db: Db, workspaceId: string, ids: string[]): Promise<Work> {
  const [keys, state] = await Promise.all([
    loadKeys(db, workspaceId),
    sql<{ version: number, next_conv: number }>`SELECT version, next_conv FROM report_state WHERE workspace_id = ${workspaceId}`.execute(db),
  ])
  const work = newWork(keys, state.rows[0], ids.length)
  const CHUNK = 1000
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK)
    const [old, history] = await Promise.all([
      sql<ConvRow>`SELECT conversation_id, idx, days FROM report_conv WHERE workspace_id = ${workspaceId} AND conversation_id IN (${sql.join(chunk)})`.execute(db),
      loadHistory(db, workspaceId, chunk),
    ])
    const oldOf = new Map(old.rows.map(r => [r.conversation_id, r]))
    const ranges = messageRanges(history.messages)
    const present = new Set<string>()
    for (const conv of history.convs) {
      present.add(conv.id)
      const facts = conversationFacts(conv, keys, history.messages, ranges.get(conv.id) ?? [0, 0], history.events.get(conv.id) ?? [])
      addConversation(work, conv, oldOf.get(conv.id), facts)
    }
    // Conversations that no longer exist: their facts go.
    for (const id of chunk) {
      const before = oldOf.get(id)
      if (present.has(id) || !before)
        continue
      for (const d of Object.keys(JSON.parse(before.days)))
        dayEntry(work, Number(d)).drop.add(Number(before.idx))
      work.deletes.push(id)
    }
  }
  return work
}

/** Queues one conversation's new facts for the days that changed, and its `report_conv` row. */
function addConversation(work: Work, conv: Conv, before: ConvRow | undefined, facts: { measures: MeasureEntry[], cycles: CycleEntry[] }): void {
  const { measures, cycles } = facts
  const channel = work.keys.idx('channel', conv.channelId)
  const hashes = dayHashes(channel, measures, cycles)
  const oldHashes: Record<string, string> = before
    ? JSON.parse(before.days)
    : {}
  const idx = before
    ? Number(before.idx)
    : work.nextConv++
  const touched = changedDays(oldHashes, hashes)
  for (const d of touched) {
    const entry = dayEntry(work, d)
    if (before)
      entry.drop.add(idx)
  }
  for (const e of measures) {
    const d = Math.floor(e.at / DAY)
    if (touched.has(d))
      dayEntry(work, d).add.measure(e.metric, e.at, e.start, idx, e.agent, e.team, channel, e.reason)
  }
  for (const c of cycles) {
    const d = Math.floor(c.start / DAY)
    if (touched.has(d))
      dayEntry(work, d).add.cycle(c.start, c.closed, c.human, c.out, c.change, idx, c.agent, c.team, channel)
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

/** Writes a computed refresh: the touched segments, `report_conv`, new keys and the version. */
export async function write(db: Db, workspaceId: string, work: Work): Promise<void> {
  await writeSegments(db, workspaceId, work)
  for (let i = 0; i < work.deletes.length; i += 500)
    await sql`DELETE FROM report_conv WHERE workspace_id = ${workspaceId} AND conversation_id IN (${sql.join(work.deletes.slice(i, i + 500))})`.execute(db)
  for (let i = 0; i < work.upserts.length; i += 500) {
    const rows = work.upserts.slice(i, i + 500).map(r => sql`(${workspaceId}, ${r.conversation_id}, ${r.idx}, ${r.days}, ${r.open_since}, ${r.long_cycles})`)
    await sql`INSERT INTO report_conv (workspace_id, conversation_id, idx, days, open_since, long_cycles) VALUES ${sql.join(rows)}
      ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET days = excluded.days, open_since = excluded.open_since, long_cycles = excluded.long_cycles`.execute(db)
  }
  await saveAddedKeys(db, workspaceId, work.keys)
  await sql`INSERT INTO report_state (workspace_id, version, next_conv) VALUES (${workspaceId}, ${work.version}, ${work.nextConv})
    ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version, next_conv = excluded.next_conv`.execute(db)
}

async function writeSegments(db: Db, workspaceId: string, work: Work): Promise<void> {
  const days = [
    ...work.days.keys(),
  ]
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
        out.copy(decodeSegment(add.encode()), new Set())
      }
      if (out.measureCount === 0 && out.cycleCount === 0) {
        await sql`DELETE FROM report_segments WHERE workspace_id = ${workspaceId} AND day = ${day}`.execute(db)
        continue
      }
      const data = out.encode()
      const blob = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      await sql`INSERT INTO report_segments (workspace_id, day, version, data) VALUES (${workspaceId}, ${day}, ${work.version}, ${blob})
        ON CONFLICT (workspace_id, day) DO UPDATE SET version = excluded.version, data = excluded.data`.execute(db)
    }
  }
}
