/**
 * The outbound worker: claims due jobs (PostgreSQL: FOR UPDATE SKIP LOCKED, so several server
 * instances share the queue), sends them through the Graph client under a per-number token bucket
 * and a per-recipient pair limit, and retries only what the reference says is retryable. A message
 * becomes `sent` only once Meta returned its wamid; statuses that raced ahead are applied then.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Committed } from '../services/changes.ts'
import type { Storage } from '../storage/db.ts'
import type { OutboundJobsTable } from '../storage/schema.ts'
import type { GraphClient } from './graph-client.ts'
import { sql } from 'kysely'
import { writeTransaction } from '../services/changes.ts'
import { GraphError, retryDelayMs } from './graph-client.ts'
import { applyOrphanStatuses, closeWindow, sweepUnappliedStatuses } from './ingest.ts'
import { TokenBucket } from './token-bucket.ts'

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

export function createOutboundWorker(options: WorkerOptions): OutboundWorker {
  const { storage, graph, log } = options
  const { db, engine } = storage
  const pollIntervalMs = options.pollIntervalMs ?? 250
  const leaseMs = options.leaseMs ?? 60_000
  const concurrency = options.concurrency ?? 32
  const sweepEveryMs = options.statusSweepIntervalMs ?? 30_000
  let lastSweep = Date.now()
  const numberBuckets = new Map<string, TokenBucket>()
  const pairBuckets = new Map<string, TokenBucket>()
  /** recipient → time before which no later job may overtake a deferred one (keeps per-chat order) */
  const holds = new Map<string, number>()
  const recipientQueues = new Map<string, Promise<void>>()
  let running = false
  let inFlight = 0
  let loop: Promise<void> | null = null
  let wakeUp: (() => void) | null = null
  let pending = false

  function wake() {
    pending = true
    wakeUp?.()
  }

  async function claim(limit: number): Promise<OutboundJobsTable[]> {
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
        ...recipientQueues.keys(),
      ].map(key => key.slice(key.indexOf('|') + 1))),
    ]
    if (busy.length > 0)
      due = due.where('recipient', 'not in', busy)
    if (engine === 'postgres')
      due = due.forUpdate().skipLocked()
    const claimed = await db.updateTable('outbound_jobs')
      .set({ state: 'running', locked_until: now + leaseMs, updated_at: now })
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

  async function nextDueIn(): Promise<number> {
    const row = await db.selectFrom('outbound_jobs').select(sql<number>`min(run_at)`.as('at')).where('state', '=', 'queued').executeTakeFirst()
    return row?.at
      ? Math.max(0, row.at - Date.now())
      : Number.POSITIVE_INFINITY
  }

  async function run() {
    // `running` is flipped by stop() while this loop awaits.
    // eslint-disable-next-line no-unmodified-loop-condition
    while (running) {
      pending = false
      if (Date.now() - lastSweep >= sweepEveryMs) {
        lastSweep = Date.now()
        try {
          const committed = await sweepUnappliedStatuses(db, lastSweep)
          if (committed.length > 0)
            options.onChange?.(committed)
        }
        catch (error) {
          log.error({ err: error }, 'outbound: sweeping early statuses failed')
        }
      }
      let jobs: OutboundJobsTable[] = []
      let claimFailed = false
      if (inFlight < concurrency) {
        try {
          jobs = await claim(concurrency - inFlight)
        }
        catch (error) {
          claimFailed = true // e.g. the database is down: retry after a poll interval, not at once
          log.error({ err: error }, 'outbound: claiming jobs failed')
        }
      }
      for (const job of jobs) {
        inFlight++
        // Jobs for one recipient run one after another, in claim order.
        const key = `${job.channel_id}|${job.recipient}`
        const previous = recipientQueues.get(key) ?? Promise.resolve()
        const next = previous.then(() => processJob(job)).catch(error => log.error({ err: error, job: job.id }, 'outbound: job crashed')).finally(() => {
          inFlight--
          if (recipientQueues.get(key) === next)
            recipientQueues.delete(key)
          wake()
        })
        recipientQueues.set(key, next)
      }
      // Yield to I/O between rounds: with SQLite every query resolves as a microtask, and a loop
      // of microtasks alone would starve the sockets the in-flight sends are waiting on.
      await new Promise(resolve => setImmediate(resolve))
      if (jobs.length > 0 && inFlight < concurrency)
        continue
      if (pending && inFlight < concurrency)
        continue
      // At capacity, only a finishing job (wake) can make room; otherwise sleep until the next
      // job is due, at most one poll interval (other instances may queue jobs too).
      let wait = pollIntervalMs
      if (inFlight < concurrency && !claimFailed) {
        try {
          wait = Math.min(pollIntervalMs, await nextDueIn())
        }
        catch {}
      }
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          wakeUp = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wakeUp = null
      }
    }
  }

  async function defer(job: OutboundJobsTable, until: number, error: string | null, countAttempt: boolean) {
    const key = `${job.channel_id}|${job.recipient}`
    if (job.kind === 'send')
      holds.set(key, Math.max(holds.get(key) ?? 0, until))
    await db.updateTable('outbound_jobs').set({
      state: 'queued',
      run_at: until,
      locked_until: null,
      attempts: countAttempt
        ? job.attempts + 1
        : job.attempts,
      last_error: error,
      updated_at: Date.now(),
    }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
  }

  async function processJob(claimed: OutboundJobsTable): Promise<void> {
    // Take the lease afresh, fenced on the one we claimed with: if it expired while this job
    // waited and someone reclaimed it, that claim owns the job now and this one must not send.
    const lock = Date.now() + leaseMs
    const renewed = await db.updateTable('outbound_jobs').set({ locked_until: lock }).where('id', '=', claimed.id).where('state', '=', 'running').where('locked_until', '=', claimed.locked_until).executeTakeFirst()
    if (Number(renewed.numUpdatedRows) === 0)
      return
    const job = { ...claimed, locked_until: lock }
    const channel = await db.selectFrom('channels').selectAll().where('id', '=', job.channel_id).executeTakeFirst()
    if (!channel) {
      await finish(job, 'failed', 'channel no longer exists')
      return
    }
    const key = `${job.channel_id}|${job.recipient}`
    const hold = holds.get(key) ?? 0
    if (hold !== 0 && hold <= Date.now())
      holds.delete(key) // passed: nothing left to keep in order behind it
    if (job.kind === 'send' && hold > Date.now()) {
      await defer(job, hold, job.last_error, false)
      return
    }
    if (job.kind === 'send') {
      const pair = bucket(pairBuckets, key, options.pairBurst, 1000 / options.pairIntervalMs)
      const waitMs = pair.take()
      if (waitMs > 0) {
        await defer(job, Date.now() + waitMs, job.last_error, false)
        return
      }
    }
    const perNumber = bucket(numberBuckets, channel.id, channel.throughput_per_second || options.throughputPerSecond, channel.throughput_per_second || options.throughputPerSecond)
    for (let waitMs = perNumber.take(); waitMs > 0; waitMs = perNumber.take())
      await new Promise(resolve => setTimeout(resolve, waitMs))

    const payload = JSON.parse(job.payload) as Record<string, unknown>
    let wamid: string
    try {
      if (job.kind === 'mark_read') {
        await graph.markRead(channel, String(payload.message_id))
        await finish(job, 'done', null)
        return
      }
      wamid = (await graph.sendMessage(channel, payload)).wamid
    }
    catch (error) {
      const graphError = error instanceof GraphError
        ? error
        : new GraphError({
            code: 0,
            title: 'Unexpected error',
            details: (error as Error).message,
            httpStatus: 0,
          })
      await handleFailure(job, graphError)
      return
    }
    // Meta has accepted the message. From here on nothing may send it again: bookkeeping failures
    // are retried as bookkeeping and logged, never routed to handleFailure (which would resend).
    await recordSent(job, wamid)
    try {
      // A status webhook may have arrived before we stored the wamid: apply what was kept.
      const committed = await applyOrphanStatuses(db, [
        { channelId: channel.id, wamid },
      ])
      if (committed.length > 0)
        options.onChange?.(committed)
    }
    catch (error) {
      log.error({ err: error, job: job.id }, 'outbound: sent, but applying early statuses or notifying failed')
    }
  }

  async function recordSent(job: OutboundJobsTable, wamid: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const now = Date.now()
        const { committed } = await writeTransaction(db, async (trx, changes) => {
          const message = await trx.updateTable('messages').set({
            wamid,
            status: sql`CASE WHEN status = 'pending' THEN 'sent' ELSE status END`,
            sent_at: sql`coalesce(sent_at, ${now})`,
            updated_at: now,
          }).where('id', '=', job.message_id!).returning('conversation_id').executeTakeFirst()
          if (message)
            changes.message(job.workspace_id, job.message_id!, message.conversation_id)
          await trx.updateTable('outbound_jobs').set({
            state: 'done',
            locked_until: null,
            attempts: job.attempts + 1,
            updated_at: now,
          }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
        })
        options.onChange?.(committed)
        return
      }
      catch (error) {
        if (attempt >= 5) {
          // The job stays 'running'; after its lease it would be sent again. Say so loudly.
          log.error({ err: error, job: job.id, wamid }, 'outbound: Meta accepted the message but recording it failed')
          return
        }
        await new Promise(resolve => setTimeout(resolve, 100 * 2 ** attempt))
      }
    }
  }

  async function handleFailure(job: OutboundJobsTable, error: GraphError) {
    const attempt = job.attempts + 1
    if (job.kind === 'mark_read' && error.code === 131009) {
      await finish(job, 'done', error.message) // nothing left to mark read
      return
    }
    const delay = retryDelayMs(error, attempt)
    if (delay !== null) {
      log.warn({
        job: job.id,
        code: error.code,
        attempt,
        retryInMs: delay,
      }, 'outbound: retrying')
      await defer(job, Date.now() + delay, error.message, true)
      return
    }
    log.warn({ job: job.id, code: error.code, attempt }, 'outbound: failed permanently')
    const now = Date.now()
    const { committed } = await writeTransaction(db, async (trx, changes) => {
      const owned = await trx.updateTable('outbound_jobs').set({
        state: 'failed',
        locked_until: null,
        attempts: attempt,
        last_error: error.message,
        updated_at: now,
      }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).executeTakeFirst()
      // Lost the lease (another claim owns the job): its outcome, not ours, decides the message.
      if (Number(owned.numUpdatedRows) > 0 && job.kind === 'send' && job.message_id) {
        const whatsappError = {
          code: error.code,
          title: error.title,
          ...(error.details
            ? { details: error.details }
            : {}),
        }
        const message = await trx.updateTable('messages').set({
          status: 'failed',
          error: JSON.stringify(whatsappError),
          failed_at: now,
          updated_at: now,
        }).where('id', '=', job.message_id).returning('conversation_id').executeTakeFirst()
        if (message) {
          changes.message(job.workspace_id, job.message_id, message.conversation_id)
          changes.conversation(job.workspace_id, message.conversation_id)
          if (error.code === 131047)
            await closeWindow(trx, message.conversation_id, now)
        }
      }
    })
    options.onChange?.(committed)
  }

  async function finish(job: OutboundJobsTable, state: 'done' | 'failed', lastError: string | null) {
    await db.updateTable('outbound_jobs').set({
      state,
      locked_until: null,
      attempts: job.attempts + 1,
      last_error: lastError,
      updated_at: Date.now(),
    }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
  }

  return {
    start() {
      if (running)
        return
      running = true
      loop = run()
    },
    wake,
    async stop() {
      running = false
      wakeUp?.()
      await loop
      await Promise.allSettled([
        ...recipientQueues.values(),
      ])
    },
  }
}

/** Buckets beyond this many are swept of full (idle) ones, so one bucket per customer ever seen cannot pile up. */
const MAX_BUCKETS = 10_000

function bucket(map: Map<string, TokenBucket>, key: string, capacity: number, ratePerSecond: number): TokenBucket {
  let b = map.get(key)
  if (!b) {
    if (map.size >= MAX_BUCKETS) {
      const now = Date.now()
      for (const [k, v] of map) {
        if (v.isFull(now))
          map.delete(k)
      }
    }
    b = new TokenBucket(capacity, ratePerSecond)
    map.set(key, b)
  }
  return b
}
