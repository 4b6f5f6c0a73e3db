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
import { numberPending, ROUND_LIMIT } from './sequencer-round.ts'

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
  const rounds = createRoundWaiters()

  async function round(): Promise<number> {
    const events: LiveEvent[] = []
    const number = ++rounds.started
    const numbered = await db.transaction().setIsolationLevel('read committed').execute(trx => numberPending(trx, engine, log, events))
    if (numbered < ROUND_LIMIT) {
      // Everything committed before this round started is numbered now.
      rounds.finished = Math.max(rounds.finished, number)
      rounds.settle()
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
    flush: (timeoutMs = 2000) => stopped
      ? Promise.resolve(false)
      : rounds.wait(timeoutMs, wake),
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
      rounds.settle(true)
      await running
    },
  }
}

interface RoundWaiter { after: number, resolve: (done: boolean) => void }

/**
 * Rounds are counted as they start and finish; a flush waits for one that started after it.
 * `settle()` resolves the waiters a finished round has covered (`settle(true)`: all, with false).
 */
function createRoundWaiters() {
  const waiters = new Set<RoundWaiter>()
  const rounds = {
    started: 0,
    finished: 0,
    settle(all = false) {
      for (const w of waiters) {
        if (all || rounds.finished > w.after) {
          waiters.delete(w)
          w.resolve(!all)
        }
      }
    },
    /** a flush: resolves true once covered, false after `timeoutMs` or when settled at stop */
    wait(timeoutMs: number, wake: () => void): Promise<boolean> {
      return new Promise<boolean>((resolve) => {
        const timing: { timeout?: NodeJS.Timeout } = {}
        const waiter: RoundWaiter = {
          after: rounds.started, // the round running now may have looked before our commit
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
  }
  return rounds
}
