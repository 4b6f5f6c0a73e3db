/**
 * One sequencer round's work inside its transaction (see services/sequencer.ts): on PostgreSQL
 * take the advisory lock, read the committed unnumbered entries, and give each workspace's
 * entries consecutive numbers after its counter.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Transaction } from 'kysely'
import type { Engine } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { LiveEvent } from './live.ts'
import { sql } from 'kysely'
import { LIVE_CHANNEL, LIVE_INSTANCE } from './live.ts'

type Trx = Transaction<Database>

/** The advisory lock of every instance's rounds ("wa_inbox sequencer"), per schema. */
const SEQUENCER_LOCK = 727274002
export const ROUND_LIMIT = 5000
const ROWS_PER_STATEMENT = 200

/**
 * Numbers up to ROUND_LIMIT committed entries, pushing each workspace's new head onto `events`;
 * returns how many entries it read.
 */
export async function numberPending(trx: Trx, engine: Engine, log: FastifyBaseLogger, events: LiveEvent[]): Promise<number> {
  if (engine === 'postgres')
    await lockRound(trx)
  const pending = await trx.selectFrom('changes').select(['id', 'workspace_id']).where('seq', 'is', null).orderBy('id').limit(ROUND_LIMIT).execute()
  if (pending.length === 0)
    return 0
  for (const [workspaceId, ids] of byWorkspace(pending)) {
    const seq = await numberWorkspace(trx, log, workspaceId, ids)
    if (seq === null)
      continue
    events.push({ workspaceId, seq })
    // Other instances hear it when (and only if) this round commits.
    if (engine === 'postgres')
      await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${JSON.stringify({ i: LIVE_INSTANCE, w: workspaceId, s: seq })})`.execute(trx)
  }
  return pending.length
}

/** PostgreSQL: serialise the rounds of all instances (per schema), with timeouts. */
async function lockRound(trx: Trx): Promise<void> {
  // A round left hanging (a dead connection) must not stop numbering for good.
  await sql`SET LOCAL lock_timeout = '10s'`.execute(trx)
  await sql`SET LOCAL idle_in_transaction_session_timeout = '30s'`.execute(trx)
  // Per schema: deployments (and tests) sharing one database do not queue behind each other.
  await sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK}, hashtext(current_schema()))`.execute(trx)
}

/** The pending entries' ids per workspace (in id order), workspaces in id order. */
function byWorkspace(pending: Array<{ id: string, workspace_id: string }>): Array<[string, string[]]> {
  const grouped = new Map<string, string[]>()
  for (const row of pending) {
    const ids = grouped.get(row.workspace_id)
    if (ids)
      ids.push(row.id)
    else grouped.set(row.workspace_id, [row.id])
  }
  return [...grouped].sort(([a], [b]) => (a < b
    ? -1
    : a > b
      ? 1
      : 0))
}

/**
 * Advances the workspace's counter by `ids.length` and numbers the entries up to it; returns the
 * new head, or null when the workspace is gone (its entries are dropped).
 */
async function numberWorkspace(trx: Trx, log: FastifyBaseLogger, workspaceId: string, ids: string[]): Promise<number | null> {
  const head = await trx.updateTable('workspaces')
    .set({ change_seq: sql`change_seq + ${ids.length}` })
    .where('id', '=', workspaceId)
    .returning('change_seq')
    .executeTakeFirst()
  if (!head) {
    // The workspace is gone: its entries can never be served.
    log.warn({ workspaceId, entries: ids.length }, 'sequencer: dropping changes of a workspace that no longer exists')
    await trx.deleteFrom('changes').where('id', 'in', ids).execute()
    return null
  }
  const first = Number(head.change_seq) - ids.length + 1
  for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
    const values = sql.join(ids.slice(i, i + ROWS_PER_STATEMENT).map((id, j) => sql`(${id}, CAST(${first + i + j} AS bigint))`))
    await sql`UPDATE changes SET seq = v.column2 FROM (VALUES ${values}) AS v WHERE changes.id = v.column1`.execute(trx)
  }
  return Number(head.change_seq)
}
