// The Graph API subset on node:http: `/{version}/{phone-number-id}/messages|media`,
// `/{version}/{media-id}`, `/{version}/{waba-id}/message_templates`, a few read-only nodes, and the
// lookaside-style media download URL. Responses use Meta's JSON escaping and error envelopes.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MediaStore } from './media-store.ts'
import type { Messaging } from './messaging.ts'
import type { SimTemplate } from './types.ts'
import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { authError, GraphError, nonexistingFieldError, unknownPathError, unsupportedRequestError, whatsappError } from './errors.ts'
import { baseMime, MEDIA_LIMITS, mediaKindOf } from './media-store.ts'
import { metaStringify } from './meta-json.ts'

export interface GraphApiDeps {
  config: {
    phoneNumberId: string
    wabaId: string
    displayPhoneNumber: string
    verifiedName: string
    httpStatusOverrides?: Record<number, number>
  }
  baseUrl: () => string
  auth: { current: () => string, expired: () => Map<string, number> }
  messaging: Messaging
  media: MediaStore
  templates: () => SimTemplate[]
  traceId: () => string
  log: (line: string) => void
}

const DEFAULT_VERSION = 'v25.0'
const MAX_BODY_BYTES = 110 * 1024 * 1024
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

export function createGraphHandler(deps: GraphApiDeps) {
  const { config } = deps

  function sendJson(res: ServerResponse, status: number, json: unknown, version = DEFAULT_VERSION, extraHeaders: Record<string, string> = {}) {
    const body = metaStringify(json)
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Length': Buffer.byteLength(body),
      'facebook-api-version': version,
      'x-fb-trace-id': deps.traceId(),
      'Cache-Control': 'private, no-cache, no-store, must-revalidate',
      ...extraHeaders,
    })
    res.end(body)
  }

  function sendError(res: ServerResponse, error: GraphError, version?: string) {
    const headers: Record<string, string> = {}
    if (error.status === 401)
      headers['WWW-Authenticate'] = `OAuth "Facebook Platform" "invalid_token" "${error.body.message.replace(/"/g, '\'')}"`
    sendJson(res, error.status, { error: error.body }, version, headers)
  }

  function checkAuth(req: IncomingMessage, query: URLSearchParams) {
    const header = req.headers.authorization ?? ''
    const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header)
    const token = match?.[1] ?? query.get('access_token') ?? undefined
    if (!token)
      throw authError(deps.traceId(), 'missing')
    const expiredAt = deps.auth.expired().get(token)
    if (expiredAt !== undefined)
      throw authError(deps.traceId(), 'expired', expiredAt)
    const expected = Buffer.from(deps.auth.current())
    const given = Buffer.from(token)
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw authError(deps.traceId(), 'invalid')
    return token
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES)
        throw whatsappError(131053, deps.traceId(), 'The request body is larger than the 100 MB maximum.', config.httpStatusOverrides)
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks)
  }

  function parseMessageBody(req: IncomingMessage, raw: Buffer): unknown {
    const type = (req.headers['content-type'] ?? '').toLowerCase()
    const text = raw.toString('utf8')
    if (type.includes('application/x-www-form-urlencoded')) {
      // Graph accepts form posts; nested objects arrive as JSON strings.
      const out: Record<string, unknown> = {}
      for (const [key, value] of new URLSearchParams(text)) {
        try {
          out[key] = /^[[{]/.test(value)
            ? JSON.parse(value)
            : value
        }
        catch {
          out[key] = value
        }
      }
      return out
    }
    try {
      return JSON.parse(text)
    }
    catch {
      throw whatsappError(100, deps.traceId(), 'The request body could not be parsed as JSON.', config.httpStatusOverrides)
    }
  }

  function selectFields(query: URLSearchParams, allowed: string[], defaults: string[], nodeType: string) {
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

  // Handlers -------------------------------------------------------------------------------------

  async function uploadMedia(req: IncomingMessage, raw: Buffer) {
    const contentType = req.headers['content-type'] ?? ''
    const err = (code: number, details: string) => whatsappError(code, deps.traceId(), details, config.httpStatusOverrides)
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

  function getMedia(mediaId: string, query: URLSearchParams) {
    const media = deps.media.get(mediaId)
    const scope = query.get('phone_number_id')
    if (!media || (scope !== null && scope !== config.phoneNumberId))
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

  function listTemplates(version: string, query: URLSearchParams, token: string) {
    const fields = selectFields(query, TEMPLATE_FIELDS, TEMPLATE_DEFAULT_FIELDS, 'WhatsAppMessageTemplate')
    const limitParam = query.get('limit')
    const limit = limitParam === null
      ? 25
      : Number(limitParam)
    if (!Number.isInteger(limit) || limit < 1)
      throw whatsappError(100, deps.traceId(), 'Param limit must be a positive integer.', config.httpStatusOverrides)
    const statuses = query.get('status')?.split(',').map(status => status.trim().toUpperCase()).filter(Boolean)
    const name = query.get('name')?.toLowerCase()
    const language = query.get('language')
    const category = query.get('category')?.toUpperCase()
    const all = deps.templates().filter(template =>
      (!statuses?.length || statuses.includes(template.status))
      && (!name || template.name.toLowerCase().includes(name))
      && (!language || template.language === language)
      && (!category || template.category === category))

    const cursorIndex = (cursor: string) => {
      const id = Buffer.from(cursor, 'base64').toString('utf8').replace(/^tpl:/, '')
      const index = all.findIndex(template => template.id === id)
      if (index < 0)
        throw whatsappError(100, deps.traceId(), 'Param after/before is not a valid cursor.', config.httpStatusOverrides)
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
    const page = all.slice(start, end)
    if (page.length === 0)
      return { data: [] }

    const cursor = (template: SimTemplate) => Buffer.from(`tpl:${template.id}`).toString('base64')
    const link = (key: 'after' | 'before', value: string) => {
      const params = new URLSearchParams(query)
      params.delete('after')
      params.delete('before')
      params.set('access_token', token)
      params.set('limit', String(limit))
      params.set(key, value)
      return `${deps.baseUrl()}/${version}/${config.wabaId}/message_templates?${params}`
    }
    const paging: Record<string, unknown> = {
      cursors: {
        before: cursor(page[0]!),
        after: cursor(page.at(-1)!),
      },
    }
    if (end < all.length)
      paging.next = link('after', cursor(page.at(-1)!))
    if (start > 0)
      paging.previous = link('before', cursor(page[0]!))
    return {
      data: page.map(template => pick(template as unknown as Record<string, unknown>, fields)),
      paging,
    }
  }

  function phoneNumberNode(query: URLSearchParams) {
    const fields = selectFields(query, PHONE_FIELDS, [
      'verified_name',
      'code_verification_status',
      'display_phone_number',
      'quality_rating',
      'platform_type',
      'throughput',
      'id',
    ], 'WhatsAppBusinessPhoneNumber')
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

  function downloadMedia(res: ServerResponse, req: IncomingMessage, query: URLSearchParams) {
    try {
      checkAuth(req, new URLSearchParams())
    }
    catch (error) {
      sendError(res, error as GraphError)
      return
    }
    const found = deps.media.resolveDownload(query)
    if (typeof found === 'string') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(found === 'expired'
        ? 'URL signature expired'
        : 'Not Found')
      return
    }
    res.writeHead(200, {
      'Content-Type': found.mimeType,
      'Content-Length': found.bytes.length,
      'Content-Disposition': 'inline',
    })
    res.end(found.bytes)
  }

  // Router ---------------------------------------------------------------------------------------

  return async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator.local')
    const segments = url.pathname.split('/').filter(Boolean)
    const method = (req.method ?? 'GET').toUpperCase()
    if (segments[0] === 'whatsapp_business' && segments[1] === 'attachments' && method === 'GET') {
      downloadMedia(res, req, url.searchParams)
      return
    }
    const version = /^v\d+\.\d+$/.test(segments[0] ?? '')
      ? segments.shift()!
      : DEFAULT_VERSION
    try {
      const raw = method === 'GET' || method === 'DELETE'
        ? Buffer.alloc(0)
        : await readBody(req)
      const formToken = (req.headers['content-type'] ?? '').includes('urlencoded')
        ? new URLSearchParams(raw.toString('utf8')).get('access_token')
        : null
      const query = new URLSearchParams(url.searchParams)
      if (formToken && !query.has('access_token'))
        query.set('access_token', formToken)
      const [objectId = '', edge, ...rest] = segments
      if (!objectId)
        throw unsupportedRequestError(deps.traceId(), method, '')
      let token: string
      try {
        token = checkAuth(req, query)
      }
      catch (error) {
        if (objectId === config.phoneNumberId && edge === 'messages' && method === 'POST')
          deps.messaging.recordRejected(raw.toString('utf8'), (error as GraphError))
        throw error
      }
      if (rest.length > 0)
        throw unknownPathError(deps.traceId(), `/${rest.join('/')}`)

      if (objectId === config.phoneNumberId) {
        if (edge === 'messages' && method === 'POST') {
          let body: unknown
          try {
            body = parseMessageBody(req, raw)
          }
          catch (error) {
            deps.messaging.recordRejected(raw.toString('utf8'), error as GraphError)
            throw error
          }
          const answer = deps.messaging.handleMessages(body)
          sendJson(res, answer.status, answer.json, version)
          return
        }
        if (edge === 'media' && method === 'POST') {
          sendJson(res, 200, await uploadMedia(req, raw), version)
          return
        }
        if (edge === undefined && method === 'GET') {
          sendJson(res, 200, phoneNumberNode(query), version)
          return
        }
        if (edge !== undefined && !['messages', 'media'].includes(edge))
          throw nonexistingFieldError(deps.traceId(), edge, 'WhatsAppBusinessPhoneNumber')
        throw unsupportedRequestError(deps.traceId(), method, objectId)
      }

      if (objectId === config.wabaId) {
        if (edge === 'message_templates' && method === 'GET') {
          sendJson(res, 200, listTemplates(version, query, token), version)
          return
        }
        if (edge === 'phone_numbers' && method === 'GET') {
          sendJson(res, 200, {
            data: [
              phoneNumberNode(new URLSearchParams()),
            ],
            paging: {
              cursors: { before: 'QVFIUg', after: 'QVFIUg' },
            },
          }, version)
          return
        }
        if (edge === undefined && method === 'GET') {
          sendJson(res, 200, {
            id: config.wabaId,
            name: config.verifiedName,
            currency: 'USD',
            timezone_id: '1',
            message_template_namespace: `${config.wabaId.slice(-8)}_simulator`,
          }, version)
          return
        }
        if (edge !== undefined && !['message_templates', 'phone_numbers'].includes(edge))
          throw nonexistingFieldError(deps.traceId(), edge, 'WhatsAppBusinessAccount')
        throw unsupportedRequestError(deps.traceId(), method, objectId)
      }

      if (edge === undefined && deps.media.get(objectId)) {
        if (method === 'GET') {
          sendJson(res, 200, getMedia(objectId, query), version)
          return
        }
        if (method === 'DELETE') {
          const scope = query.get('phone_number_id')
          if (scope !== null && scope !== config.phoneNumberId)
            throw unsupportedRequestError(deps.traceId(), method, objectId)
          deps.media.delete(objectId)
          deps.log(`media delete ${objectId}`)
          sendJson(res, 200, { success: true }, version)
          return
        }
      }
      const template = deps.templates().find(item => item.id === objectId)
      if (template && edge === undefined && method === 'GET') {
        sendJson(res, 200, pick(template as unknown as Record<string, unknown>, selectFields(query, TEMPLATE_FIELDS, TEMPLATE_DEFAULT_FIELDS, 'WhatsAppMessageTemplate')), version)
        return
      }
      throw unsupportedRequestError(deps.traceId(), method, objectId)
    }
    catch (error) {
      if (error instanceof GraphError) {
        sendError(res, error, version)
        return
      }
      deps.log(`internal error on ${method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`)
      sendError(res, whatsappError(131000, deps.traceId(), 'Something went wrong', config.httpStatusOverrides), version)
    }
  }
}
