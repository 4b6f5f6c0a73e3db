// What the LLM stand-in answers to a chat completion, mode by mode: a deterministic answer from the
// knowledge in the system message, or a slow, failing, garbled, refusing or filtered reply, in
// OpenAI's JSON shapes and error envelopes. The HTTP server and routing are in llm.ts.

import type { ServerResponse } from 'node:http'
import type { LlmStandIn } from './llm.ts'
import { Buffer } from 'node:buffer'

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

export const DEFAULT_SLOW_MS = 30_000
const ROLES = [
  'system',
  'developer',
  'user',
  'assistant',
  'tool',
  'function',
]
const ASKS_FOR_PERSON = /\b(?:human|real person|a person|agent|operator|representative|un om|o persoan[aă]|cineva real)\b/i

export interface OpenAiError { status: number, message: string, type: string, param: string | null, code: string | null }

/** The stand-in's state: the recorded requests, pending slow answers, and the current mode. */
export interface LlmState {
  requests: LlmStandIn['requests']
  timers: Set<NodeJS.Timeout>
  mode: LlmMode
  delayMs: number
  /** requests answered in the current mode: drives the fail / garbage alternation */
  turn: number
  completions: number
}

/** `POST …/chat/completions` with a parsed body (null when it was not JSON). */
export function chatCompletions(state: LlmState, res: ServerResponse, body: any, deployment: string | null) {
  const error = chatRequestError(body, deployment)
  if (error)
    return sendError(state, res, error)
  const model: string = deployment ?? body.model
  const messages = body.messages as Array<{ role: string, content: unknown }>
  const promptChars = messages.reduce((n, m) => n + textOf(m.content).length, 0)
  const index = state.turn++
  switch (state.mode) {
    case 'answer':
      return completion(state, res, model, {
        content: writeAnswer(messages),
      }, 'stop', promptChars)
    case 'slow':
      return answerLater(state, res, model, messages, promptChars)
    case 'fail':
      return sendError(state, res, index % 2 === 0
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
      return garbage(state, res, model, LLM_GARBAGE_VARIANTS[index % LLM_GARBAGE_VARIANTS.length]!)
    case 'refuse':
      return completion(state, res, model, { content: null, refusal: 'I\'m sorry, but I can\'t help with that request.' }, 'stop', promptChars)
    case 'handover':
      return completion(state, res, model, { content: 'HANDOVER' }, 'stop', promptChars)
    case 'filter':
      return completion(state, res, model, { content: null }, 'content_filter', promptChars)
  }
}

/** The 400 OpenAI answers a malformed chat request with, or null when the request is usable. */
function chatRequestError(body: any, deployment: string | null): OpenAiError | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return invalid('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)')
  if (!deployment && (typeof body.model !== 'string' || body.model === ''))
    return invalid('you must provide a model parameter')
  if (body.messages === undefined)
    return invalid('Missing required parameter: \'messages\'.', 'messages', 'missing_required_parameter')
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid(`Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.`, 'messages', 'empty_array')
  for (const [i, m] of body.messages.entries()) {
    if (!ROLES.includes(m?.role))
      return invalid(`Invalid value: '${String(m?.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${i}].role`, 'invalid_value')
  }
  if (body.stream === true)
    return invalid('This stand-in does not stream; send `stream: false`.', 'stream', 'unsupported_value')
  return null
}

/** `slow` mode: the answer after `delayMs`, forgotten if the client gives up first. */
function answerLater(state: LlmState, res: ServerResponse, model: string, messages: Array<{ role: string, content: unknown }>, promptChars: number) {
  const timer = setTimeout(() => {
    state.timers.delete(timer)
    completion(state, res, model, {
      content: writeAnswer(messages),
    }, 'stop', promptChars)
  }, state.delayMs)
  state.timers.add(timer)
  // The client gave up (timeout, abort): forget the answer.
  res.once('close', () => {
    clearTimeout(timer)
    state.timers.delete(timer)
  })
}

function completion(state: LlmState, res: ServerResponse, model: string, message: { content: string | null, refusal?: string | null }, finishReason = 'stop', promptChars = 0) {
  state.completions++
  const completionTokens = Math.ceil((message.content ?? message.refusal ?? '').length / 4)
  const promptTokens = Math.ceil(promptChars / 4)
  sendJson(state, res, 200, {
    id: `chatcmpl-sim${String(state.completions).padStart(8, '0')}`,
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

function garbage(state: LlmState, res: ServerResponse, model: string, variant: typeof LLM_GARBAGE_VARIANTS[number]) {
  switch (variant) {
    case 'truncated-json':
      return send(state, res, 200, '{"id":"chatcmpl-sim","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"We deli', 'application/json')
    case 'no-choices':
      state.completions++
      return sendJson(state, res, 200, {
        id: `chatcmpl-sim${state.completions}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      })
    case 'null-content':
      return completion(state, res, model, { content: null })
    case 'empty-content':
      return completion(state, res, model, { content: '  \n ' })
    case 'template-tokens':
      return completion(state, res, model, { content: 'We deliver in 2-3 days.<|im_end|>\n<|im_start|>user\nthanks' })
    case 'json-text':
      return completion(state, res, model, { content: '{"answer": "We deliver in 2-3 days.", "confidence": 0.9}' })
    case 'too-long':
      return completion(state, res, model, {
        content: 'We deliver in 2-3 days. '.repeat(200),
      }, 'length')
  }
}

export function sendJson(state: LlmState, res: ServerResponse, status: number, json: unknown) {
  send(state, res, status, JSON.stringify(json), 'application/json')
}

function send(state: LlmState, res: ServerResponse, status: number, body: string, contentType: string) {
  if (res.destroyed || res.writableEnded)
    return
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'x-request-id': `req_sim${String(state.requests.length).padStart(6, '0')}`,
  })
  res.end(body)
}

export function sendError(state: LlmState, res: ServerResponse, error: OpenAiError) {
  sendJson(state, res, error.status, {
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
