// The business phone number's conversation state: customers writing in (`receive`), sends accepted
// through the Graph API with every policy rule applied, and the status webhooks that follow a send
// (sent → delivered → read, with configured delays, reordering, skipped 'delivered' and failures).
// `createMessaging` builds the shared state; accepting a send is in messaging-send.ts, the status
// webhooks in messaging-statuses.ts.

import type { Customer, CustomerRegistry } from './customers.ts'
import type { GraphError } from './errors.ts'
import type { MediaStore } from './media-store.ts'
import type { Random } from './random.ts'
import type { Scheduler } from './scheduler.ts'
import type { InboundMessageInput, RecordedSend, SimTemplate } from './types.ts'
import type { Dispatcher } from './webhook-dispatcher.ts'
import { contactBlock, normalizePhone } from './customers.ts'
import { whatsappError } from './errors.ts'
import { buildInbound } from './inbound.ts'
import { acceptSend, THIRTY_DAYS_MS } from './messaging-send.ts'
import { markPlayed, markRead } from './messaging-statuses.ts'
import { validateSend } from './outbound.ts'
import { makeWamid } from './random.ts'
import { createKeyedBuckets, createTokenBucket } from './rate-limits.ts'

export type StatusName = 'sent' | 'delivered' | 'read' | 'played' | 'failed'

export interface InboundRecord {
  wamid: string
  customer: Customer
  timestampMs: number
  type: string
}

export interface OutboundRecord {
  wamid: string
  type: string
  customer?: Customer
  recipientId: string
  acceptedAt: number
  isVoice: boolean
  bizOpaque?: string
  pricing?: Record<string, unknown>
  /** Which of delivered/read carries the second pricing object. */
  pricingOn: 'delivered' | 'read'
  failure?: { code: number, details?: string }
  emitted: Set<StatusName>
  skipDelivered: boolean
  /** Scheduled status tasks still to fire. */
  tasks: Map<StatusName, number>
}

export interface MessagingDeps {
  config: {
    phoneNumberId: string
    displayPhoneNumber: string
    seed: number
    reorderRate: number
    skipDeliveredRate: number
    statusDelaysMs: { sent: number, delivered: number, read: number | null }
    throughputPerSecond: number
    pairLimit: { intervalMs: number, burst: number }
    experimentRecipients: string[]
    undeliverableRecipients: string[]
    windowErrorMode: 'status' | 'sync'
    httpStatusOverrides?: Record<number, number>
  }
  templates: () => SimTemplate[]
  scheduler: Scheduler
  random: Random
  dispatcher: Dispatcher
  customers: CustomerRegistry
  media: MediaStore
  mediaUrl: (mediaId: string) => string
  traceId: () => string
  log: (line: string) => void
}

export interface MessagesAnswer {
  status: number
  json: unknown
}

/** Everything the messaging functions share: the deps, the message records, the rate limits. */
export interface MessagingState {
  deps: MessagingDeps
  now: () => number
  inbound: Map<string, InboundRecord>
  outbound: Map<string, OutboundRecord>
  recorded: RecordedSend[]
  sendListeners: ((send: RecordedSend) => void)[]
  throughput: ReturnType<typeof createTokenBucket>
  pairs: ReturnType<typeof createKeyedBuckets>
  experiment: Set<string>
  undeliverable: Set<string>
  /** A Graph error with this phone number's trace id and HTTP status overrides. */
  err: (code: number, details?: string) => GraphError
}

export function createMessaging(deps: MessagingDeps) {
  const state = createMessagingState(deps)
  return {
    receive: (from: Parameters<CustomerRegistry['resolve']>[0], input: InboundMessageInput): string => receive(state, from, input),
    handleMessages: (body: unknown): MessagesAnswer => handleMessages(state, body),
    recordRejected: (rawBody: string, error: GraphError) => recordRejected(state, rawBody, error),
    markRead: (wamid: string) => markRead(state, wamid),
    markPlayed: (wamid: string) => markPlayed(state, wamid),
    recorded: state.recorded,
    onSend(listener: (send: RecordedSend) => void) {
      state.sendListeners.push(listener)
      return () => {
        const index = state.sendListeners.indexOf(listener)
        if (index >= 0)
          state.sendListeners.splice(index, 1)
      }
    },
    /** Whether the outbound message is still waiting for its customer read. */
    outboundInfo(wamid: string) {
      const message = state.outbound.get(wamid)
      return message && {
        type: message.type,
        recipientId: message.recipientId,
        failureCode: message.failure?.code,
        emitted: [...message.emitted],
      }
    },
  }
}

function createMessagingState(deps: MessagingDeps): MessagingState {
  const { config } = deps
  return {
    deps,
    now: () => deps.scheduler.clock.now(),
    inbound: new Map(),
    outbound: new Map(),
    recorded: [],
    sendListeners: [],
    throughput: createTokenBucket(config.throughputPerSecond, 1000 / config.throughputPerSecond),
    pairs: createKeyedBuckets(config.pairLimit.burst, config.pairLimit.intervalMs),
    experiment: new Set(config.experimentRecipients.map(normalizePhone)),
    undeliverable: new Set(config.undeliverableRecipients.map(normalizePhone)),
    err: (code, details) => whatsappError(code, deps.traceId(), details, config.httpStatusOverrides),
  }
}

// Inbound ----------------------------------------------------------------------------------------

/** A customer writes in: the message webhook is queued and the service window opens. */
function receive(state: MessagingState, from: Parameters<CustomerRegistry['resolve']>[0], input: InboundMessageInput): string {
  const { deps } = state
  const { config, customers } = deps
  const customer = customers.resolve(from)
  const timestamp = input.timestamp ?? Math.floor(state.now() / 1000)
  const wamid = makeWamid(deps.random, customer.waId ?? '', 'inbound')
  const built = buildInbound(input, {
    wamid,
    timestamp,
    customer,
    displayPhoneNumber: config.displayPhoneNumber,
    media: deps.media,
    mediaUrl: deps.mediaUrl,
  })
  const contacts = built.withContacts
    ? [
        contactBlock(customer),
      ]
    : undefined
  state.inbound.set(wamid, {
    wamid,
    customer,
    timestampMs: timestamp * 1000,
    type: input.type,
  })
  if (built.opensWindow)
    customer.lastInboundAt = Math.max(customer.lastInboundAt ?? 0, timestamp * 1000)
  deps.dispatcher.enqueue({
    kind: 'message',
    groupKey: built.withContacts
      ? `message:${customer.userId}`
      : 'system',
    field: 'messages',
    item: built.message,
    contacts,
    label: `${input.type} from ${customer.waId ?? customer.userId}`,
  })
  if (input.type === 'system_number_change')
    customers.changeNumber(customer, input.newWaId)
  deps.log(`${customer.name ?? 'customer'} (${customer.waId ?? customer.userId}) → ${describeInbound(input)} [${wamid}]`)
  return wamid
}

// Outbound ---------------------------------------------------------------------------------------

/** `POST /messages`: record the request, validate it, then mark-as-read or accept the send. */
function handleMessages(state: MessagingState, body: unknown): MessagesAnswer {
  const record: RecordedSend = {
    body,
    at: state.now(),
    phoneNumberId: state.deps.config.phoneNumberId,
    httpStatus: 200,
  }
  state.recorded.push(record)
  try {
    const plan = validateSend(body, state.err)
    if (plan.kind === 'read')
      return markInboundRead(state, plan.messageId)
    const answer = acceptSend(state, plan, body as Record<string, unknown>, record)
    for (const listener of state.sendListeners)
      listener(record)
    return answer
  }
  catch (error) {
    const graphError = error as GraphError
    if (!graphError.body)
      throw error
    record.httpStatus = graphError.status
    record.error = graphError.body
    state.deps.log(`send rejected: ${graphError.body.message}${graphError.body.error_data
      ? ` (${graphError.body.error_data.details})`
      : ''}`)
    return {
      status: graphError.status,
      json: { error: graphError.body },
    }
  }
}

function markInboundRead(state: MessagingState, messageId: string): MessagesAnswer {
  const message = state.inbound.get(messageId)
  if (!message || state.now() - message.timestampMs > THIRTY_DAYS_MS)
    throw state.err(131009, `Message ID ${messageId} is not valid, is not an incoming message, or is older than 30 days.`)
  state.deps.log(`business read ${messageId}`)
  return {
    status: 200,
    json: { success: true },
  }
}

/** Records a `/messages` request refused before its body was looked at (bad token, unparsable body). */
function recordRejected(state: MessagingState, rawBody: string, error: GraphError) {
  let body: unknown = rawBody
  try {
    body = JSON.parse(rawBody)
  }
  catch {}
  state.recorded.push({
    body,
    at: state.now(),
    phoneNumberId: state.deps.config.phoneNumberId,
    httpStatus: error.status,
    error: error.body,
  })
  state.deps.log(`send rejected: ${error.body.message}`)
}

/** A short human description of an inbound message for log lines. */
function describeInbound(input: InboundMessageInput): string {
  const clip = (text: string) => (text.length > 80
    ? `${text.slice(0, 79)}…`
    : text)
  switch (input.type) {
    case 'text': return `"${clip(input.body)}"`
    case 'audio': return input.voice ? 'voice note' : 'audio'
    case 'image':
    case 'video':
    case 'document':
    case 'sticker': return input.caption
      ? `${input.type} "${clip(input.caption)}"`
      : input.type
    case 'reaction': return input.emoji
      ? `reaction ${input.emoji} to ${input.messageId}`
      : `reaction removed from ${input.messageId}`
    case 'location': return `location ${input.name ?? `${input.latitude},${input.longitude}`}`
    case 'button_reply':
    case 'list_reply': return `tapped "${input.title}"`
    case 'button': return `tapped template button "${input.text}"`
    case 'system_number_change': return `changed number to ${input.newWaId}`
    default: return input.type
  }
}

export type Messaging = ReturnType<typeof createMessaging>
