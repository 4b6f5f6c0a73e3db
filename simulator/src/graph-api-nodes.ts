// The Graph nodes the simulator answers: media upload and lookup, the template list with Meta's
// cursor paging, and the phone number and WhatsApp Business Account nodes. Each returns the JSON to
// send or throws the GraphError Meta would answer; the routing is in graph-api.ts.

import type { IncomingMessage } from 'node:http'
import type { GraphApiDeps } from './graph-api.ts'
import type { SimTemplate } from './types.ts'
import { Buffer } from 'node:buffer'
import { nonexistingFieldError, unsupportedRequestError, whatsappError } from './errors.ts'
import { baseMime, MEDIA_LIMITS, mediaKindOf } from './media-store.ts'

const TEMPLATE_FIELDS = [
  'id',
  'name',
  'language',
  'status',
  'category',
  'sub_category',
  'parameter_format',
  'components',
  'rejected_reason',
  'quality_score',
  'previous_category',
]
const TEMPLATE_DEFAULT_FIELDS = [
  'name',
  'parameter_format',
  'components',
  'language',
  'status',
  'category',
  'sub_category',
  'id',
]
const PHONE_FIELDS = [
  'id',
  'verified_name',
  'code_verification_status',
  'display_phone_number',
  'quality_rating',
  'platform_type',
  'throughput',
  'messaging_limit_tier',
  'name_status',
  'status',
]

export async function uploadMedia(deps: GraphApiDeps, req: IncomingMessage, raw: Buffer) {
  const contentType = req.headers['content-type'] ?? ''
  const err = (code: number, details: string) => whatsappError(code, deps.traceId(), details, deps.config.httpStatusOverrides)
  if (!contentType.toLowerCase().startsWith('multipart/form-data'))
    throw err(100, 'Param file must be a file upload sent as multipart/form-data.')
  let form: FormData
  try {
    form = await new Request('http://simulator.local/upload', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData()
  }
  catch {
    throw err(100, 'The multipart body could not be parsed.')
  }
  const product = form.get('messaging_product')
  if (product === null)
    throw err(131008, 'The parameter messaging_product is required.')
  if (product !== 'whatsapp')
    throw err(100, 'Param messaging_product must be "whatsapp".')
  const file = form.get('file')
  if (file === null)
    throw err(131008, 'The parameter file is required.')
  if (typeof file === 'string')
    throw err(100, 'Param file must be a file.')
  const typeField = form.get('type')
  const mimeType = (typeof typeField === 'string' && typeField) || file.type
  if (!mimeType)
    throw err(131053, 'Unable to determine the MIME type of the uploaded file; send it as the file\'s content type or the type field.')
  const kind = mediaKindOf(mimeType)
  if (!kind) {
    const supported = Object.values(MEDIA_LIMITS).flatMap(limit => limit.types).join(', ')
    throw err(131053, `Param file must be a file with one of the following types: ${supported}. Received file of type '${baseMime(mimeType)}'.`)
  }
  if (file.size === 0)
    throw err(131053, 'The uploaded file is empty.')
  if (file.size > MEDIA_LIMITS[kind].maxBytes)
    throw err(131053, `The ${kind} file is ${file.size} bytes; the limit for ${kind} is ${MEDIA_LIMITS[kind].maxBytes} bytes.`)
  const stored = deps.media.put(new Uint8Array(await file.arrayBuffer()), mimeType, 'upload')
  deps.log(`media upload ${stored.id} (${mimeType}, ${file.size} bytes)`)
  return { id: stored.id }
}

export function getMedia(deps: GraphApiDeps, mediaId: string, query: URLSearchParams) {
  const media = deps.media.get(mediaId)
  const scope = query.get('phone_number_id')
  if (!media || (scope !== null && scope !== deps.config.phoneNumberId))
    throw unsupportedRequestError(deps.traceId(), 'GET', mediaId)
  return {
    messaging_product: 'whatsapp',
    url: deps.media.issueUrl(media, deps.baseUrl()),
    mime_type: media.mimeType,
    sha256: media.sha256Hex,
    file_size: media.bytes.length,
    id: media.id,
  }
}

export function listTemplates(deps: GraphApiDeps, version: string, query: URLSearchParams, token: string) {
  const fields = selectFields(deps, query, TEMPLATE_FIELDS, TEMPLATE_DEFAULT_FIELDS, 'WhatsAppMessageTemplate')
  const limitParam = query.get('limit')
  const limit = limitParam === null
    ? 25
    : Number(limitParam)
  if (!Number.isInteger(limit) || limit < 1)
    throw whatsappError(100, deps.traceId(), 'Param limit must be a positive integer.', deps.config.httpStatusOverrides)
  const all = filterTemplates(deps.templates(), query)
  const { start, end } = pageBounds(deps, all, query, limit)
  const page = all.slice(start, end)
  if (page.length === 0)
    return { data: [] }

  const link = (key: 'after' | 'before', value: string) => {
    const params = new URLSearchParams(query)
    params.delete('after')
    params.delete('before')
    params.set('access_token', token)
    params.set('limit', String(limit))
    params.set(key, value)
    return `${deps.baseUrl()}/${version}/${deps.config.wabaId}/message_templates?${params}`
  }
  const paging: Record<string, unknown> = {
    cursors: {
      before: templateCursor(page[0]!),
      after: templateCursor(page.at(-1)!),
    },
  }
  if (end < all.length)
    paging.next = link('after', templateCursor(page.at(-1)!))
  if (start > 0)
    paging.previous = link('before', templateCursor(page[0]!))
  return {
    data: page.map(template => pick(template as unknown as Record<string, unknown>, fields)),
    paging,
  }
}

/** The `status`, `name`, `language` and `category` filters of the template list. */
function filterTemplates(templates: SimTemplate[], query: URLSearchParams) {
  const statuses = query.get('status')?.split(',').map(status => status.trim().toUpperCase()).filter(Boolean)
  const name = query.get('name')?.toLowerCase()
  const language = query.get('language')
  const category = query.get('category')?.toUpperCase()
  return templates.filter(template =>
    (!statuses?.length || statuses.includes(template.status))
    && (!name || template.name.toLowerCase().includes(name))
    && (!language || template.language === language)
    && (!category || template.category === category))
}

/** The slice `after`/`before` cursors select: the `limit` templates after one, or before one. */
function pageBounds(deps: GraphApiDeps, all: SimTemplate[], query: URLSearchParams, limit: number) {
  const cursorIndex = (cursor: string) => {
    const id = Buffer.from(cursor, 'base64').toString('utf8').replace(/^tpl:/, '')
    const index = all.findIndex(template => template.id === id)
    if (index < 0)
      throw whatsappError(100, deps.traceId(), 'Param after/before is not a valid cursor.', deps.config.httpStatusOverrides)
    return index
  }
  let start = 0
  const after = query.get('after')
  const before = query.get('before')
  if (after)
    start = cursorIndex(after) + 1
  else if (before)
    start = Math.max(0, cursorIndex(before) - limit)
  const end = before && !after
    ? cursorIndex(before)
    : Math.min(all.length, start + limit)
  return { start, end }
}

function templateCursor(template: SimTemplate) {
  return Buffer.from(`tpl:${template.id}`).toString('base64')
}

/** `GET /{template-id}`. */
export function templateNode(deps: GraphApiDeps, template: SimTemplate, query: URLSearchParams) {
  return pick(template as unknown as Record<string, unknown>, selectFields(deps, query, TEMPLATE_FIELDS, TEMPLATE_DEFAULT_FIELDS, 'WhatsAppMessageTemplate'))
}

export function phoneNumberNode(deps: GraphApiDeps, query: URLSearchParams) {
  const fields = selectFields(deps, query, PHONE_FIELDS, [
    'verified_name',
    'code_verification_status',
    'display_phone_number',
    'quality_rating',
    'platform_type',
    'throughput',
    'id',
  ], 'WhatsAppBusinessPhoneNumber')
  const { config } = deps
  const digits = config.displayPhoneNumber
  return pick({
    id: config.phoneNumberId,
    verified_name: config.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: digits.length === 11 && digits.startsWith('1')
      ? `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`
      : `+${digits}`,
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    messaging_limit_tier: 'TIER_1K',
    name_status: 'APPROVED',
    status: 'CONNECTED',
  }, fields)
}

/** `GET /{waba-id}`. */
export function wabaNode(deps: GraphApiDeps) {
  const { config } = deps
  return {
    id: config.wabaId,
    name: config.verifiedName,
    currency: 'USD',
    timezone_id: '1',
    message_template_namespace: `${config.wabaId.slice(-8)}_simulator`,
  }
}

/** `GET /{waba-id}/phone_numbers`: the one number, on one page. */
export function phoneNumbersEdge(deps: GraphApiDeps) {
  return {
    data: [
      phoneNumberNode(deps, new URLSearchParams()),
    ],
    paging: {
      cursors: { before: 'QVFIUg', after: 'QVFIUg' },
    },
  }
}

function selectFields(deps: GraphApiDeps, query: URLSearchParams, allowed: string[], defaults: string[], nodeType: string) {
  const requested = query.get('fields')
  if (!requested)
    return defaults
  const fields = requested.split(',').map(field => field.trim()).filter(Boolean)
  for (const field of fields) {
    if (!allowed.includes(field.replace(/\{.*$/, '')))
      throw nonexistingFieldError(deps.traceId(), field, nodeType)
  }
  return fields.includes('id')
    ? fields
    : [...fields, 'id']
}

function pick(source: Record<string, unknown>, fields: string[]) {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    if (source[field] !== undefined)
      out[field] = source[field]
  }
  return out
}
