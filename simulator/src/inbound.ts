// Builds the `value.messages[]` object Meta sends for each kind of customer message (reference §1.5).

import type { Customer } from './customers.ts'
import type { MediaStore } from './media-store.ts'
import type { InboundMessageInput } from './types.ts'
import { statusError } from './errors.ts'
import { sampleFile } from './sample-files.ts'

const DEFAULT_MIME: Record<string, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  sticker: 'image/webp',
  document: 'application/pdf',
  audio: 'audio/ogg; codecs=opus',
}

export interface InboundBuild {
  message: Record<string, unknown>
  /** False for system messages, which carry no `contacts` array. */
  withContacts: boolean
  /** Whether the message opens/extends the 24 h window (reactions and system messages do not). */
  opensWindow: boolean
}

export interface InboundDeps {
  wamid: string
  timestamp: number
  customer: Customer
  displayPhoneNumber: string
  media: MediaStore
  mediaUrl: (mediaId: string) => string
}

export function buildInbound(input: InboundMessageInput, deps: InboundDeps): InboundBuild {
  const { customer } = deps
  const message = envelope(input, deps)
  let opensWindow = true
  let withContacts = true

  switch (input.type) {
    case 'text':
      message.type = 'text'
      message.text = { body: input.body }
      break
    case 'image':
    case 'video':
    case 'sticker':
    case 'document':
    case 'audio':
      message.type = input.type
      message[input.type] = mediaObject(input, deps)
      break
    case 'location':
      message.type = 'location'
      message.location = locationObject(input)
      break
    case 'contacts':
      message.type = 'contacts'
      message.contacts = input.contacts
      break
    case 'button_reply':
      message.context = { from: deps.displayPhoneNumber, id: input.contextId }
      message.type = 'interactive'
      message.interactive = {
        type: 'button_reply',
        button_reply: { id: input.id, title: input.title },
      }
      break
    case 'list_reply':
      message.context = { from: deps.displayPhoneNumber, id: input.contextId }
      message.type = 'interactive'
      message.interactive = {
        type: 'list_reply',
        list_reply: listReply(input),
      }
      break
    case 'button':
      message.context = { from: deps.displayPhoneNumber, id: input.contextId }
      message.type = 'button'
      message.button = { payload: input.payload, text: input.text }
      break
    case 'reaction':
      // Whether a reaction reopens the window is undocumented; the simulator decides it does not.
      opensWindow = false
      message.type = 'reaction'
      message.reaction = input.emoji === undefined
        ? { message_id: input.messageId }
        : { message_id: input.messageId, emoji: input.emoji }
      break
    case 'unsupported':
      message.errors = [
        unknownTypeError(),
      ]
      message.type = 'unsupported'
      message.unsupported = { type: input.unsupportedType }
      break
    case 'system_number_change':
      opensWindow = false
      withContacts = false
      message.type = 'system'
      message.system = numberChange(input, customer)
      break
    case 'order':
      message.type = 'order'
      message.order = orderObject(input)
      break
  }
  if (input.referral)
    message.referral = input.referral
  return { message, withContacts, opensWindow }
}

/** What every inbound message has: the quoted message, the sender, its wamid and timestamp. */
function envelope(input: InboundMessageInput, deps: InboundDeps) {
  const { customer } = deps
  const message: Record<string, unknown> = {}
  if (input.context) {
    message.context = 'id' in input.context
      ? { from: deps.displayPhoneNumber, id: input.context.id }
      : { ...input.context }
  }
  if (customer.waId)
    message.from = customer.waId
  message.from_user_id = customer.userId
  message.id = deps.wamid
  message.timestamp = String(deps.timestamp)
  return message
}

function listReply(input: Extract<InboundMessageInput, { type: 'list_reply' }>) {
  const reply: Record<string, unknown> = { id: input.id, title: input.title }
  if (input.description !== undefined)
    reply.description = input.description
  return reply
}

type MediaInput = Extract<InboundMessageInput, { type: 'image' | 'video' | 'sticker' | 'document' | 'audio' }>

/** The media object of an inbound media message; the file (given or a sample) is stored for download. */
function mediaObject(input: MediaInput, deps: InboundDeps) {
  const mimeType = input.mimeType ?? DEFAULT_MIME[input.type]!
  const stored = deps.media.put(input.bytes ?? sampleFile(mimeType, input.filename ?? input.caption), mimeType, 'inbound')
  const object: Record<string, unknown> = {}
  if (input.caption !== undefined && input.type !== 'audio' && input.type !== 'sticker')
    object.caption = input.caption
  if (input.type === 'document')
    object.filename = input.filename ?? 'document.pdf'
  object.mime_type = mimeType
  object.sha256 = stored.sha256Base64
  object.id = stored.id
  object.url = deps.mediaUrl(stored.id)
  if (input.type === 'audio')
    object.voice = input.voice ?? false
  if (input.type === 'sticker')
    object.animated = input.animated ?? false
  return object
}

function locationObject(input: Extract<InboundMessageInput, { type: 'location' }>) {
  const location: Record<string, unknown> = { latitude: input.latitude, longitude: input.longitude }
  for (const key of ['name', 'address', 'url'] as const) {
    if (input[key] !== undefined)
      location[key] = input[key]
  }
  return location
}

/** The `system` object Meta sends when a customer moves to a new number. */
function numberChange(input: Extract<InboundMessageInput, { type: 'system_number_change' }>, customer: Customer) {
  return {
    body: input.body ?? `User ${customer.name ?? customer.waId ?? ''} changed from ${customer.waId ?? ''} to ${input.newWaId}`.replace(/\s+/g, ' '),
    wa_id: input.newWaId,
    type: 'user_changed_number',
  }
}

/** The error an unsupported message carries (Meta's 131051, titled as in its webhooks). */
function unknownTypeError() {
  return {
    ...statusError(131051, 'Message type is currently not supported.'),
    title: 'Message type unknown',
    message: 'Message type unknown',
  }
}

function orderObject(input: Extract<InboundMessageInput, { type: 'order' }>) {
  const order: Record<string, unknown> = { catalog_id: input.catalogId, product_items: input.productItems }
  if (input.text !== undefined)
    order.text = input.text
  return order
}
