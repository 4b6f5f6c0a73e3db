/**
 * The outbound worker: claims due jobs (PostgreSQL: FOR UPDATE SKIP LOCKED, so several server
 * instances share the queue), sends them through the Graph client under a per-number token bucket
 * and a per-recipient pair limit, and retries only what the reference says is retryable. A message
 * becomes `sent` only once Meta returned its wamid; statuses that raced ahead are applied then.
 * This file is the claim loop; what happens to one job is in worker-jobs.ts.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Committed } from '../services/changes.ts'
import type { Storage } from '../storage/db.ts'
import type { OutboundJobsTable } from '../storage/schema.ts'
import type { GraphClient } from './graph-client.ts'
import type { TokenBucket } from './token-bucket.ts'
import { sql } from 'kysely'
import { sweepUnappliedStatuses } from './ingest.ts'
import { processJob } from './worker-jobs.ts'

export interface WorkerOptions {
  storage: Storage
  graph: GraphClient
  log: FastifyBaseLogger
  /** default per-number rate when a channel has none */
  throughputPerSecond: number
  pairIntervalMs: number
  pairBurst: number
  /** called after a job changed messages in these conversations */
  /** after a commit that changed what agents see */
  onChange?: (committed: Committed[]) => void
  pollIntervalMs?: number
  /** how often stored-but-unapplied statuses are swept (see sweepUnappliedStatuses) */
  statusSweepIntervalMs?: number
  leaseMs?: number
  concurrency?: number
}

export interface OutboundWorker {
  start: () => void
  /** nudge the loop: a job was just queued */
  wake: () => void
  stop: () => Promise<void>
}

/** The worker's settings and its in-memory bookkeeping, shared by the loop and the job functions. */
export interface WorkerState {
  options: WorkerOptions
  db: Storage['db']
  engine: Storage['engine']
  graph: GraphClient
  log: FastifyBaseLogger
  pollIntervalMs: number
  leaseMs: number
  concurrency: number
  sweepEveryMs: number
  lastSweep: number
  numberBuckets: Map<string, TokenBucket>
  pairBuckets: Map<string, TokenBucket>
  /** recipient → time before which no later job may overtake a deferred one (keeps per-chat order) */
  holds: Map<string, number>
  /** `channel|recipient` → the tail of that recipient's chain of running jobs */
  recipientQueues: Map<string, Promise<void>>
  running: boolean
  inFlight: number
  wakeUp: (() => void) | null
  pending: boolean
}

export function createOutboundWorker(options: WorkerOptions): OutboundWorker {
  const state: WorkerState = {
    options,
    db: options.storage.db,
    engine: options.storage.engine,
    graph: options.graph,
    log: options.log,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    leaseMs: options.leaseMs ?? 60_000,
    concurrency: options.concurrency ?? 32,
    sweepEveryMs: options.statusSweepIntervalMs ?? 30_000,
    lastSweep: Date.now(),
    numberBuckets: new Map(),
    pairBuckets: new Map(),
    holds: new Map(),
    recipientQueues: new Map(),
    running: false,
    inFlight: 0,
    wakeUp: null,
    pending: false,
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
    async stop() {
      state.running = false
      state.wakeUp?.()
      await loop
      await Promise.allSettled([
        ...state.recipientQueues.values(),
      ])
    },
  }
}

function wake(state: WorkerState) {
  state.pending = true
  state.wakeUp?.()
}

/** Claim rounds until stop(): sweep early statuses when due, claim what fits, then sleep or go on. */
async function run(state: WorkerState) {
  while (state.running) {
    state.pending = false
    await sweepIfDue(state)
    let jobs: OutboundJobsTable[] = []
    let claimFailed = false
    if (state.inFlight < state.concurrency) {
      try {
        jobs = await claim(state, state.concurrency - state.inFlight)
      }
      catch (error) {
        claimFailed = true // e.g. the database is down: retry after a poll interval, not at once
        state.log.error({ err: error }, 'outbound: claiming jobs failed')
      }
    }
    for (const job of jobs)
      startJob(state, job)
    // Yield to I/O between rounds: with SQLite every query resolves as a microtask, and a loop
    // of microtasks alone would starve the sockets the in-flight sends are waiting on.
    await new Promise(resolve => setImmediate(resolve))
    if (jobs.length > 0 && state.inFlight < state.concurrency)
      continue
    if (state.pending && state.inFlight < state.concurrency)
      continue
    await sleep(state, claimFailed)
  }
}

async function sweepIfDue(state: WorkerState) {
  if (Date.now() - state.lastSweep < state.sweepEveryMs)
    return
  state.lastSweep = Date.now()
  try {
    const committed = await sweepUnappliedStatuses(state.db, state.lastSweep)
    if (committed.length > 0)
      state.options.onChange?.(committed)
  }
  catch (error) {
    state.log.error({ err: error }, 'outbound: sweeping early statuses failed')
  }
}

/** Jobs for one recipient run one after another, in claim order. */
function startJob(state: WorkerState, job: OutboundJobsTable) {
  state.inFlight++
  const key = `${job.channel_id}|${job.recipient}`
  const previous = state.recipientQueues.get(key) ?? Promise.resolve()
  const next = previous.then(() => processJob(state, job)).catch(error => state.log.error({ err: error, job: job.id }, 'outbound: job crashed')).finally(() => {
    state.inFlight--
    if (state.recipientQueues.get(key) === next)
      state.recipientQueues.delete(key)
    wake(state)
  })
  state.recipientQueues.set(key, next)
}

/**
 * At capacity, only a finishing job (wake) can make room; otherwise sleep until the next job is
 * due, at most one poll interval (other instances may queue jobs too).
 */
async function sleep(state: WorkerState, claimFailed: boolean) {
  let wait = state.pollIntervalMs
  if (state.inFlight < state.concurrency && !claimFailed) {
    try {
      wait = Math.min(state.pollIntervalMs, await nextDueIn(state))
    }
    catch {}
  }
  if (wait > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait)
      state.wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    state.wakeUp = null
  }
}

async function claim(state: WorkerState, limit: number): Promise<OutboundJobsTable[]> {
  const { db } = state
  const now = Date.now()
  let due = db.selectFrom('outbound_jobs').select('id').where(eb => eb.or([
    eb('state', '=', 'queued'),
    eb.and([
      eb('state', '=', 'running'),
      eb('locked_until', '<', now),
    ]),
  ])).where('run_at', '<=', now).orderBy('run_at').orderBy('id').limit(limit)
  // A customer whose earlier jobs are still running here waits: claiming more for them would
  // let leases expire in the in-memory queue (and a reclaimed job could overtake a later one).
  const busy = [
    ...new Set([
      ...state.recipientQueues.keys(),
    ].map(key => key.slice(key.indexOf('|') + 1))),
  ]
  if (busy.length > 0)
    due = due.where('recipient', 'not in', busy)
  if (state.engine === 'postgres')
    due = due.forUpdate().skipLocked()
  const claimed = await db.updateTable('outbound_jobs')
    .set({ state: 'running', locked_until: now + state.leaseMs, updated_at: now })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  // RETURNING does not keep the subquery's order (PostgreSQL returns rows as it updates them);
  // a customer's messages must go out in the order they were queued. UUIDv7 ids sort by time.
  return claimed.sort((a, b) => a.run_at - b.run_at || (a.id < b.id
    ? -1
    : a.id > b.id
      ? 1
      : 0))
}

async function nextDueIn(state: WorkerState): Promise<number> {
  const row = await state.db.selectFrom('outbound_jobs').select(sql<number>`min(run_at)`.as('at')).where('state', '=', 'queued').executeTakeFirst()
  return row?.at
    ? Math.max(0, row.at - Date.now())
    : Number.POSITIVE_INFINITY
}
