/**
 * The sequencer: numbers committed change-log entries, per workspace, in rounds.
 *
 * Writers store their entries unnumbered (services/changes.ts) and wake the sequencer after their
 * commit. A round runs in its own transaction: on PostgreSQL it first takes a transaction-level
 * advisory lock, so rounds of all server instances run one after another; it reads every
 * committed unnumbered entry (in id order), advances each workspace's counter by that many, gives
 * the entries consecutive numbers and commits. Because rounds are serialised and each one numbers
 * only entries that had already committed, a number becomes visible only after every smaller
 * number: a reader that has seen n has seen everything below n, and a transaction that commits
 * late simply gets a later number. Writers never wait on each other or on a counter.
 *
 * After a round commits, its workspaces' new numbers go to the live hub. On PostgreSQL the round
 * also issues `pg_notify` inside its transaction, delivered at commit to the other instances.
 * A timer runs a round every second too, for entries whose writer died before waking us.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Db, Engine } from '../storage/db.ts'
import type { LiveEvent } from './live.ts'
import { sql } from 'kysely'
import { LIVE_CHANNEL, LIVE_INSTANCE } from './live.ts'

/** The advisory lock of every instance's rounds ("wa_inbox sequencer"), per schema. */
const SEQUENCER_LOCK = 727274002
const ROUND_LIMIT = 5000
const ROWS_PER_STATEMENT = 200

export interface Sequencer {
  /** a writer committed entries: run a round soon (calls while one runs coalesce into one more) */
  wake: () => void
  /**
   * Resolves once everything committed before the call is numbered (a round that started after
   * the call has finished), or after `timeoutMs` (then false), or at stop.
   */
  flush: (timeoutMs?: number) => Promise<boolean>
  start: () => void
  stop: () => Promise<void>
}

export function createSequencer(options: { db: Db, engine: Engine, log: FastifyBaseLogger, onSequenced: (events: LiveEvent[]) => void, sweepMs?: number }): Sequencer {
  const { db, engine, log } = options
  let running: Promise<void> | null = null
  let again = false
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  // Rounds are counted as they start and finish; a flush waits for one that started after it.
  let started = 0
  let finished = 0
  const waiters = new Set<{ after: number, resolve: (done: boolean) => void }>()

  function settle(all = false) {
    for (const w of waiters) {
      if (all || finished > w.after) {
        waiters.delete(w)
        w.resolve(!all)
      }
    }
  }

  async function round(): Promise<number> {
    const events: LiveEvent[] = []
    const number = ++started
    const numbered = await db.transaction().setIsolationLevel('read committed').execute(async (trx) => {
      if (engine === 'postgres') {
        // A round left hanging (a dead connection) must not stop numbering for good.
        await sql`SET LOCAL lock_timeout = '10s'`.execute(trx)
        await sql`SET LOCAL idle_in_transaction_session_timeout = '30s'`.execute(trx)
        // Per schema: deployments (and tests) sharing one database do not queue behind each other.
        await sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK}, hashtext(current_schema()))`.execute(trx)
      }
      const pending = await trx.selectFrom('changes').select(['id', 'workspace_id']).where('seq', 'is', null).orderBy('id').limit(ROUND_LIMIT).execute()
      if (pending.length === 0)
        return 0
      const byWorkspace = new Map<string, string[]>()
      for (const row of pending) {
        const ids = byWorkspace.get(row.workspace_id)
        if (ids)
          ids.push(row.id)
        else byWorkspace.set(row.workspace_id, [row.id])
      }
      for (const [workspaceId, ids] of [...byWorkspace].sort(([a], [b]) => (a < b
        ? -1
        : a > b
          ? 1
          : 0))) {
        const head = await trx.updateTable('workspaces')
          .set({ change_seq: sql`change_seq + ${ids.length}` })
          .where('id', '=', workspaceId)
          .returning('change_seq')
          .executeTakeFirst()
        if (!head) {
          // The workspace is gone: its entries can never be served.
          log.warn({ workspaceId, entries: ids.length }, 'sequencer: dropping changes of a workspace that no longer exists')
          await trx.deleteFrom('changes').where('id', 'in', ids).execute()
          continue
        }
        const first = Number(head.change_seq) - ids.length + 1
        for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
          const values = sql.join(ids.slice(i, i + ROWS_PER_STATEMENT).map((id, j) => sql`(${id}, CAST(${first + i + j} AS bigint))`))
          await sql`UPDATE changes SET seq = v.column2 FROM (VALUES ${values}) AS v WHERE changes.id = v.column1`.execute(trx)
        }
        const seq = Number(head.change_seq)
        events.push({ workspaceId, seq })
        // Other instances hear it when (and only if) this round commits.
        if (engine === 'postgres')
          await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${JSON.stringify({ i: LIVE_INSTANCE, w: workspaceId, s: seq })})`.execute(trx)
      }
      return pending.length
    })
    if (numbered < ROUND_LIMIT) {
      // Everything committed before this round started is numbered now.
      finished = Math.max(finished, number)
      settle()
    }
    if (events.length > 0)
      options.onSequenced(events)
    return numbered
  }

  async function loop(): Promise<void> {
    // `stopped` and `again` are flipped by stop() and wake() while this awaits.
    const state = {
      get stopped() { return stopped },
      get again() { return again },
    }
    do {
      again = false
      try {
        // A full round may have left more behind.
        let numbered = ROUND_LIMIT
        while (numbered === ROUND_LIMIT && !state.stopped)
          numbered = await round()
      }
      catch (error) {
        log.error({ err: error }, 'sequencer: numbering changes failed; retrying')
        if (!state.stopped)
          await new Promise(resolve => setTimeout(resolve, 200))
        again = true
      }
    } while (state.again && !state.stopped)
  }

  function wake(): void {
    if (stopped)
      return
    if (running) {
      again = true
      return
    }
    running = loop().finally(() => {
      running = null
      if (again && !stopped) // woken between the loop's last look and here
        wake()
    })
  }

  return {
    wake,
    flush(timeoutMs = 2000) {
      if (stopped)
        return Promise.resolve(false)
      return new Promise<boolean>((resolve) => {
        const timing: { timeout?: NodeJS.Timeout } = {}
        const waiter = {
          after: started, // the round running now may have looked before our commit
          resolve: (done: boolean) => {
            clearTimeout(timing.timeout)
            resolve(done)
          },
        }
        timing.timeout = setTimeout(() => {
          waiters.delete(waiter)
          resolve(false)
        }, timeoutMs)
        waiters.add(waiter)
        wake()
      })
    },
    start() {
      stopped = false
      timer = setInterval(wake, options.sweepMs ?? 1000)
      timer.unref()
      wake()
    },
    async stop() {
      stopped = true
      if (timer)
        clearInterval(timer)
      settle(true)
      await running
    },
  }
}
