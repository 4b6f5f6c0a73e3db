/**
 * Reading the facts: the decoded segments of a period's UTC days (cached per database handle and
 * workspace while their version stays), conversation indexes ↔ ids, the conversations the facts
 * cannot answer for (cycles open since before the lookback) and the conversations' labels.
 */
import type { Db } from '../storage/db.ts'
import type { Segment } from './codec.ts'
import type { Keys } from './keys.ts'
import { sql } from 'kysely'
import { decodeSegment } from './codec.ts'
import { loadKeys } from './keys.ts'
import { LOOKBACK_MS } from './metrics.ts'
import { DAY } from './time.ts'

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
