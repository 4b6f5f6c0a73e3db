// Turns updates (inbound messages, statuses, value.errors, other fields) into signed webhook POSTs the
// way Meta does: batched into entries and changes, serialized with Meta's escaping, signed over the
// exact bytes, redelivered on anything but 200, sometimes delivered twice. Layout and duplicate
// choices are keyed draws on the batch number, so a seed reproduces them whatever the timing.

import type { Random } from './random.ts'
import type { Scheduler } from './scheduler.ts'
import type { HttpAnswer, WebhookDelivery } from './types.ts'
import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import { metaStringify } from './meta-json.ts'

export interface WebhookUpdate {
  /** What the item is; 'change' carries a whole `value` for another field. */
  kind: 'message' | 'status' | 'error' | 'change'
  /** Items with the same key may share one change's array (and its contacts). */
  groupKey: string
  field: string
  item: Record<string, unknown>
  contacts?: Record<string, unknown>[]
  /** For logs. */
  label: string
}

export interface DispatcherOptions {
  scheduler: Scheduler
  random: Random
  appSecret: string
  wabaId: string
  metadata: { display_phone_number: string, phone_number_id: string }
  webhookUrl?: string
  batch: { maxItems: number, maxDelayMs: number }
  duplicateRate: number
  retryDelaysMs: number[]
  maxConcurrentDeliveries: number
  deliveryTimeoutMs: number
  log: (line: string) => void
}

interface Job {
  id: number
  body: string
  attempts: number
  duplicate: boolean
  isDuplicateCopy: boolean
  summary: string
}

export interface Dispatcher {
  deliveries: WebhookDelivery[]
  /** Payloads dropped after the last retry. */
  dropped: { id: number, body: string }[]
  enqueue: (update: WebhookUpdate) => void
  setWebhookUrl: (url: string) => void
  webhookUrl: () => string | undefined
  /** Closes every open batch now (when a webhook URL is set). */
  closeAll: () => void
  /** Resolves when no POST is waiting or in flight. */
  drained: () => Promise<void>
  isQuiet: () => boolean
  deliverRaw: (payload: unknown, signature?: string | null) => Promise<HttpAnswer>
  sign: (body: string) => string
  onChange: (listener: () => void) => void
  stop: () => void
}

/** The dispatcher's queues and delivery records, shared by the functions below. */
interface DispatcherState {
  options: DispatcherOptions
  deliveries: WebhookDelivery[]
  dropped: { id: number, body: string }[]
  /** updates waiting for their batch to close */
  pending: WebhookUpdate[]
  /** formed batches waiting for a delivery slot */
  ready: Job[]
  listeners: (() => void)[]
  inFlight: Set<Promise<void>>
  url: string | undefined
  closeTask: number | undefined
  batchSequence: number
  stopped: boolean
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const state: DispatcherState = {
    options,
    deliveries: [],
    dropped: [],
    pending: [],
    ready: [],
    listeners: [],
    inFlight: new Set(),
    url: options.webhookUrl,
    closeTask: undefined,
    batchSequence: 0,
    stopped: false,
  }
  return {
    deliveries: state.deliveries,
    dropped: state.dropped,
    enqueue: update => enqueue(state, update),
    setWebhookUrl(next) {
      state.url = next
      if (state.pending.length > 0)
        closeAll(state)
      pump(state)
    },
    webhookUrl: () => state.url,
    closeAll: () => closeAll(state),
    async drained() {
      for (;;) {
        pump(state)
        if (state.stopped || (state.inFlight.size === 0 && (!state.url || state.ready.length === 0)))
          return
        await Promise.all([...state.inFlight])
      }
    },
    isQuiet: () => state.inFlight.size === 0 && state.ready.length === 0 && (state.pending.length === 0 || !state.url),
    deliverRaw: (payload, signature) => deliverRaw(state, payload, signature),
    sign: body => sign(state, body),
    onChange(listener) {
      state.listeners.push(listener)
    },
    stop() {
      state.stopped = true
    },
  }
}

function notify(state: DispatcherState) {
  state.listeners.forEach(listener => listener())
}

function sign(state: DispatcherState, body: string) {
  return `sha256=${createHmac('sha256', state.options.appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`
}

function signSha1(state: DispatcherState, body: string) {
  return `sha1=${createHmac('sha1', state.options.appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`
}

// Batching --------------------------------------------------------------------------------------

/** An update waits for its batch: closed when full, or when the batch window's timer fires. */
function enqueue(state: DispatcherState, update: WebhookUpdate) {
  const { options } = state
  const { scheduler } = options
  state.pending.push(update)
  if (!state.url)
    return
  if (state.pending.length >= options.batch.maxItems || options.batch.maxDelayMs <= 0) {
    closeAll(state)
  }
  else if (state.closeTask === undefined) {
    state.closeTask = scheduler.at(scheduler.clock.now() + options.batch.maxDelayMs, 'batch window', () => {
      state.closeTask = undefined
      closeAll(state)
    })
  }
}

function closeAll(state: DispatcherState) {
  if (!state.url)
    return
  if (state.closeTask !== undefined) {
    state.options.scheduler.cancel(state.closeTask)
    state.closeTask = undefined
  }
  while (state.pending.length > 0)
    formBatch(state, state.pending.splice(0, Math.max(1, state.options.batch.maxItems)))
  pump(state)
}

/**
 * One POST body: updates of one group may share a change's array, or start a new change or a new
 * entry (keyed draws on the batch number decide, as Meta's layout varies too).
 */
function formBatch(state: DispatcherState, updates: WebhookUpdate[]) {
  const { options } = state
  const id = ++state.batchSequence
  const entries: { id: string, changes: { value: Record<string, unknown>, field: string }[] }[] = []
  let currentKey = ''
  updates.forEach((update, index) => {
    const draw = options.random.keyed(`layout:${id}:${index}`)
    const entry = entries.at(-1)
    const change = entry?.changes.at(-1)
    if (entry && change && update.kind !== 'change' && update.groupKey === currentKey && draw < 0.4) {
      appendItem(change.value, update)
    }
    else if (entry && draw < 0.7) {
      entry.changes.push(newChange(state, update))
    }
    else {
      entries.push({
        id: options.wabaId,
        changes: [
          newChange(state, update),
        ],
      })
    }
    currentKey = update.groupKey
  })
  const body = metaStringify({ object: 'whatsapp_business_account', entry: entries })
  const summary = updates.map(update => update.label).join(', ')
  state.ready.push({
    id,
    body,
    attempts: 0,
    duplicate: options.random.keyed(`duplicate:${id}`) < options.duplicateRate,
    isDuplicateCopy: false,
    summary,
  })
}

function newChange(state: DispatcherState, update: WebhookUpdate) {
  if (update.kind === 'change')
    return { value: update.item, field: update.field }
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { ...state.options.metadata },
  }
  appendItem(value, update)
  return { value, field: update.field }
}

function appendItem(value: Record<string, unknown>, update: WebhookUpdate) {
  if (update.contacts?.length) {
    const contacts = (value.contacts ??= []) as Record<string, unknown>[]
    for (const contact of update.contacts) {
      const key = JSON.stringify(contact)
      if (!contacts.some(existing => JSON.stringify(existing) === key))
        contacts.push(contact)
    }
  }
  const arrayName = update.kind === 'message'
    ? 'messages'
    : update.kind === 'status'
      ? 'statuses'
      : 'errors'
  ;((value[arrayName] ??= []) as unknown[]).push(update.item)
}

// Delivery --------------------------------------------------------------------------------------

function pump(state: DispatcherState) {
  while (state.ready.length > 0 && state.inFlight.size < state.options.maxConcurrentDeliveries) {
    if (state.stopped || !state.url)
      return
    const job = state.ready.shift()!
    const attempt = attemptDelivery(state, job).finally(() => {
      state.inFlight.delete(attempt)
      pump(state)
      notify(state)
    })
    state.inFlight.add(attempt)
  }
}

async function post(state: DispatcherState, body: string, signature: string | null): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua' }
  if (signature !== null) {
    headers['X-Hub-Signature-256'] = signature
    headers['X-Hub-Signature'] = signSha1(state, body)
  }
  const response = await fetch(state.url!, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(state.options.deliveryTimeoutMs),
  })
  return { status: response.status, body: await response.text() }
}

/** One POST of a batch, recorded; on 200 a duplicate copy may follow, otherwise a retry or a drop. */
async function attemptDelivery(state: DispatcherState, job: Job) {
  const { log, scheduler } = state.options
  job.attempts++
  let answer: HttpAnswer | undefined
  try {
    answer = await post(state, job.body, sign(state, job.body))
  }
  catch (error) {
    log(`webhook #${job.id} attempt ${job.attempts}: network error (${(error as Error).message})`)
  }
  if (state.stopped)
    return
  const record: WebhookDelivery = {
    id: job.id,
    body: job.body,
    status: answer?.status ?? 'network_error',
    attempt: job.attempts,
    at: scheduler.clock.now(),
  }
  if (answer)
    record.responseBody = answer.body
  if (job.isDuplicateCopy)
    record.duplicate = true
  state.deliveries.push(record)
  if (answer?.status === 200) {
    log(`webhook #${job.id}${job.isDuplicateCopy ? ' (duplicate)' : ''} → 200: ${job.summary}`)
    if (job.duplicate && !job.isDuplicateCopy)
      state.ready.unshift({ ...job, attempts: 0, isDuplicateCopy: true })
    return
  }
  if (answer)
    log(`webhook #${job.id} attempt ${job.attempts} → ${answer.status}`)
  if (!job.isDuplicateCopy)
    retryOrDrop(state, job, record)
}

function retryOrDrop(state: DispatcherState, job: Job, record: WebhookDelivery) {
  const { log, scheduler } = state.options
  const delay = state.options.retryDelaysMs[job.attempts - 1]
  if (delay === undefined) {
    record.gaveUp = true
    state.dropped.push({ id: job.id, body: job.body })
    log(`webhook #${job.id} dropped after ${job.attempts} attempts: ${job.summary}`)
    return
  }
  scheduler.at(scheduler.clock.now() + delay, `retry webhook #${job.id}`, () => {
    state.ready.push(job)
    pump(state)
  })
}

/** A hand-made POST (tests): the payload as given, signed unless a signature (or null) is passed. */
async function deliverRaw(state: DispatcherState, payload: unknown, signature?: string | null): Promise<HttpAnswer> {
  if (!state.url)
    throw new Error('deliverRaw needs a webhook URL (config.webhookUrl or setWebhookUrl)')
  const body = typeof payload === 'string'
    ? payload
    : metaStringify(payload)
  const id = ++state.batchSequence
  const { scheduler } = state.options
  const record: WebhookDelivery = {
    id,
    body,
    status: 'network_error',
    attempt: 1,
    at: scheduler.clock.now(),
    raw: true,
  }
  state.deliveries.push(record)
  try {
    const answer = await post(state, body, signature === undefined
      ? sign(state, body)
      : signature)
    record.status = answer.status
    record.responseBody = answer.body
    record.at = scheduler.clock.now()
    return answer
  }
  finally {
    notify(state)
  }
}
