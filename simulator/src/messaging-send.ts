// Accepting a send through `POST /messages`: the recipient is looked up, the rate limits and the
// template are checked, the failure the send will end in (if any) is decided now, and the answer
// carries the new wamid. The status webhooks that follow are scheduled by messaging-statuses.ts.

import type { Customer } from './customers.ts'
import type { MessagesAnswer, MessagingState, OutboundRecord } from './messaging.ts'
import type { SendPlan } from './outbound.ts'
import type { RecordedSend, SimTemplate } from './types.ts'
import { mediaKindOf } from './media-store.ts'
import { scheduleStatuses } from './messaging-statuses.ts'
import { makeWamid } from './random.ts'
import { checkTemplateSend } from './templates.ts'

/** How old a message a reaction or mark-as-read may still point at. */
export const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000

type MessagePlan = Extract<SendPlan, { kind: 'message' }>

/** What a send is addressed to: the known customer (if any), its wa_id and the key the pair limit uses. */
interface Recipient {
  customer?: Customer
  waId?: string
  key: string
}

export function acceptSend(state: MessagingState, plan: MessagePlan, body: Record<string, unknown>, record: RecordedSend): MessagesAnswer {
  const { deps, err } = state
  const { config } = deps
  const customer = plan.recipientWaId
    ? deps.customers.byWaId(plan.recipientWaId)
    : deps.customers.byUserId(plan.recipientUserId!)
  const recipient: Recipient = {
    customer,
    waId: plan.recipientWaId ?? customer?.waId,
    key: plan.recipientWaId ?? plan.recipientUserId!,
  }
  record.recipient = recipient.waId

  const at = state.now()
  const pair = state.pairs(recipient.key)
  if (!state.throughput.has(at))
    throw err(130429)
  if (!pair.has(at))
    throw err(131056)

  let template: SimTemplate | undefined
  if (plan.template)
    template = checkTemplateSend(deps.templates(), plan.template, deps.traceId, config.httpStatusOverrides)

  const windowOpen = deps.customers.windowOpen(customer, at)
  if (!template && !windowOpen && config.windowErrorMode === 'sync')
    throw err(131047)
  const failure = deliveryFailure(state, plan, recipient.waId, template, windowOpen)

  state.throughput.take(at)
  pair.take(at)
  const message = outboundRecord(state, plan, body, recipient, { at, template, windowOpen, failure })
  state.outbound.set(message.wamid, message)
  record.wamid = message.wamid
  if (failure)
    record.failureCode = failure.code
  if (plan.bsuidInTo)
    deps.log(`${message.wamid}: a BSUID in "to" is accepted but never delivered; use "recipient"`)
  else
    scheduleStatuses(state, message, plan.type === 'reaction')
  deps.log(`send ${plan.type}${template
    ? ` ${template.name}/${template.language}`
    : ''} to ${recipient.key} accepted as ${message.wamid}${failure
    ? ` (will fail ${failure.code})`
    : ''}`)
  return sendAnswer(plan, recipient, message.wamid, template)
}

/** The failure an accepted send ends in, reported later as a 'failed' status; undefined if it goes through. */
function deliveryFailure(
  state: MessagingState,
  plan: MessagePlan,
  waId: string | undefined,
  template: SimTemplate | undefined,
  windowOpen: boolean,
): OutboundRecord['failure'] {
  const mediaRef = plan.mediaId
    ? { id: plan.mediaId, type: plan.type }
    : templateHeaderMedia(plan.template)
  if (waId && state.undeliverable.has(waId))
    return { code: 131026 }
  if (!template && !windowOpen)
    return { code: 131047 }
  if (mediaRef && !mediaMatches(state, mediaRef.id, mediaRef.type)) {
    return {
      code: 131053,
      details: state.deps.media.get(mediaRef.id)
        ? `Media type does not match the ${mediaRef.type} message.`
        : `Media ID ${mediaRef.id} was not found or has expired.`,
    }
  }
  if (template?.category === 'MARKETING' && waId && state.experiment.has(waId))
    return { code: 130472 }
  if (plan.reactionTarget && !isValidReactionTarget(state, plan.reactionTarget))
    return { code: 131009, details: 'Reaction target message ID is not valid, was deleted, is a reaction, or is older than 30 days.' }
  return undefined
}

/** The record of an accepted send, with the pricing its statuses will carry. */
function outboundRecord(
  state: MessagingState,
  plan: MessagePlan,
  body: Record<string, unknown>,
  recipient: Recipient,
  send: { at: number, template?: SimTemplate, windowOpen: boolean, failure: OutboundRecord['failure'] },
): OutboundRecord {
  const { template } = send
  const wamid = makeWamid(state.deps.random, recipient.waId ?? '', 'outbound')
  const category = template
    ? template.category.toLowerCase()
    : 'service'
  const free = !template
    ? true
    : send.windowOpen && template.category === 'UTILITY'
  return {
    wamid,
    type: plan.type,
    customer: recipient.customer,
    recipientId: recipient.waId ?? recipient.key,
    acceptedAt: send.at,
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
    failure: send.failure,
    emitted: new Set(),
    skipDelivered: false,
    tasks: new Map(),
  }
}

function sendAnswer(plan: MessagePlan, recipient: Recipient, wamid: string, template: SimTemplate | undefined): MessagesAnswer {
  const contact: Record<string, string> = { input: plan.input }
  if (recipient.waId)
    contact.wa_id = recipient.waId
  else
    contact.user_id = recipient.key
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

function mediaMatches(state: MessagingState, mediaId: string, type: string) {
  const media = state.deps.media.get(mediaId)
  if (!media)
    return false
  const kind = mediaKindOf(media.mimeType)
  if (type === 'sticker')
    return kind === 'sticker'
  if (type === 'image')
    return kind === 'image'
  return kind === type
}

function isValidReactionTarget(state: MessagingState, wamid: string) {
  const target = state.inbound.get(wamid) ?? state.outbound.get(wamid)
  if (!target)
    return false
  const at = 'timestampMs' in target
    ? target.timestampMs
    : target.acceptedAt
  return target.type !== 'reaction' && state.now() - at <= THIRTY_DAYS_MS
}
