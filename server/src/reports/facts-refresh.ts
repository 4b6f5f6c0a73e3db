/**
 * Keeping the facts fresh. Triggers queue every conversation whose messages, events or assignee /
 * team change (`report_dirty`, migration 0005); `refreshFacts` replays exactly those
 * conversations (facts-compute.ts) and rewrites only the day segments whose facts changed.
 * Reports refresh before reading and a background timer (`refreshAllFacts`) refreshes every few
 * seconds, so a report reflects every change committed before it started.
 *
 * Concurrency: one refresh per workspace at a time — in-process by a promise chain; across
 * processes on PostgreSQL by a transaction-scoped advisory lock held for the whole refresh (SQLite
 * serialises writers; its refresh writes in one short transaction).
 */
import type { Db } from '../storage/db.ts'
import { sql } from 'kysely'
import { isPostgres } from '../storage/db.ts'
import { compute, write } from './facts-compute.ts'

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
