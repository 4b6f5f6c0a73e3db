// The Graph API subset on node:http: `/{version}/{phone-number-id}/messages|media`,
// `/{version}/{media-id}`, `/{version}/{waba-id}/message_templates`, a few read-only nodes, and the
// lookaside-style media download URL. Responses use Meta's JSON escaping and error envelopes.
// This file routes a request to its node (graph-api-nodes.ts) and writes the answer.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { MediaStore } from './media-store.ts'
import type { Messaging } from './messaging.ts'
import type { SimTemplate } from './types.ts'
import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { authError, GraphError, nonexistingFieldError, unknownPathError, unsupportedRequestError, whatsappError } from './errors.ts'
import { getMedia, listTemplates, phoneNumberNode, phoneNumbersEdge, templateNode, uploadMedia, wabaNode } from './graph-api-nodes.ts'
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
export function createGraphHandler(deps: GraphApiDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator.local')
    const segments = url.pathname.split('/').filter(Boolean)
    const method = (req.method ?? 'GET').toUpperCase()
    if (segments[0] === 'whatsapp_business' && segments[1] === 'attachments' && method === 'GET') {
      downloadMedia(deps, res, req, url.searchParams)
      return
    }
    const version = /^v\d+\.\d+$/.test(segments[0] ?? '')
      ? segments.shift()!
      : DEFAULT_VERSION
    try {
      const request = await readRequest(deps, req, url, method, segments)
      const answer = await route(deps, request, version)
      sendJson(deps, res, answer.status, answer.json, version)
    }
    catch (error) {
      if (error instanceof GraphError) {
        sendError(deps, res, error, version)
        return
      }
      deps.log(`internal error on ${method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`)
      sendError(deps, res, whatsappError(131000, deps.traceId(), 'Something went wrong', deps.config.httpStatusOverrides), version)
    }
  }
}

/** An authenticated Graph request: `/{objectId}/{edge}` with its body and query (plus a form-posted token). */
interface GraphRequest {
  req: IncomingMessage
  method: string
  objectId: string
  edge?: string
  raw: Buffer
  query: URLSearchParams
  token: string
}

interface GraphAnswer {
  status: number
  json: unknown
}

const ok = (json: unknown): GraphAnswer => ({ status: 200, json })

/** Reads the body and checks the token; a refused `/messages` post is still recorded as a send. */
async function readRequest(deps: GraphApiDeps, req: IncomingMessage, url: URL, method: string, segments: string[]): Promise<GraphRequest> {
  const raw = method === 'GET' || method === 'DELETE'
    ? Buffer.alloc(0)
    : await readBody(deps, req)
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
    token = checkAuth(deps, req, query)
  }
  catch (error) {
    if (objectId === deps.config.phoneNumberId && edge === 'messages' && method === 'POST')
      deps.messaging.recordRejected(raw.toString('utf8'), (error as GraphError))
    throw error
  }
  if (rest.length > 0)
    throw unknownPathError(deps.traceId(), `/${rest.join('/')}`)
  return {
    req,
    method,
    objectId,
    edge,
    raw,
    query,
    token,
  }
}

function route(deps: GraphApiDeps, request: GraphRequest, version: string): GraphAnswer | Promise<GraphAnswer> {
  if (request.objectId === deps.config.phoneNumberId)
    return routePhoneNumber(deps, request)
  if (request.objectId === deps.config.wabaId)
    return routeWaba(deps, request, version)
  return routeMediaOrTemplate(deps, request)
}

/** `/{phone-number-id}`, `/messages` and `/media`. */
async function routePhoneNumber(deps: GraphApiDeps, request: GraphRequest): Promise<GraphAnswer> {
  const { req, raw, method, edge } = request
  if (edge === 'messages' && method === 'POST') {
    let body: unknown
    try {
      body = parseMessageBody(deps, req, raw)
    }
    catch (error) {
      deps.messaging.recordRejected(raw.toString('utf8'), error as GraphError)
      throw error
    }
    return deps.messaging.handleMessages(body)
  }
  if (edge === 'media' && method === 'POST')
    return ok(await uploadMedia(deps, req, raw))
  if (edge === undefined && method === 'GET')
    return ok(phoneNumberNode(deps, request.query))
  if (edge !== undefined && !['messages', 'media'].includes(edge))
    throw nonexistingFieldError(deps.traceId(), edge, 'WhatsAppBusinessPhoneNumber')
  throw unsupportedRequestError(deps.traceId(), method, request.objectId)
}

/** `/{waba-id}`, `/message_templates` and `/phone_numbers`. */
function routeWaba(deps: GraphApiDeps, request: GraphRequest, version: string): GraphAnswer {
  const { method, edge } = request
  if (edge === 'message_templates' && method === 'GET')
    return ok(listTemplates(deps, version, request.query, request.token))
  if (edge === 'phone_numbers' && method === 'GET')
    return ok(phoneNumbersEdge(deps))
  if (edge === undefined && method === 'GET')
    return ok(wabaNode(deps))
  if (edge !== undefined && !['message_templates', 'phone_numbers'].includes(edge))
    throw nonexistingFieldError(deps.traceId(), edge, 'WhatsAppBusinessAccount')
  throw unsupportedRequestError(deps.traceId(), method, request.objectId)
}

/** `/{media-id}` (GET, DELETE) and `/{template-id}` (GET). */
function routeMediaOrTemplate(deps: GraphApiDeps, request: GraphRequest): GraphAnswer {
  const { method, edge, objectId, query } = request
  if (edge === undefined && deps.media.get(objectId)) {
    if (method === 'GET')
      return ok(getMedia(deps, objectId, query))
    if (method === 'DELETE') {
      const scope = query.get('phone_number_id')
      if (scope !== null && scope !== deps.config.phoneNumberId)
        throw unsupportedRequestError(deps.traceId(), method, objectId)
      deps.media.delete(objectId)
      deps.log(`media delete ${objectId}`)
      return ok({ success: true })
    }
  }
  const template = deps.templates().find(item => item.id === objectId)
  if (template && edge === undefined && method === 'GET')
    return ok(templateNode(deps, template, query))
  throw unsupportedRequestError(deps.traceId(), method, objectId)
}

// HTTP -------------------------------------------------------------------------------------------

function sendJson(deps: GraphApiDeps, res: ServerResponse, status: number, json: unknown, version = DEFAULT_VERSION, extraHeaders: Record<string, string> = {}) {
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

function sendError(deps: GraphApiDeps, res: ServerResponse, error: GraphError, version?: string) {
  const headers: Record<string, string> = {}
  if (error.status === 401)
    headers['WWW-Authenticate'] = `OAuth "Facebook Platform" "invalid_token" "${error.body.message.replace(/"/g, '\'')}"`
  sendJson(deps, res, error.status, { error: error.body }, version, headers)
}

function checkAuth(deps: GraphApiDeps, req: IncomingMessage, query: URLSearchParams) {
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

async function readBody(deps: GraphApiDeps, req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES)
      throw whatsappError(131053, deps.traceId(), 'The request body is larger than the 100 MB maximum.', deps.config.httpStatusOverrides)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function parseMessageBody(deps: GraphApiDeps, req: IncomingMessage, raw: Buffer): unknown {
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
    throw whatsappError(100, deps.traceId(), 'The request body could not be parsed as JSON.', deps.config.httpStatusOverrides)
  }
}

function downloadMedia(deps: GraphApiDeps, res: ServerResponse, req: IncomingMessage, query: URLSearchParams) {
  try {
    checkAuth(deps, req, new URLSearchParams())
  }
  catch (error) {
    sendError(deps, res, error as GraphError)
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
