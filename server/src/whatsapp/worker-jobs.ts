/**
 * One outbound job, start to end: renew its lease, wait for the per-recipient and per-number rate
 * limits, send it through the Graph client, then record the wamid (the message becomes `sent`),
 * retry it later, or fail it for good. The claim loop that calls `processJob` is in worker.ts.
 */
import type { ChannelsTable, OutboundJobsTable } from '../storage/schema.ts'
import type { WorkerState } from './worker.ts'
import { sql } from 'kysely'
import { writeTransaction } from '../services/changes.ts'
import { GraphError, retryDelayMs } from './graph-client.ts'
import { applyOrphanStatuses, closeWindow } from './ingest.ts'
import { TokenBucket } from './token-bucket.ts'

export async function processJob(state: WorkerState, claimed: OutboundJobsTable): Promise<void> {
  const job = await renewLease(state, claimed)
  if (!job)
    return
  const channel = await state.db.selectFrom('channels').selectAll().where('id', '=', job.channel_id).executeTakeFirst()
  if (!channel) {
    await finish(state, job, 'failed', 'channel no longer exists')
    return
  }
  if (await deferForRecipient(state, job))
    return
  await waitForNumber(state, channel)

  const payload = JSON.parse(job.payload) as Record<string, unknown>
  let wamid: string
  try {
    if (job.kind === 'mark_read') {
      await state.graph.markRead(channel, String(payload.message_id))
      await finish(state, job, 'done', null)
      return
    }
    wamid = (await state.graph.sendMessage(channel, payload)).wamid
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
    await handleFailure(state, job, graphError)
    return
  }
  // Meta has accepted the message. From here on nothing may send it again: bookkeeping failures
  // are retried as bookkeeping and logged, never routed to handleFailure (which would resend).
  await recordSent(state, job, wamid)
  await applyEarlyStatuses(state, job, channel.id, wamid)
}

/**
 * Takes the lease afresh, fenced on the one we claimed with: if it expired while this job waited
 * and someone reclaimed it, that claim owns the job now and this one must not send (null).
 */
async function renewLease(state: WorkerState, claimed: OutboundJobsTable): Promise<OutboundJobsTable | null> {
  const lock = Date.now() + state.leaseMs
  const renewed = await state.db.updateTable('outbound_jobs').set({ locked_until: lock }).where('id', '=', claimed.id).where('state', '=', 'running').where('locked_until', '=', claimed.locked_until).executeTakeFirst()
  if (Number(renewed.numUpdatedRows) === 0)
    return null
  return { ...claimed, locked_until: lock }
}

/**
 * A send waits behind an earlier deferred send to the same recipient (keeps per-chat order) and
 * for the per-recipient pair limit; true when the job was put back in the queue.
 */
async function deferForRecipient(state: WorkerState, job: OutboundJobsTable): Promise<boolean> {
  const key = `${job.channel_id}|${job.recipient}`
  const hold = state.holds.get(key) ?? 0
  if (hold !== 0 && hold <= Date.now())
    state.holds.delete(key) // passed: nothing left to keep in order behind it
  if (job.kind === 'send' && hold > Date.now()) {
    await defer(state, job, hold, job.last_error, false)
    return true
  }
  if (job.kind === 'send') {
    const { options } = state
    const pair = bucket(state.pairBuckets, key, options.pairBurst, 1000 / options.pairIntervalMs)
    const waitMs = pair.take()
    if (waitMs > 0) {
      await defer(state, job, Date.now() + waitMs, job.last_error, false)
      return true
    }
  }
  return false
}

/** The per-number token bucket: waits in place (the job keeps its lease) until a token is free. */
async function waitForNumber(state: WorkerState, channel: ChannelsTable) {
  const rate = channel.throughput_per_second || state.options.throughputPerSecond
  const perNumber = bucket(state.numberBuckets, channel.id, rate, rate)
  for (let waitMs = perNumber.take(); waitMs > 0; waitMs = perNumber.take())
    await new Promise(resolve => setTimeout(resolve, waitMs))
}

/** A status webhook may have arrived before we stored the wamid: apply what was kept. */
async function applyEarlyStatuses(state: WorkerState, job: OutboundJobsTable, channelId: string, wamid: string) {
  try {
    const committed = await applyOrphanStatuses(state.db, [
      { channelId, wamid },
    ])
    if (committed.length > 0)
      state.options.onChange?.(committed)
  }
  catch (error) {
    state.log.error({ err: error, job: job.id }, 'outbound: sent, but applying early statuses or notifying failed')
  }
}

async function defer(state: WorkerState, job: OutboundJobsTable, until: number, error: string | null, countAttempt: boolean) {
  const key = `${job.channel_id}|${job.recipient}`
  if (job.kind === 'send')
    state.holds.set(key, Math.max(state.holds.get(key) ?? 0, until))
  await state.db.updateTable('outbound_jobs').set({
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

/** The wamid goes on the message (pending → sent) and the job is done, in one transaction, retried. */
async function recordSent(state: WorkerState, job: OutboundJobsTable, wamid: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const now = Date.now()
      const { committed } = await writeTransaction(state.db, async (trx, changes) => {
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
      state.options.onChange?.(committed)
      return
    }
    catch (error) {
      if (attempt >= 5) {
        // The job stays 'running'; after its lease it would be sent again. Say so loudly.
        state.log.error({ err: error, job: job.id, wamid }, 'outbound: Meta accepted the message but recording it failed')
        return
      }
      await new Promise(resolve => setTimeout(resolve, 100 * 2 ** attempt))
    }
  }
}

/** Retries what the reference says is retryable; anything else fails the job and its message. */
async function handleFailure(state: WorkerState, job: OutboundJobsTable, error: GraphError) {
  const attempt = job.attempts + 1
  if (job.kind === 'mark_read' && error.code === 131009) {
    await finish(state, job, 'done', error.message) // nothing left to mark read
    return
  }
  const delay = retryDelayMs(error, attempt)
  if (delay !== null) {
    state.log.warn({
      job: job.id,
      code: error.code,
      attempt,
      retryInMs: delay,
    }, 'outbound: retrying')
    await defer(state, job, Date.now() + delay, error.message, true)
    return
  }
  state.log.warn({ job: job.id, code: error.code, attempt }, 'outbound: failed permanently')
  await failPermanently(state, job, error, attempt)
}

async function failPermanently(state: WorkerState, job: OutboundJobsTable, error: GraphError, attempt: number) {
  const now = Date.now()
  const { committed } = await writeTransaction(state.db, async (trx, changes) => {
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
  state.options.onChange?.(committed)
}

async function finish(state: WorkerState, job: OutboundJobsTable, outcome: 'done' | 'failed', lastError: string | null) {
  await state.db.updateTable('outbound_jobs').set({
    state: outcome,
    locked_until: null,
    attempts: job.attempts + 1,
    last_error: lastError,
    updated_at: Date.now(),
  }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
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
