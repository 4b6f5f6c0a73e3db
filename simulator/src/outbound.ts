// Validation of `POST /{phone-number-id}/messages` bodies: the shape checks Meta runs before any
// policy rule (100 for a bad or unknown field, 131008 for a missing one, 131051 for an unknown type).
// The result says what the request is; policy (window, limits, templates) is applied by the caller.

import type { GraphError } from './errors.ts'
import { normalizePhone } from './customers.ts'

export type SendPlan
  = | { kind: 'read', messageId: string, typing: boolean }
    | {
      kind: 'message'
      type: string
      /** `to` exactly as given, for `contacts[].input`. */
      input: string
      recipientWaId?: string
      recipientUserId?: string
      contextMessageId?: string
      /** Media sent by uploaded id (checked asynchronously, as Meta does). */
      mediaId?: string
      reactionTarget?: string
      reactionEmoji?: string
      template?: Record<string, unknown>
      /** A BSUID passed in `to`: Meta accepts it and never delivers (Chatwoot base_service.rb note). */
      bsuidInTo?: boolean
    }

export type ErrorFactory = (code: number, details?: string) => GraphError

const ROOT_KEYS = new Set([
  'messaging_product',
  'recipient_type',
  'to',
  'recipient',
  'type',
  'context',
  'biz_opaque_callback_data',
  'status',
  'message_id',
  'typing_indicator',
  'access_token',
])
const BSUID = /^[A-Z]{2}\.(?:ENT\.)?\d+$/
const MESSAGE_TYPES = [
  'audio',
  'contacts',
  'document',
  'image',
  'interactive',
  'location',
  'reaction',
  'sticker',
  'template',
  'text',
  'video',
] as const
const MEDIA_TYPES = new Set([
  'audio',
  'document',
  'image',
  'sticker',
  'video',
])
const MEDIA_KEYS: Record<string, string[]> = {
  audio: ['id', 'link'],
  sticker: ['id', 'link'],
  image: ['id', 'link', 'caption'],
  video: ['id', 'link', 'caption'],
  document: ['id', 'link', 'caption', 'filename'],
}
const INTERACTIVE_TYPES = [
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'location_request_message',
  'address_message',
]

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function validateSend(body: unknown, err: ErrorFactory): SendPlan {
  if (!isObject(body))
    throw err(100, 'The request body must be a JSON object.')
  checkRootKeys(body, err)
  if (body.status !== undefined)
    return readReceipt(body, err)
  for (const key of ['message_id', 'typing_indicator']) {
    if (body[key] !== undefined)
      throw err(100, `Param ${key} is only valid with status "read".`)
  }
  const recipient = checkRecipient(body, err)

  const type = body.type ?? 'text'
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type))
    throw err(131051, `Unsupported message type: ${String(type)}.`)
  const object = body[type]
  if (object === undefined)
    throw err(131008, `The parameter ${type} is required.`)
  if (type !== 'contacts' && !isObject(object))
    throw err(100, `Param ${type} must be a JSON object.`)

  let contextMessageId: string | undefined
  if (body.context !== undefined) {
    if (!isObject(body.context) || typeof body.context.message_id !== 'string')
      throw err(131008, 'The parameter context[\'message_id\'] is required.')
    contextMessageId = body.context.message_id
  }
  if (body.biz_opaque_callback_data !== undefined && (typeof body.biz_opaque_callback_data !== 'string' || body.biz_opaque_callback_data.length > 512))
    throw err(100, 'Param biz_opaque_callback_data must be a string of at most 512 characters.')

  const plan: SendPlan = {
    kind: 'message',
    type,
    input: recipient.input,
    recipientWaId: recipient.recipientWaId,
    recipientUserId: recipient.recipientUserId,
    contextMessageId,
  }
  if (body.to !== undefined && recipient.recipientUserId)
    plan.bsuidInTo = true
  checkMessageObject(plan, type, object, err)
  return plan
}

/** Only known keys at the root, and `messaging_product: "whatsapp"`. */
function checkRootKeys(body: Record<string, unknown>, err: ErrorFactory) {
  const allowed = new Set([
    ...ROOT_KEYS,
    ...MESSAGE_TYPES,
  ])
  for (const key of Object.keys(body)) {
    if (!allowed.has(key))
      throw err(100, `Unexpected key "${key}" on param "<root>".`)
  }
  if (body.messaging_product === undefined)
    throw err(131008, 'The parameter messaging_product is required.')
  if (body.messaging_product !== 'whatsapp')
    throw err(100, 'Param messaging_product must be "whatsapp".')
}

/** `{status: 'read', message_id}`, optionally with a typing indicator. */
function readReceipt(body: Record<string, unknown>, err: ErrorFactory): SendPlan {
  if (body.status !== 'read')
    throw err(100, 'Param status must be "read".')
  if (typeof body.message_id !== 'string' || body.message_id === '')
    throw err(131008, 'The parameter message_id is required.')
  let typing = false
  if (body.typing_indicator !== undefined) {
    if (!isObject(body.typing_indicator) || body.typing_indicator.type !== 'text')
      throw err(100, 'Param typing_indicator[\'type\'] must be "text".')
    typing = true
  }
  return { kind: 'read', messageId: body.message_id, typing }
}

/** `to` (a phone number, or a BSUID: accepted, never delivered) or `recipient` (a BSUID), not both. */
function checkRecipient(body: Record<string, unknown>, err: ErrorFactory) {
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual')
    throw err(100, 'Param recipient_type must be "individual" (group messaging is not enabled for this number).')
  if (body.to === undefined && body.recipient === undefined)
    throw err(131008, 'The parameter to is required.')
  if (body.to !== undefined && body.recipient !== undefined)
    throw err(100, 'Params to and recipient cannot be used together.')
  if (body.to !== undefined) {
    if (typeof body.to !== 'string')
      throw err(100, 'Param to must be a string.')
    if (BSUID.test(body.to))
      return { input: body.to, recipientWaId: undefined, recipientUserId: body.to }
    const recipientWaId = normalizePhone(body.to)
    if (!/^\d{7,15}$/.test(recipientWaId))
      throw err(100, `Param to is not a valid phone number: "${body.to}".`)
    return { input: body.to, recipientWaId, recipientUserId: undefined }
  }
  if (typeof body.recipient !== 'string' || !BSUID.test(body.recipient))
    throw err(100, 'Param recipient must be a business-scoped user id.')
  return { input: body.recipient, recipientWaId: undefined, recipientUserId: body.recipient }
}

/** The per-type checks of the message object (`text`, `image`, `template`, …). */
function checkMessageObject(plan: Extract<SendPlan, { kind: 'message' }>, type: string, object: unknown, err: ErrorFactory) {
  if (type === 'text')
    checkText(object as Record<string, unknown>, err)
  else if (MEDIA_TYPES.has(type))
    plan.mediaId = checkMedia(type, object as Record<string, unknown>, err)
  else if (type === 'template')
    plan.template = checkTemplateShape(object as Record<string, unknown>, err)
  else if (type === 'reaction')
    Object.assign(plan, checkReaction(object as Record<string, unknown>, err))
  else if (type === 'interactive')
    checkInteractive(object as Record<string, unknown>, err)
  else if (type === 'location')
    checkLocation(object as Record<string, unknown>, err)
  else
    checkContacts(object, err)
}

function onlyKeys(object: Record<string, unknown>, param: string, keys: string[], err: ErrorFactory) {
  for (const key of Object.keys(object)) {
    if (!keys.includes(key))
      throw err(100, `Unexpected key "${key}" on param "${param}".`)
  }
}

function requireString(value: unknown, path: string, err: ErrorFactory, max?: number): string {
  if (value === undefined || value === null)
    throw err(131008, `The parameter ${path} is required.`)
  if (typeof value !== 'string')
    throw err(100, `Param ${path} must be a string.`)
  if (value.length === 0)
    throw err(100, `Param ${path} must not be empty.`)
  if (max !== undefined && value.length > max)
    throw err(100, `Param ${path} must be at most ${max} characters long.`)
  return value
}

function checkText(text: Record<string, unknown>, err: ErrorFactory) {
  onlyKeys(text, 'text', ['body', 'preview_url'], err)
  requireString(text.body, 'text[\'body\']', err, 4096)
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean')
    throw err(100, 'Param text[\'preview_url\'] must be a boolean.')
}

function checkMedia(type: string, media: Record<string, unknown>, err: ErrorFactory): string | undefined {
  onlyKeys(media, type, MEDIA_KEYS[type]!, err)
  if (media.id === undefined && media.link === undefined)
    throw err(131008, `The parameter ${type}['id'] or ${type}['link'] is required.`)
  if (media.id !== undefined && media.link !== undefined)
    throw err(100, `Param ${type} must have either id or link, not both.`)
  if (media.caption !== undefined)
    requireString(media.caption, `${type}['caption']`, err, 1024)
  if (media.filename !== undefined)
    requireString(media.filename, `${type}['filename']`, err, 240)
  if (media.link !== undefined) {
    const link = requireString(media.link, `${type}['link']`, err)
    if (!URL.canParse(link) || !/^https?:$/.test(new URL(link).protocol))
      throw err(100, `Param ${type}['link'] is not a valid URI.`)
    return undefined
  }
  return requireString(media.id, `${type}['id']`, err)
}

function checkTemplateShape(template: Record<string, unknown>, err: ErrorFactory) {
  onlyKeys(template, 'template', [
    'name',
    'language',
    'components',
    'namespace',
  ], err)
  requireString(template.name, 'template[\'name\']', err, 512)
  if (template.language === undefined)
    throw err(131008, 'The parameter template[\'language\'] is required.')
  if (!isObject(template.language))
    throw err(100, 'Param template[\'language\'] must be a JSON object.')
  onlyKeys(template.language, 'template[\'language\']', ['code', 'policy'], err)
  requireString(template.language.code, 'template[\'language\'][\'code\']', err)
  if (template.language.policy !== undefined && template.language.policy !== 'deterministic')
    throw err(100, 'Param template[\'language\'][\'policy\'] must be "deterministic".')
  if (template.components !== undefined && !Array.isArray(template.components))
    throw err(100, 'Param template[\'components\'] must be an array.')
  return template
}

function checkReaction(reaction: Record<string, unknown>, err: ErrorFactory) {
  onlyKeys(reaction, 'reaction', ['message_id', 'emoji'], err)
  const reactionTarget = requireString(reaction.message_id, 'reaction[\'message_id\']', err)
  if (reaction.emoji !== undefined && typeof reaction.emoji !== 'string')
    throw err(100, 'Param reaction[\'emoji\'] must be a string.')
  if (typeof reaction.emoji === 'string' && [...reaction.emoji].length > 10)
    throw err(131009, 'Param reaction[\'emoji\'] must be a single emoji.')
  return { reactionTarget, reactionEmoji: (reaction.emoji as string | undefined) ?? '' }
}

function checkInteractive(interactive: Record<string, unknown>, err: ErrorFactory) {
  onlyKeys(interactive, 'interactive', [
    'type',
    'header',
    'body',
    'footer',
    'action',
  ], err)
  const type = requireString(interactive.type, 'interactive[\'type\']', err)
  if (!INTERACTIVE_TYPES.includes(type))
    throw err(100, `Param interactive['type'] must be one of {${INTERACTIVE_TYPES.join(', ')}}, got "${type}".`)
  if (interactive.action === undefined && type !== 'location_request_message')
    throw err(131008, 'The parameter interactive[\'action\'] is required.')
  const action = (interactive.action ?? {}) as Record<string, unknown>
  if (!isObject(action))
    throw err(100, 'Param interactive[\'action\'] must be a JSON object.')
  if (interactive.footer !== undefined) {
    if (!isObject(interactive.footer))
      throw err(100, 'Param interactive[\'footer\'] must be a JSON object.')
    requireString(interactive.footer.text, 'interactive[\'footer\'][\'text\']', err, 60)
  }
  if (interactive.header !== undefined && !isObject(interactive.header))
    throw err(100, 'Param interactive[\'header\'] must be a JSON object.')
  const bodyText = () => {
    if (!isObject(interactive.body))
      throw err(131008, 'The parameter interactive[\'body\'] is required.')
    return interactive.body.text
  }
  if (type === 'button') {
    requireString(bodyText(), 'interactive[\'body\'][\'text\']', err, 1024)
    checkReplyButtons(action.buttons, err)
  }
  else if (type === 'list') {
    requireString(bodyText(), 'interactive[\'body\'][\'text\']', err, 4096)
    if (isObject(interactive.header) && interactive.header.type !== 'text')
      throw err(100, 'Param interactive[\'header\'][\'type\'] must be "text" for list messages.')
    requireString(action.button, 'interactive[\'action\'][\'button\']', err, 20)
    checkListSections(action.sections, err)
  }
  else if (type === 'cta_url') {
    requireString(bodyText(), 'interactive[\'body\'][\'text\']', err, 1024)
    if (action.name !== 'cta_url' || !isObject(action.parameters))
      throw err(100, 'Param interactive[\'action\'] must be {name: "cta_url", parameters: {display_text, url}}.')
    requireString(action.parameters.display_text, 'interactive[\'action\'][\'parameters\'][\'display_text\']', err, 20)
    requireString(action.parameters.url, 'interactive[\'action\'][\'parameters\'][\'url\']', err)
  }
}

/** 1 to 3 reply buttons with unique titles of at most 20 characters. */
function checkReplyButtons(buttons: unknown, err: ErrorFactory) {
  if (!Array.isArray(buttons) || buttons.length === 0)
    throw err(131008, 'The parameter interactive[\'action\'][\'buttons\'] is required.')
  if (buttons.length > 3)
    throw err(131009, 'Param interactive[\'action\'][\'buttons\'] must have at most 3 items.')
  const titles = new Set<string>()
  buttons.forEach((button: unknown, index) => {
    const path = `interactive['action']['buttons'][${index}]`
    if (!isObject(button) || button.type !== 'reply' || !isObject(button.reply))
      throw err(100, `Param ${path} must be {type: "reply", reply: {id, title}}.`)
    requireString(button.reply.id, `${path}['reply']['id']`, err, 256)
    const title = requireString(button.reply.title, `${path}['reply']['title']`, err, 20)
    if (titles.has(title))
      throw err(131009, `Param ${path}['reply']['title'] must be unique.`)
    titles.add(title)
  })
}

/** 1 to 10 sections (titled when more than one) with at most 10 rows in total. */
function checkListSections(sections: unknown, err: ErrorFactory) {
  if (!Array.isArray(sections) || sections.length === 0)
    throw err(131008, 'The parameter interactive[\'action\'][\'sections\'] is required.')
  if (sections.length > 10)
    throw err(131009, 'Param interactive[\'action\'][\'sections\'] must have at most 10 items.')
  let rows = 0
  sections.forEach((section: unknown, sectionIndex) => {
    const path = `interactive['action']['sections'][${sectionIndex}]`
    if (!isObject(section) || !Array.isArray(section.rows) || section.rows.length === 0)
      throw err(131008, `The parameter ${path}['rows'] is required.`)
    if (sections.length > 1)
      requireString(section.title, `${path}['title']`, err, 24)
    section.rows.forEach((row: unknown, rowIndex) => {
      const rowPath = `${path}['rows'][${rowIndex}]`
      if (!isObject(row))
        throw err(100, `Param ${rowPath} must be a JSON object.`)
      requireString(row.id, `${rowPath}['id']`, err, 200)
      requireString(row.title, `${rowPath}['title']`, err, 24)
      if (row.description !== undefined)
        requireString(row.description, `${rowPath}['description']`, err, 72)
      rows++
    })
  })
  if (rows > 10)
    throw err(131009, 'Param interactive[\'action\'][\'sections\'] must have at most 10 rows in total.')
}

function checkLocation(location: Record<string, unknown>, err: ErrorFactory) {
  onlyKeys(location, 'location', [
    'latitude',
    'longitude',
    'name',
    'address',
  ], err)
  for (const key of ['latitude', 'longitude']) {
    const value = location[key]
    if (value === undefined)
      throw err(131008, `The parameter location['${key}'] is required.`)
    if (typeof value !== 'number' && !(typeof value === 'string' && Number.isFinite(Number(value))))
      throw err(100, `Param location['${key}'] must be a number.`)
  }
}

function checkContacts(contacts: unknown, err: ErrorFactory) {
  if (!Array.isArray(contacts) || contacts.length === 0)
    throw err(100, 'Param contacts must be a non-empty array.')
  contacts.forEach((contact: unknown, index) => {
    if (!isObject(contact) || !isObject(contact.name))
      throw err(131008, `The parameter contacts[${index}]['name'] is required.`)
    requireString(contact.name.formatted_name, `contacts[${index}]['name']['formatted_name']`, err)
  })
}
