// The status webhooks that follow an accepted send: 'sent', 'delivered' and 'read' at the configured
// delays (sometimes reordered, sometimes without 'delivered'), 'failed' for a send that was doomed,
// and the customer reading or playing a message now.

import type { MessagingState, OutboundRecord, StatusName } from './messaging.ts'
import { contactBlock } from './customers.ts'
import { statusError } from './errors.ts'

export function scheduleStatuses(state: MessagingState, message: OutboundRecord, reaction: boolean) {
  const delays = state.deps.config.statusDelaysMs
  const base = message.acceptedAt
  if (message.failure) {
    schedule(state, message, 'failed', base + delays.sent, base + delays.sent)
    return
  }
  if (reaction) {
    schedule(state, message, 'sent', base + delays.sent, base + delays.sent)
    return
  }
  const plan = statusPlan(state, message)
  const slots = deliverySlots(state, message, plan)
  plan.forEach((item, index) => schedule(state, message, item.status, slots[index]!, item.at))
}

/** sent, delivered (unless skipped: the second pricing then rides on 'read') and read, at their logical times. */
function statusPlan(state: MessagingState, message: OutboundRecord) {
  const { config } = state.deps
  const delays = config.statusDelaysMs
  const base = message.acceptedAt
  const plan: { status: StatusName, at: number }[] = [
    { status: 'sent', at: base + delays.sent },
  ]
  const skip = delays.read !== null && state.deps.random.keyed(`skip-delivered:${message.wamid}`) < config.skipDeliveredRate
  if (skip) {
    message.skipDelivered = true
    message.pricingOn = 'read'
  }
  else {
    plan.push({ status: 'delivered', at: base + delays.delivered })
  }
  if (delays.read !== null)
    plan.push({ status: 'read', at: base + delays.read })
  return plan
}

/** Reordering shuffles when each status is delivered; its timestamp stays the logical one. */
function deliverySlots(state: MessagingState, message: OutboundRecord, plan: { at: number }[]) {
  const { random, config } = state.deps
  let slots = plan.map(item => item.at)
  if (plan.length > 1 && random.keyed(`reorder:${message.wamid}`) < config.reorderRate) {
    const orders = permutations(plan.map((_, index) => index)).filter(order => order.some((value, index) => value !== index))
    const order = orders[Math.floor(random.keyed(`reorder-pick:${message.wamid}`) * orders.length)]!
    slots = order.map(index => plan[index]!.at)
  }
  return slots
}

function schedule(state: MessagingState, message: OutboundRecord, status: StatusName, deliverAt: number, logicalAt: number) {
  const id = state.deps.scheduler.at(deliverAt, `${status} ${message.wamid}`, () => {
    message.tasks.delete(status)
    emitStatus(state, message, status, logicalAt)
  })
  message.tasks.set(status, id)
}

function emitStatus(state: MessagingState, message: OutboundRecord, status: StatusName, at: number) {
  if (message.emitted.has(status))
    return
  message.emitted.add(status)
  const contacts = status !== 'failed' && message.customer
    ? [
        contactBlock(message.customer),
      ]
    : undefined
  state.deps.dispatcher.enqueue({
    kind: 'status',
    groupKey: status === 'failed'
      ? 'status:failed'
      : 'status',
    field: 'messages',
    item: statusItem(message, status, at),
    contacts,
    label: `${status} ${message.wamid}`,
  })
}

/** One entry of a status webhook's `statuses` array. */
function statusItem(message: OutboundRecord, status: StatusName, at: number) {
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
  return item
}

function fireNow(state: MessagingState, message: OutboundRecord, status: StatusName) {
  const task = message.tasks.get(status)
  if (task === undefined)
    return
  state.deps.scheduler.cancel(task)
  message.tasks.delete(status)
  emitStatus(state, message, status, state.now())
}

/** The customer reads an outbound message now: pending 'sent'/'delivered' go first, then 'read'. */
export function markRead(state: MessagingState, wamid: string) {
  const message = state.outbound.get(wamid)
  if (!message)
    throw new Error(`markRead: no outbound message ${wamid}`)
  if (message.failure || message.emitted.has('read') || message.type === 'reaction')
    return
  fireNow(state, message, 'sent')
  if (!message.emitted.has('sent'))
    emitStatus(state, message, 'sent', state.now())
  fireNow(state, message, 'delivered')
  if (!message.skipDelivered && !message.emitted.has('delivered'))
    emitStatus(state, message, 'delivered', state.now())
  const readTask = message.tasks.get('read')
  if (readTask !== undefined) {
    state.deps.scheduler.cancel(readTask)
    message.tasks.delete('read')
  }
  emitStatus(state, message, 'read', state.now())
}

/** The customer plays an outbound voice message ('played' status; reads it first if needed). */
export function markPlayed(state: MessagingState, wamid: string) {
  const message = state.outbound.get(wamid)
  if (!message)
    throw new Error(`markPlayed: no outbound message ${wamid}`)
  if (!message.isVoice)
    throw new Error(`markPlayed: ${wamid} is not an audio message`)
  markRead(state, wamid)
  emitStatus(state, message, 'played', state.now())
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
