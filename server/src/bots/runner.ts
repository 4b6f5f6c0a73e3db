/**
 * The bot runner: takes the customer messages the webhook queued in `bot_jobs` (in its own
 * transaction, so the webhook never waits for a bot and a crash loses no job), decides what the
 * bots do (decide.ts) and acts through the same outbound queue as the agents.
 *
 * - Claims due jobs like the outbound worker (PostgreSQL: FOR UPDATE SKIP LOCKED, with a lease);
 *   a conversation's jobs run one after another, in the order the customer wrote.
 * - A reply's client id is `bot:<customer message id>`: a job that runs twice (a crash, a lease
 *   that expired, a redelivered webhook) never sends twice.
 * - Just before queueing, inside the write transaction, the contact's switches and the
 *   conversation are checked again: turning a bot off takes effect at once, and an agent who wrote
 *   in the meantime silences the bot.
 * - A provider that fails (down, slow, garbage, refusal) turns the answer into a hand-over with
 *   that reason; nothing broken is ever sent.
 *
 * This file is the claim loop; one job's decision and actions are in bot-job.ts.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Committed } from '../services/changes.ts'
import type { Db, Engine } from '../storage/db.ts'
import type { BotJobsTable } from '../storage/schema.ts'
import type { StoredSettings } from './settings.ts'
import { runBotJob } from './bot-job.ts'

export type { JobOutcome } from './bot-job.ts'
export { chatTurns, historyFacts, messageText, runBotJob, STALE_MS } from './bot-job.ts'

const MAX_ATTEMPTS = 5

export interface BotRunnerOptions {
  db: Db
  engine: Engine
  log: FastifyBaseLogger
  publish: (committed: Committed[]) => void
  /** the outbound worker's nudge: a bot message was queued */
  wakeWorker: () => void
  pollIntervalMs?: number
  concurrency?: number
  leaseMs?: number
}

export interface BotRunner {
  start: () => void
  wake: () => void
  stop: () => Promise<void>
  /** resolves when no job is due or running (tests) */
  idle: () => Promise<void>
}

/** Removes decided jobs older than `olderThan` (kept a while for the record). */
export async function pruneBotJobs(db: Db, olderThan: number): Promise<number> {
  const result = await db.deleteFrom('bot_jobs').where('state', '=', 'done').where('updated_at', '<', olderThan).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** The runner's settings and in-memory bookkeeping, shared by the loop functions below. */
interface RunnerState {
  options: BotRunnerOptions
  pollIntervalMs: number
  concurrency: number
  leaseMs: number
  /** conversation → the tail of its chain of running jobs */
  conversationQueues: Map<string, Promise<void>>
  running: boolean
  wakeUp: (() => void) | null
  pending: boolean
  inFlight: number
  idleWaiters: Array<() => void>
}

export function createBotRunner(options: BotRunnerOptions): BotRunner {
  const state: RunnerState = {
    options,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    concurrency: options.concurrency ?? 8,
    leaseMs: options.leaseMs ?? 120_000,
    conversationQueues: new Map(),
    running: false,
    wakeUp: null,
    pending: false,
    inFlight: 0,
    idleWaiters: [],
  }
  let loop: Promise<void> | null = null
  return {
    start() {
      if (state.running)
        return
      state.running = true
      loop = run(state)
    },
    wake: () => wake(state),
    async idle() {
      if (!state.running)
        return
      await new Promise<void>((resolve) => {
        state.idleWaiters.push(resolve)
        wake(state)
      })
    },
    async stop() {
      state.running = false
      state.wakeUp?.()
      await loop
      await Promise.allSettled([
        ...state.conversationQueues.values(),
      ])
      for (const resolve of state.idleWaiters.splice(0))
        resolve()
    },
  }
}

function wake(state: RunnerState) {
  state.pending = true
  state.wakeUp?.()
}

async function run(state: RunnerState) {
  while (state.running) {
    state.pending = false
    let jobs: BotJobsTable[] = []
    if (state.inFlight < state.concurrency) {
      try {
        jobs = await claim(state, state.concurrency - state.inFlight)
      }
      catch (error) {
        state.options.log.error({ err: error }, 'bots: claiming jobs failed')
      }
    }
    // Settings are read once per round and shared by its jobs.
    const settingsCache = new Map<string, StoredSettings>()
    for (const job of jobs)
      startJob(state, job, settingsCache)
    await new Promise(resolve => setImmediate(resolve))
    if (state.inFlight === 0 && jobs.length === 0 && !state.pending) {
      for (const resolve of state.idleWaiters.splice(0))
        resolve()
    }
    if ((jobs.length > 0 || state.pending) && state.inFlight < state.concurrency)
      continue
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, state.pollIntervalMs)
      state.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    state.wakeUp = null
  }
}

/** A conversation's jobs run one after another, in claim order. */
function startJob(state: RunnerState, job: BotJobsTable, settingsCache: Map<string, StoredSettings>) {
  state.inFlight++
  const key = job.conversation_id
  const previous = state.conversationQueues.get(key) ?? Promise.resolve()
  const next = previous.then(() => processJob(state, job, settingsCache)).catch(error => state.options.log.error({ err: error, job: job.id }, 'bots: job crashed')).finally(() => {
    state.inFlight--
    if (state.conversationQueues.get(key) === next)
      state.conversationQueues.delete(key)
    wake(state)
  })
  state.conversationQueues.set(key, next)
}

async function claim(state: RunnerState, limit: number): Promise<BotJobsTable[]> {
  const { db, engine } = state.options
  const now = Date.now()
  // Only the oldest queued job of each conversation (by id: UUIDv7, in the customer's order):
  // the next one waits until it is done, on every instance, also when it is retried later.
  let due = db.selectFrom('bot_jobs as j').select('j.id').where('j.state', '=', 'queued').where('j.run_at', '<=', now).where(eb => eb.or([
    eb('j.locked_until', 'is', null),
    eb('j.locked_until', '<', now),
  ])).where(eb => eb.not(eb.exists(eb.selectFrom('bot_jobs as o').select('o.id')
    .whereRef('o.conversation_id', '=', 'j.conversation_id')
    .where('o.state', '=', 'queued')
    .whereRef('o.id', '<', 'j.id')))).orderBy('j.run_at').orderBy('j.id').limit(limit)
  const busy = [
    ...state.conversationQueues.keys(),
  ]
  if (busy.length > 0)
    due = due.where('j.conversation_id', 'not in', busy)
  if (engine === 'postgres')
    due = due.forUpdate().skipLocked()
  const claimed = await db.updateTable('bot_jobs')
    .set({ locked_until: now + state.leaseMs, updated_at: now })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return claimed.sort((a, b) => Number(a.run_at) - Number(b.run_at) || (a.id < b.id
    ? -1
    : a.id > b.id
      ? 1
      : 0))
}

/** Runs the job and stores its outcome; a crash is retried with backoff, then recorded as an error. */
async function processJob(state: RunnerState, job: BotJobsTable, settingsCache: Map<string, StoredSettings>) {
  const { db, log } = state.options
  try {
    const outcome = await runBotJob({ db, publish: state.options.publish, wakeWorker: state.options.wakeWorker }, job, Date.now(), settingsCache)
    await finish(db, job, outcome)
  }
  catch (error) {
    const attempts = job.attempts + 1
    log.warn({ err: error, job: job.id, attempts }, 'bots: a decision failed')
    if (attempts >= MAX_ATTEMPTS) {
      await finish(db, job, { action: 'none', error: 'internal_error' })
      return
    }
    await db.updateTable('bot_jobs').set({
      attempts,
      locked_until: null,
      run_at: Date.now() + 1000 * 2 ** attempts,
      updated_at: Date.now(),
    }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
  }
}

async function finish(db: Db, job: BotJobsTable, result: unknown) {
  await db.updateTable('bot_jobs').set({
    state: 'done',
    result: JSON.stringify(result),
    locked_until: null,
    attempts: job.attempts + 1,
    updated_at: Date.now(),
  }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
}
