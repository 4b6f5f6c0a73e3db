// A local stand-in for an OpenAI-compatible chat-completions provider (what the AI Bot calls when
// an admin configures one): `POST /v1/chat/completions`, `GET /v1/models`, and Azure's
// `POST /openai/deployments/{name}/chat/completions?api-version=…`, in OpenAI's JSON shapes and
// error envelopes. It writes deterministic answers from the knowledge in the system message, and
// a mode switch makes it slow, failing, garbled, refusing or filtered for tests and the demo.
// This file is the HTTP side (routing, auth, the models list); the replies are in llm-replies.ts.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LlmMode, LlmState, OpenAiError } from './llm-replies.ts'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { chatCompletions, DEFAULT_SLOW_MS, sendError, sendJson } from './llm-replies.ts'

export type { LlmMode } from './llm-replies.ts'
export { LLM_GARBAGE_VARIANTS } from './llm-replies.ts'

export interface LlmStandIn {
  /** base URL ending in /v1, e.g. http://127.0.0.1:43122/v1 */
  url: string
  setMode: (mode: LlmMode, options?: { delayMs?: number }) => void
  /** Every request, in arrival order: path with query, headers (lower-case names), parsed JSON body (or the raw text). */
  requests: Array<{ path: string, headers: Record<string, string | undefined>, body: any }>
  close: () => Promise<void>
}

export interface LlmStandInOptions {
  port?: number
  host?: string
  /** when set, requests need `Authorization: Bearer <key>` or `api-key: <key>` (401 otherwise) */
  apiKey?: string | null
  mode?: LlmMode
}

/** The model `GET /v1/models` lists; chat completions accept any model name. */
export const LLM_MODEL = 'sim-llm'

const MAX_BODY_BYTES = 10 * 1024 * 1024
const MODELS_LIST = {
  object: 'list',
  data: [
    {
      id: LLM_MODEL,
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'wa-inbox-simulator',
    },
  ],
}

export async function startLlmStandIn(options: LlmStandInOptions = {}): Promise<LlmStandIn> {
  const state: LlmState = {
    requests: [],
    timers: new Set(),
    mode: options.mode ?? 'answer',
    delayMs: DEFAULT_SLOW_MS,
    turn: 0,
    completions: 0,
  }
  const server = createServer((req, res) => {
    handle(state, options.apiKey, req, res).catch(() => {
      if (!res.headersSent)
        res.writeHead(500)
      res.end()
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const origin = `http://${host.includes(':')
    ? `[${host}]`
    : host}:${port}`

  let closed = false
  return {
    url: `${origin}/v1`,
    setMode(next, modeOptions) {
      state.mode = next
      state.delayMs = modeOptions?.delayMs ?? DEFAULT_SLOW_MS
      state.turn = 0
    },
    requests: state.requests,
    async close() {
      if (closed)
        return
      closed = true
      for (const timer of state.timers)
        clearTimeout(timer)
      state.timers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/** Records the request, then answers it: 413, 404, 401, the models list, or a chat completion. */
async function handle(state: LlmState, apiKey: string | null | undefined, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const raw = await readBody(req)
  const body = parseBody(raw)
  state.requests.push({
    path: `${url.pathname}${url.search}`,
    headers: flatHeaders(req),
    body,
  })
  if (raw === null) {
    return sendError(state, res, {
      status: 413,
      message: 'The request body is too large.',
      type: 'invalid_request_error',
      param: null,
      code: 'request_too_large',
    })
  }

  const method = req.method ?? 'GET'
  const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname)
  const known = url.pathname === '/v1/chat/completions' || url.pathname === '/v1/models' || azure
  if (!known)
    return sendError(state, res, invalidRequest(404, `Invalid URL (${method} ${url.pathname})`))
  // Azure answers an unknown or missing api-version as an unknown resource.
  if (azure && !url.searchParams.get('api-version')) {
    return sendJson(state, res, 404, {
      error: { code: '404', message: 'Resource not found' },
    })
  }
  const authError = checkAuth(apiKey, req)
  if (authError)
    return sendError(state, res, authError)

  if (url.pathname === '/v1/models') {
    if (method !== 'GET')
      return sendError(state, res, invalidRequest(405, `Invalid method (${method} ${url.pathname})`))
    return sendJson(state, res, 200, MODELS_LIST)
  }
  if (method !== 'POST')
    return sendError(state, res, invalidRequest(405, `Invalid method (${method} ${url.pathname})`))
  if (typeof body === 'string' || body === undefined)
    return chatCompletions(state, res, null, null)
  return chatCompletions(state, res, body, azure
    ? decodeURIComponent(azure[1]!)
    : null)
}

/** The parsed JSON body, the raw text when it is not JSON, undefined when empty or too large. */
function parseBody(raw: Buffer | null): any {
  if (raw === null || raw.length === 0)
    return undefined
  const text = raw.toString('utf8')
  try {
    return JSON.parse(text)
  }
  catch {
    return text
  }
}

function invalidRequest(status: number, message: string): OpenAiError {
  return {
    status,
    message,
    type: 'invalid_request_error',
    param: null,
    code: null,
  }
}

export function checkAuth(apiKey: string | null | undefined, req: IncomingMessage): OpenAiError | null {
  if (!apiKey)
    return null
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
  const given = bearer ?? header(req, 'api-key')
  if (!given) {
    return {
      status: 401,
      message: 'You didn\'t provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
      type: 'invalid_request_error',
      param: null,
      code: null,
    }
  }
  if (given !== apiKey) {
    return {
      status: 401,
      message: `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    }
  }
  return null
}

/** `sk-abc…wxyz` as OpenAI's 401 shows it: the start and the last four characters. */
function maskKey(key: string): string {
  if (key.length <= 10)
    return '*'.repeat(key.length)
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value)
    ? value.join(', ')
    : value
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const name of Object.keys(req.headers))
    out[name] = header(req, name)
  return out
}

/** The body, or null when it is larger than MAX_BODY_BYTES (the rest is drained, not kept). */
async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size <= MAX_BODY_BYTES)
      chunks.push(chunk as Buffer)
  }
  return size > MAX_BODY_BYTES
    ? null
    : Buffer.concat(chunks)
}
