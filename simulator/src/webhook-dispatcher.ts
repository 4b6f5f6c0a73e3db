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

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { scheduler, random, log } = options
  const deliveries: WebhookDelivery[] = []
  const dropped: { id: number, body: string }[] = []
  const pending: WebhookUpdate[] = []
  const ready: Job[] = []
  const listeners: (() => void)[] = []
  const inFlight = new Set<Promise<void>>()
  let url = options.webhookUrl
  let closeTask: number | undefined
  let batchSequence = 0
  let stopped = false

  const notify = () => listeners.forEach(listener => listener())
  const sign = (body: string) => `sha256=${createHmac('sha256', options.appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`
  const signSha1 = (body: string) => `sha1=${createHmac('sha1', options.appSecret).update(Buffer.from(body, 'utf8')).digest('hex')}`

  function enqueue(update: WebhookUpdate) {
    pending.push(update)
    if (!url)
      return
    if (pending.length >= options.batch.maxItems || options.batch.maxDelayMs <= 0) {
      closeAll()
    }
    else if (closeTask === undefined) {
      closeTask = scheduler.at(scheduler.clock.now() + options.batch.maxDelayMs, 'batch window', () => {
        closeTask = undefined
        closeAll()
      })
    }
  }

  function closeAll() {
    if (!url)
      return
    if (closeTask !== undefined) {
      scheduler.cancel(closeTask)
      closeTask = undefined
    }
    while (pending.length > 0)
      formBatch(pending.splice(0, Math.max(1, options.batch.maxItems)))
    pump()
  }

  function formBatch(updates: WebhookUpdate[]) {
    const id = ++batchSequence
    const entries: { id: string, changes: { value: Record<string, unknown>, field: string }[] }[] = []
    let currentKey = ''
    updates.forEach((update, index) => {
      const draw = random.keyed(`layout:${id}:${index}`)
      const entry = entries.at(-1)
      const change = entry?.changes.at(-1)
      if (entry && change && update.kind !== 'change' && update.groupKey === currentKey && draw < 0.4) {
        appendItem(change.value, update)
      }
      else if (entry && draw < 0.7) {
        entry.changes.push(newChange(update))
      }
      else {
        entries.push({
          id: options.wabaId,
          changes: [
            newChange(update),
          ],
        })
      }
      currentKey = update.groupKey
    })
    const body = metaStringify({ object: 'whatsapp_business_account', entry: entries })
    const summary = updates.map(update => update.label).join(', ')
    ready.push({
      id,
      body,
      attempts: 0,
      duplicate: random.keyed(`duplicate:${id}`) < options.duplicateRate,
      isDuplicateCopy: false,
      summary,
    })
  }

  function newChange(update: WebhookUpdate) {
    if (update.kind === 'change')
      return { value: update.item, field: update.field }
    const value: Record<string, unknown> = {
      messaging_product: 'whatsapp',
      metadata: { ...options.metadata },
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

  function pump() {
    while (ready.length > 0 && inFlight.size < options.maxConcurrentDeliveries) {
      if (stopped || !url)
        return
      const job = ready.shift()!
      const attempt = attemptDelivery(job).finally(() => {
        inFlight.delete(attempt)
        pump()
        notify()
      })
      inFlight.add(attempt)
    }
  }

  async function post(body: string, signature: string | null): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua' }
    if (signature !== null) {
      headers['X-Hub-Signature-256'] = signature
      headers['X-Hub-Signature'] = signSha1(body)
    }
    const response = await fetch(url!, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.deliveryTimeoutMs),
    })
    return { status: response.status, body: await response.text() }
  }

  async function attemptDelivery(job: Job) {
    job.attempts++
    let answer: HttpAnswer | undefined
    try {
      answer = await post(job.body, sign(job.body))
    }
    catch (error) {
      log(`webhook #${job.id} attempt ${job.attempts}: network error (${(error as Error).message})`)
    }
    if (stopped)
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
    deliveries.push(record)
    if (answer?.status === 200) {
      log(`webhook #${job.id}${job.isDuplicateCopy ? ' (duplicate)' : ''} → 200: ${job.summary}`)
      if (job.duplicate && !job.isDuplicateCopy)
        ready.unshift({ ...job, attempts: 0, isDuplicateCopy: true })
      return
    }
    if (answer)
      log(`webhook #${job.id} attempt ${job.attempts} → ${answer.status}`)
    if (job.isDuplicateCopy)
      return
    const delay = options.retryDelaysMs[job.attempts - 1]
    if (delay === undefined) {
      record.gaveUp = true
      dropped.push({ id: job.id, body: job.body })
      log(`webhook #${job.id} dropped after ${job.attempts} attempts: ${job.summary}`)
      return
    }
    scheduler.at(scheduler.clock.now() + delay, `retry webhook #${job.id}`, () => {
      ready.push(job)
      pump()
    })
  }

  return {
    deliveries,
    dropped,
    enqueue,
    setWebhookUrl(next) {
      url = next
      if (pending.length > 0)
        closeAll()
      pump()
    },
    webhookUrl: () => url,
    closeAll,
    async drained() {
      for (;;) {
        pump()
        if (stopped || (inFlight.size === 0 && (!url || ready.length === 0)))
          return
        await Promise.all([...inFlight])
      }
    },
    isQuiet: () => inFlight.size === 0 && ready.length === 0 && (pending.length === 0 || !url),
    async deliverRaw(payload, signature) {
      if (!url)
        throw new Error('deliverRaw needs a webhook URL (config.webhookUrl or setWebhookUrl)')
      const body = typeof payload === 'string'
        ? payload
        : metaStringify(payload)
      const id = ++batchSequence
      const record: WebhookDelivery = {
        id,
        body,
        status: 'network_error',
        attempt: 1,
        at: scheduler.clock.now(),
        raw: true,
      }
      deliveries.push(record)
      try {
        const answer = await post(body, signature === undefined
          ? sign(body)
          : signature)
        record.status = answer.status
        record.responseBody = answer.body
        record.at = scheduler.clock.now()
        return answer
      }
      finally {
        notify()
      }
    },
    sign,
    onChange(listener) {
      listeners.push(listener)
    },
    stop() {
      stopped = true
    },
  }
}
