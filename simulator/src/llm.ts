// A local stand-in for an OpenAI-compatible chat-completions provider (what the AI Bot calls when
// an admin configures one): `POST /v1/chat/completions`, `GET /v1/models`, and Azure's
// `POST /openai/deployments/{name}/chat/completions?api-version=…`, in OpenAI's JSON shapes and
// error envelopes. It writes deterministic answers from the knowledge in the system message, and
// a mode switch makes it slow, failing, garbled, refusing or filtered for tests and the demo.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'

/**
 * - `answer`: answers from the first knowledge passage in the system message (HANDOVER without one,
 *   or when the customer asks for a person; a draft saying what is missing when asked for a draft)
 * - `slow`: the same answer after `delayMs` (default 30 s); dropped if the client goes away
 * - `fail`: 500, then 503, alternately, with OpenAI's error body
 * - `garbage`: 200 with an unusable body, cycling through `LLM_GARBAGE_VARIANTS`
 * - `refuse`: `message.refusal` set, `content` null
 * - `handover`: content `HANDOVER`
 * - `filter`: `finish_reason: 'content_filter'`, `content` null
 */
export type LlmMode = 'answer' | 'slow' | 'fail' | 'garbage' | 'refuse' | 'handover' | 'filter'

/** What `garbage` sends, in order (then again from the first); `setMode` starts over. */
export const LLM_GARBAGE_VARIANTS = [
  'truncated-json', // not valid JSON
  'no-choices', // `choices: []`
  'null-content', // `message.content: null`, no refusal
  'empty-content', // `content: "  "`
  'template-tokens', // ChatML tokens leaked into the text
  'json-text', // the text is a JSON object
  'too-long', // more than 4096 characters
] as const

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
const DEFAULT_SLOW_MS = 30_000
const ROLES = [
  'system',
  'developer',
  'user',
  'assistant',
  'tool',
  'function',
]
const ASKS_FOR_PERSON = /\b(?:human|real person|a person|agent|operator|representative|un om|o persoan[aă]|cineva real)\b/i

interface OpenAiError { status: number, message: string, type: string, param: string | null, code: string | null }

export async function startLlmStandIn(options: LlmStandInOptions = {}): Promise<LlmStandIn> {
  const requests: LlmStandIn['requests'] = []
  const timers = new Set<NodeJS.Timeout>()
  let mode: LlmMode = options.mode ?? 'answer'
  let delayMs = DEFAULT_SLOW_MS
  /** requests answered in the current mode: drives the fail / garbage alternation */
  let turn = 0
  let completions = 0

  function sendJson(res: ServerResponse, status: number, json: unknown) {
    send(res, status, JSON.stringify(json), 'application/json')
  }

  function send(res: ServerResponse, status: number, body: string, contentType: string) {
    if (res.destroyed || res.writableEnded)
      return
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'x-request-id': `req_sim${String(requests.length).padStart(6, '0')}`,
    })
    res.end(body)
  }

  function sendError(res: ServerResponse, error: OpenAiError) {
    sendJson(res, error.status, {
      error: {
        message: error.message,
        type: error.type,
        param: error.param,
        code: error.code,
      },
    })
  }

  function invalid(message: string, param: string | null = null, code: string | null = null): OpenAiError {
    return {
      status: 400,
      message,
      type: 'invalid_request_error',
      param,
      code,
    }
  }

  function checkAuth(req: IncomingMessage): OpenAiError | null {
    if (!options.apiKey)
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
    if (given !== options.apiKey) {
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

  function completion(res: ServerResponse, model: string, message: { content: string | null, refusal?: string | null }, finishReason = 'stop', promptChars = 0) {
    completions++
    const completionTokens = Math.ceil((message.content ?? message.refusal ?? '').length / 4)
    const promptTokens = Math.ceil(promptChars / 4)
    sendJson(res, 200, {
      id: `chatcmpl-sim${String(completions).padStart(8, '0')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: message.content, refusal: message.refusal ?? null },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      system_fingerprint: 'fp_sim',
    })
  }

  function garbage(res: ServerResponse, model: string, variant: typeof LLM_GARBAGE_VARIANTS[number]) {
    switch (variant) {
      case 'truncated-json':
        return send(res, 200, '{"id":"chatcmpl-sim","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"We deli', 'application/json')
      case 'no-choices':
        completions++
        return sendJson(res, 200, {
          id: `chatcmpl-sim${completions}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model,
          choices: [],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        })
      case 'null-content':
        return completion(res, model, { content: null })
      case 'empty-content':
        return completion(res, model, { content: '  \n ' })
      case 'template-tokens':
        return completion(res, model, { content: 'We deliver in 2-3 days.<|im_end|>\n<|im_start|>user\nthanks' })
      case 'json-text':
        return completion(res, model, { content: '{"answer": "We deliver in 2-3 days.", "confidence": 0.9}' })
      case 'too-long':
        return completion(res, model, {
          content: 'We deliver in 2-3 days. '.repeat(200),
        }, 'length')
    }
  }

  function chatCompletions(res: ServerResponse, body: any, deployment: string | null) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return sendError(res, invalid('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)'))
    if (!deployment && (typeof body.model !== 'string' || body.model === ''))
      return sendError(res, invalid('you must provide a model parameter'))
    if (body.messages === undefined)
      return sendError(res, invalid('Missing required parameter: \'messages\'.', 'messages', 'missing_required_parameter'))
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return sendError(res, invalid(`Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'messages', 'empty_array'))
    for (const [i, m] of body.messages.entries()) {
      if (!ROLES.includes(m?.role))
        return sendError(res, invalid(`Invalid value: '${String(m?.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${i}].role`, 'invalid_value'))
    }
    if (body.stream === true)
      return sendError(res, invalid('This stand-in does not stream; send `stream: false`.', 'stream', 'unsupported_value'))

    const model: string = deployment ?? body.model
    const messages = body.messages as Array<{ role: string, content: unknown }>
    const promptChars = messages.reduce((n, m) => n + textOf(m.content).length, 0)
    const current = mode
    const index = turn++
    switch (current) {
      case 'answer':
        return completion(res, model, {
          content: writeAnswer(messages),
        }, 'stop', promptChars)
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer)
          completion(res, model, {
            content: writeAnswer(messages),
          }, 'stop', promptChars)
        }, delayMs)
        timers.add(timer)
        // The client gave up (timeout, abort): forget the answer.
        res.once('close', () => {
          clearTimeout(timer)
          timers.delete(timer)
        })
        return
      }
      case 'fail':
        return sendError(res, index % 2 === 0
          ? {
              status: 500,
              message: 'The server had an error while processing your request. Sorry about that!',
              type: 'server_error',
              param: null,
              code: null,
            }
          : {
              status: 503,
              message: 'The engine is currently overloaded, please try again later.',
              type: 'server_error',
              param: null,
              code: null,
            })
      case 'garbage':
        return garbage(res, model, LLM_GARBAGE_VARIANTS[index % LLM_GARBAGE_VARIANTS.length]!)
      case 'refuse':
        return completion(res, model, { content: null, refusal: 'I\'m sorry, but I can\'t help with that request.' }, 'stop', promptChars)
      case 'handover':
        return completion(res, model, { content: 'HANDOVER' }, 'stop', promptChars)
      case 'filter':
        return completion(res, model, { content: null }, 'content_filter', promptChars)
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const raw = await readBody(req)
    let body: any
    if (raw !== null && raw.length > 0) {
      const text = raw.toString('utf8')
      try {
        body = JSON.parse(text)
      }
      catch {
        body = text
      }
    }
    requests.push({
      path: `${url.pathname}${url.search}`,
      headers: flatHeaders(req),
      body,
    })
    if (raw === null) {
      return sendError(res, {
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
    if (!known) {
      return sendError(res, {
        status: 404,
        message: `Invalid URL (${method} ${url.pathname})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      })
    }
    // Azure answers an unknown or missing api-version as an unknown resource.
    if (azure && !url.searchParams.get('api-version')) {
      return sendJson(res, 404, {
        error: { code: '404', message: 'Resource not found' },
      })
    }
    const authError = checkAuth(req)
    if (authError)
      return sendError(res, authError)

    if (url.pathname === '/v1/models') {
      if (method !== 'GET') {
        return sendError(res, {
          status: 405,
          message: `Invalid method (${method} ${url.pathname})`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        })
      }
      return sendJson(res, 200, {
        object: 'list',
        data: [
          {
            id: LLM_MODEL,
            object: 'model',
            created: 1_700_000_000,
            owned_by: 'wa-inbox-simulator',
          },
        ],
      })
    }
    if (method !== 'POST') {
      return sendError(res, {
        status: 405,
        message: `Invalid method (${method} ${url.pathname})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      })
    }
    if (typeof body === 'string' || body === undefined)
      return chatCompletions(res, null, null)
    return chatCompletions(res, body, azure
      ? decodeURIComponent(azure[1]!)
      : null)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
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
      mode = next
      delayMs = modeOptions?.delayMs ?? DEFAULT_SLOW_MS
      turn = 0
    },
    requests,
    async close() {
      if (closed)
        return
      closed = true
      for (const timer of timers)
        clearTimeout(timer)
      timers.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/**
 * The deterministic "model": reads the knowledge from the system message (`[1] Title` then the
 * passage, as the server's provider client writes it) and answers with the first passage.
 */
function writeAnswer(messages: Array<{ role: string, content: unknown }>): string {
  const system = messages.filter(m => m.role === 'system' || m.role === 'developer').map(m => textOf(m.content)).join('\n\n')
  const lastUser = textOf(messages.findLast(m => m.role === 'user')?.content)
  const draft = /\bdraft\b/i.test(system)
  const romanian = /customer writes in (?:Romanian|ro\b)/i.test(system)
  const passage = firstPassage(system)
  if (!draft && ASKS_FOR_PERSON.test(lastUser))
    return 'HANDOVER'
  if (!passage) {
    if (!draft)
      return 'HANDOVER'
    return romanian
      ? `Vă mulțumim pentru mesaj! Revenim imediat cu un răspuns. [Lipsește din baza de cunoștințe: un răspuns la „${clip(lastUser)}”]`
      : `Thank you for your message! We will get back to you shortly. [Missing from the knowledge base: an answer to "${clip(lastUser)}"]`
  }
  return romanian
    ? `Sigur! ${passage}`
    : `Happy to help! ${passage}`
}

function firstPassage(system: string): string | null {
  const section = /^#+\s*Knowledge\b[^\n]*\n([\s\S]*?)(?=^#+\s|(?![\s\S]))/im.exec(system)?.[1] ?? system
  const match = /^\[1\][^\n]*\n([\s\S]*?)(?=^\[\d+\]|(?![\s\S]))/m.exec(section)
  const passage = match?.[1]?.trim()
  return passage || null
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > 80
    ? `${line.slice(0, 79)}…`
    : line
}

/** A message's text: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string')
    return content
  if (Array.isArray(content)) {
    return content.map(part => typeof part?.text === 'string'
      ? part.text
      : '').join('')
  }
  return ''
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
