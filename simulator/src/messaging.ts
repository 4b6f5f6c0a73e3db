// The business phone number's conversation state: customers writing in (`receive`), sends accepted
// through the Graph API with every policy rule applied, and the status webhooks that follow a send
// (sent → delivered → read, with configured delays, reordering, skipped 'delivered' and failures).

import type { Customer, CustomerRegistry } from './customers.ts'
import type { GraphError } from './errors.ts'
import type { MediaStore } from './media-store.ts'
import type { SendPlan } from './outbound.ts'
import type { Random } from './random.ts'
import type { Scheduler } from './scheduler.ts'
import type { InboundMessageInput, RecordedSend, SimTemplate } from './types.ts'
import type { Dispatcher } from './webhook-dispatcher.ts'
import { contactBlock, normalizePhone } from './customers.ts'
import { statusError, whatsappError } from './errors.ts'
import { buildInbound } from './inbound.ts'
import { mediaKindOf } from './media-store.ts'
import { validateSend } from './outbound.ts'
import { makeWamid } from './random.ts'
import { createKeyedBuckets, createTokenBucket } from './rate-limits.ts'
import { checkTemplateSend } from './templates.ts'

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000

type StatusName = 'sent' | 'delivered' | 'read' | 'played' | 'failed'

interface InboundRecord {
  wamid: string
  customer: Customer
  timestampMs: number
  type: string
}

interface OutboundRecord {
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

export function createMessaging(deps: MessagingDeps) {
  const { config, scheduler, random, dispatcher, customers, log } = deps
  const now = () => scheduler.clock.now()
  const inbound = new Map<string, InboundRecord>()
  const outbound = new Map<string, OutboundRecord>()
  const recorded: RecordedSend[] = []
  const sendListeners: ((send: RecordedSend) => void)[] = []
  const throughput = createTokenBucket(config.throughputPerSecond, 1000 / config.throughputPerSecond)
  const pairs = createKeyedBuckets(config.pairLimit.burst, config.pairLimit.intervalMs)
  const experiment = new Set(config.experimentRecipients.map(normalizePhone))
  const undeliverable = new Set(config.undeliverableRecipients.map(normalizePhone))
  const err = (code: number, details?: string): GraphError => whatsappError(code, deps.traceId(), details, config.httpStatusOverrides)

  // Inbound --------------------------------------------------------------------------------------

  function receive(from: Parameters<CustomerRegistry['resolve']>[0], input: InboundMessageInput): string {
    const customer = customers.resolve(from)
    const timestamp = input.timestamp ?? Math.floor(now() / 1000)
    const wamid = makeWamid(random, customer.waId ?? '', 'inbound')
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
    inbound.set(wamid, {
      wamid,
      customer,
      timestampMs: timestamp * 1000,
      type: input.type,
    })
    if (built.opensWindow)
      customer.lastInboundAt = Math.max(customer.lastInboundAt ?? 0, timestamp * 1000)
    dispatcher.enqueue({
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
    log(`${customer.name ?? 'customer'} (${customer.waId ?? customer.userId}) → ${describeInbound(input)} [${wamid}]`)
    return wamid
  }

  // Outbound -------------------------------------------------------------------------------------

  function handleMessages(body: unknown): MessagesAnswer {
    const record: RecordedSend = {
      body,
      at: now(),
      phoneNumberId: config.phoneNumberId,
      httpStatus: 200,
    }
    recorded.push(record)
    try {
      const plan = validateSend(body, err)
      if (plan.kind === 'read')
        return markInboundRead(plan.messageId)
      const answer = acceptSend(plan, body as Record<string, unknown>, record)
      for (const listener of sendListeners)
        listener(record)
      return answer
    }
    catch (error) {
      const graphError = error as GraphError
      if (!graphError.body)
        throw error
      record.httpStatus = graphError.status
      record.error = graphError.body
      log(`send rejected: ${graphError.body.message}${graphError.body.error_data
        ? ` (${graphError.body.error_data.details})`
        : ''}`)
      return {
        status: graphError.status,
        json: { error: graphError.body },
      }
    }
  }

  function markInboundRead(messageId: string): MessagesAnswer {
    const message = inbound.get(messageId)
    if (!message || now() - message.timestampMs > THIRTY_DAYS_MS)
      throw err(131009, `Message ID ${messageId} is not valid, is not an incoming message, or is older than 30 days.`)
    log(`business read ${messageId}`)
    return {
      status: 200,
      json: { success: true },
    }
  }

  function acceptSend(plan: Extract<SendPlan, { kind: 'message' }>, body: Record<string, unknown>, record: RecordedSend): MessagesAnswer {
    const customer = plan.recipientWaId
      ? customers.byWaId(plan.recipientWaId)
      : customers.byUserId(plan.recipientUserId!)
    const recipientKey = plan.recipientWaId ?? plan.recipientUserId!
    record.recipient = plan.recipientWaId ?? customer?.waId

    const at = now()
    const pair = pairs(recipientKey)
    if (!throughput.has(at))
      throw err(130429)
    if (!pair.has(at))
      throw err(131056)

    let template: SimTemplate | undefined
    if (plan.template)
      template = checkTemplateSend(deps.templates(), plan.template, deps.traceId, config.httpStatusOverrides)

    const windowOpen = customers.windowOpen(customer, at)
    if (!template && !windowOpen && config.windowErrorMode === 'sync')
      throw err(131047)

    const mediaRef = plan.mediaId
      ? { id: plan.mediaId, type: plan.type }
      : templateHeaderMedia(plan.template)
    let failure: OutboundRecord['failure']
    const waId = plan.recipientWaId ?? customer?.waId
    if (waId && undeliverable.has(waId)) {
      failure = { code: 131026 }
    }
    else if (!template && !windowOpen) {
      failure = { code: 131047 }
    }
    else if (mediaRef && !mediaMatches(mediaRef.id, mediaRef.type)) {
      failure = {
        code: 131053,
        details: deps.media.get(mediaRef.id)
          ? `Media type does not match the ${mediaRef.type} message.`
          : `Media ID ${mediaRef.id} was not found or has expired.`,
      }
    }
    else if (template?.category === 'MARKETING' && waId && experiment.has(waId)) {
      failure = { code: 130472 }
    }
    else if (plan.reactionTarget && !isValidReactionTarget(plan.reactionTarget)) {
      failure = { code: 131009, details: 'Reaction target message ID is not valid, was deleted, is a reaction, or is older than 30 days.' }
    }

    throughput.take(at)
    pair.take(at)
    const wamid = makeWamid(random, waId ?? '', 'outbound')
    const category = template
      ? template.category.toLowerCase()
      : 'service'
    const free = !template
      ? true
      : windowOpen && template.category === 'UTILITY'
    const message: OutboundRecord = {
      wamid,
      type: plan.type,
      customer,
      recipientId: waId ?? recipientKey,
      acceptedAt: at,
      isVoice: plan.type === 'audio',
      bizOpaque: typeof body.biz_opaque_callback_data === 'string'
        ? body.biz_opaque_callback_data
        : undefined,
      pricing: {
        billable: !free,
        pricing_model: 'PMP',
        type: free ? 'free_customer_service' : 'regular',
        category,
      },
      pricingOn: 'delivered',
      failure,
      emitted: new Set(),
      skipDelivered: false,
      tasks: new Map(),
    }
    outbound.set(wamid, message)
    record.wamid = wamid
    if (failure)
      record.failureCode = failure.code
    if (plan.bsuidInTo)
      log(`${wamid}: a BSUID in "to" is accepted but never delivered; use "recipient"`)
    else
      scheduleStatuses(message, plan.type === 'reaction')
    log(`send ${plan.type}${template
      ? ` ${template.name}/${template.language}`
      : ''} to ${recipientKey} accepted as ${wamid}${failure
      ? ` (will fail ${failure.code})`
      : ''}`)

    const contact: Record<string, string> = { input: plan.input }
    if (waId)
      contact.wa_id = waId
    else
      contact.user_id = recipientKey
    const messageEntry: Record<string, string> = { id: wamid }
    if (template)
      messageEntry.message_status = 'accepted'
    return {
      status: 200,
      json: {
        messaging_product: 'whatsapp',
        contacts: [contact],
        messages: [messageEntry],
      },
    }
  }

  /** An uploaded media id used as a template's media header, checked like a media send. */
  function templateHeaderMedia(template: Record<string, unknown> | undefined) {
    const components = (template?.components ?? []) as { type?: unknown, parameters?: { type?: unknown, [key: string]: unknown }[] }[]
    const header = components.find(component => String(component.type).toLowerCase() === 'header')
    const param = header?.parameters?.[0]
    const type = String(param?.type)
    const media = param?.[type] as { id?: unknown } | undefined
    return typeof media?.id === 'string'
      ? { id: media.id, type }
      : undefined
  }

  function mediaMatches(mediaId: string, type: string) {
    const media = deps.media.get(mediaId)
    if (!media)
      return false
    const kind = mediaKindOf(media.mimeType)
    if (type === 'sticker')
      return kind === 'sticker'
    if (type === 'image')
      return kind === 'image'
    return kind === type
  }

  function isValidReactionTarget(wamid: string) {
    const target = inbound.get(wamid) ?? outbound.get(wamid)
    if (!target)
      return false
    const at = 'timestampMs' in target
      ? target.timestampMs
      : target.acceptedAt
    return target.type !== 'reaction' && now() - at <= THIRTY_DAYS_MS
  }

  // Statuses -------------------------------------------------------------------------------------

  function scheduleStatuses(message: OutboundRecord, reaction: boolean) {
    const delays = config.statusDelaysMs
    const base = message.acceptedAt
    if (message.failure) {
      schedule(message, 'failed', base + delays.sent, base + delays.sent)
      return
    }
    if (reaction) {
      schedule(message, 'sent', base + delays.sent, base + delays.sent)
      return
    }
    const plan: { status: StatusName, at: number }[] = [
      { status: 'sent', at: base + delays.sent },
    ]
    const skip = delays.read !== null && random.keyed(`skip-delivered:${message.wamid}`) < config.skipDeliveredRate
    if (skip) {
      message.skipDelivered = true
      message.pricingOn = 'read'
    }
    else {
      plan.push({ status: 'delivered', at: base + delays.delivered })
    }
    if (delays.read !== null)
      plan.push({ status: 'read', at: base + delays.read })

    // Reordering shuffles when each status is delivered; its timestamp stays the logical one.
    let slots = plan.map(item => item.at)
    if (plan.length > 1 && random.keyed(`reorder:${message.wamid}`) < config.reorderRate) {
      const orders = permutations(plan.map((_, index) => index)).filter(order => order.some((value, index) => value !== index))
      const order = orders[Math.floor(random.keyed(`reorder-pick:${message.wamid}`) * orders.length)]!
      slots = order.map(index => plan[index]!.at)
    }
    plan.forEach((item, index) => schedule(message, item.status, slots[index]!, item.at))
  }

  function schedule(message: OutboundRecord, status: StatusName, deliverAt: number, logicalAt: number) {
    const id = scheduler.at(deliverAt, `${status} ${message.wamid}`, () => {
      message.tasks.delete(status)
      emitStatus(message, status, logicalAt)
    })
    message.tasks.set(status, id)
  }

  function emitStatus(message: OutboundRecord, status: StatusName, at: number) {
    if (message.emitted.has(status))
      return
    message.emitted.add(status)
    const item: Record<string, unknown> = {
      id: message.wamid,
      status,
      timestamp: String(Math.floor(at / 1000)),
      recipient_id: message.recipientId,
    }
    if (message.customer)
      item.recipient_user_id = message.customer.userId
    if (message.bizOpaque !== undefined)
      item.biz_opaque_callback_data = message.bizOpaque
    if (status === 'failed') {
      item.errors = [
        statusError(message.failure!.code, message.failure!.details),
      ]
    }
    else if (message.pricing && (status === 'sent' || status === message.pricingOn) && !(message.type === 'reaction')) {
      item.pricing = { ...message.pricing }
    }
    const contacts = status !== 'failed' && message.customer
      ? [
          contactBlock(message.customer),
        ]
      : undefined
    dispatcher.enqueue({
      kind: 'status',
      groupKey: status === 'failed'
        ? 'status:failed'
        : 'status',
      field: 'messages',
      item,
      contacts,
      label: `${status} ${message.wamid}`,
    })
  }

  function fireNow(message: OutboundRecord, status: StatusName) {
    const task = message.tasks.get(status)
    if (task === undefined)
      return
    scheduler.cancel(task)
    message.tasks.delete(status)
    emitStatus(message, status, now())
  }

  /** The customer reads an outbound message now: pending 'sent'/'delivered' go first, then 'read'. */
  function markRead(wamid: string) {
    const message = outbound.get(wamid)
    if (!message)
      throw new Error(`markRead: no outbound message ${wamid}`)
    if (message.failure || message.emitted.has('read') || message.type === 'reaction')
      return
    fireNow(message, 'sent')
    if (!message.emitted.has('sent'))
      emitStatus(message, 'sent', now())
    fireNow(message, 'delivered')
    if (!message.skipDelivered && !message.emitted.has('delivered'))
      emitStatus(message, 'delivered', now())
    const readTask = message.tasks.get('read')
    if (readTask !== undefined) {
      scheduler.cancel(readTask)
      message.tasks.delete('read')
    }
    emitStatus(message, 'read', now())
  }

  /** The customer plays an outbound voice message ('played' status; reads it first if needed). */
  function markPlayed(wamid: string) {
    const message = outbound.get(wamid)
    if (!message)
      throw new Error(`markPlayed: no outbound message ${wamid}`)
    if (!message.isVoice)
      throw new Error(`markPlayed: ${wamid} is not an audio message`)
    markRead(wamid)
    emitStatus(message, 'played', now())
  }

  /** Records a `/messages` request refused before its body was looked at (bad token, unparsable body). */
  function recordRejected(rawBody: string, error: GraphError) {
    let body: unknown = rawBody
    try {
      body = JSON.parse(rawBody)
    }
    catch {}
    recorded.push({
      body,
      at: now(),
      phoneNumberId: config.phoneNumberId,
      httpStatus: error.status,
      error: error.body,
    })
    log(`send rejected: ${error.body.message}`)
  }

  return {
    receive,
    handleMessages,
    recordRejected,
    markRead,
    markPlayed,
    recorded,
    onSend(listener: (send: RecordedSend) => void) {
      sendListeners.push(listener)
      return () => {
        const index = sendListeners.indexOf(listener)
        if (index >= 0)
          sendListeners.splice(index, 1)
      }
    },
    /** Whether the outbound message is still waiting for its customer read. */
    outboundInfo(wamid: string) {
      const message = outbound.get(wamid)
      return message && {
        type: message.type,
        recipientId: message.recipientId,
        failureCode: message.failure?.code,
        emitted: [...message.emitted],
      }
    },
  }
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

function permutations(items: number[]): number[][] {
  if (items.length <= 1)
    return [items]
  return items.flatMap((item, index) =>
    permutations([
      ...items.slice(0, index),
      ...items.slice(index + 1),
    ]).map(rest => [item, ...rest]))
}

export type Messaging = ReturnType<typeof createMessaging>
