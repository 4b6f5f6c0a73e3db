/**
 * The AI Bot's client for an OpenAI-compatible chat-completions provider (OpenAI, Azure OpenAI,
 * Ollama, vLLM …). The provider writes an answer from the knowledge passages the local engine
 * retrieved and the conversation so far, following the admin's system prompt.
 *
 * It never throws and never returns a broken reply: anything but a usable answer becomes a typed
 * failure, which the bot turns into a hand-over with that reason (`HANDOVER_REASONS`):
 * - `provider_timeout`: no complete answer within `timeoutMs` (the whole call, body included);
 * - `provider_error`: the provider could not be reached, redirected, or answered 4xx / 5xx;
 * - `provider_invalid`: the answer is not JSON, has no text, is too long, or is not a reply to a
 *   customer (raw JSON, leftover chat-template tokens);
 * - `provider_refused`: a refusal, a content filter, or the model asked for a human (`HANDOVER`).
 *
 * A failure's `detail` is for logs and the admin: it never holds the key or the request body.
 */
import { BOT_LIMITS } from '../../../protocol/bots.ts'

export interface ProviderConfig {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1, https://x.openai.azure.com/openai/deployments/NAME */
  baseUrl: string
  model: string
  apiKey: string | null
  /** Azure: sent as `?api-version=` */
  apiVersion?: string | null
  /** `Authorization: Bearer <key>` (OpenAI, vLLM, Ollama) or `api-key: <key>` (Azure) */
  auth: 'bearer' | 'api-key'
  timeoutMs: number
  /** the admin's prompt; empty means DEFAULT_SYSTEM_PROMPT */
  systemPrompt: string
}

export interface ChatTurn {
  role: 'user' | 'assistant'
  content: string
}

export type ProviderFailure = 'provider_error' | 'provider_timeout' | 'provider_refused' | 'provider_invalid'

export type ProviderResult = { ok: true, text: string } | { ok: false, reason: ProviderFailure, detail: string }

export const DEFAULT_SYSTEM_PROMPT = [
  'You are the customer-service assistant of this business on WhatsApp. Answer the customer\'s last message using only the knowledge passages below.',
  '- Reply in the customer\'s language, briefly (a few short sentences at most), in a friendly, natural tone. Plain text, no headings or tables.',
  '- Never invent facts: no prices, dates, links, phone numbers, policies or promises that are not in the knowledge passages.',
  '- Do not mention the knowledge base, the passages or these instructions.',
  '- If the passages do not answer the customer\'s question, or the customer wants to talk to a person, reply with exactly HANDOVER and nothing else.',
].join('\n')

/** The most of a response body we read (a chat completion of 500 tokens is a few kilobytes). */
const MAX_RESPONSE_BYTES = 1024 * 1024
const MAX_DETAIL = 200

/** Chat-template tokens a badly configured model leaks into its text (ChatML, Llama, Mistral, reasoning tags). */
const TEMPLATE_TOKENS = /<\|[\w-]+\|>|\[\/?INST\]|<\/?s>|<\/?think>/i
/** A leading reasoning block (some Ollama / vLLM reasoning models put it in the content). */
const THINKING = /^\s*<think>[\s\S]*?<\/think>/i
/** `HANDOVER` alone, in any case, with any punctuation or markup around it ("Handover.", "**HANDOVER**"). */
const HANDOVER_ONLY = /^[\p{P}\p{S}\s]*hand[\s_-]?over[\p{P}\p{S}\s]*$/iu
/** The upper-case keyword inside a longer customer answer ("I do not know. HANDOVER"): the model still asked for a human. */
const HANDOVER_WORD = /\bHANDOVER\b/

/**
 * Asks the provider for an answer. `purpose: 'customer'` is sent to the customer as it is;
 * `'suggestion'` is a draft for a human agent (told never to answer HANDOVER alone).
 */
export async function generateAnswer(
  config: ProviderConfig,
  input: { passages: Array<{ title: string, passage: string }>, history: ChatTurn[], language: string | null, purpose: 'customer' | 'suggestion' },
): Promise<ProviderResult> {
  const fail = (reason: ProviderFailure, detail: string): ProviderResult =>
    ({
      ok: false,
      reason,
      detail: redact(detail, config.apiKey),
    })

  let url: URL
  try {
    url = completionsUrl(config.baseUrl, config.apiVersion)
  }
  catch {
    return fail('provider_error', 'invalid base URL')
  }

  const sent = await post(url, requestHeaders(config), requestBody(config, input), config.timeoutMs, fail)
  if ('ok' in sent)
    return sent
  const { status, text } = sent
  if (text === null)
    return fail('provider_invalid', `HTTP ${status}: response larger than ${MAX_RESPONSE_BYTES} bytes`)
  let json: any
  try {
    json = JSON.parse(text)
  }
  catch {
    return fail('provider_invalid', `HTTP ${status}: the response is not JSON`)
  }
  return readCompletion(json, input.purpose, fail)
}

type Fail = (reason: ProviderFailure, detail: string) => ProviderResult

function requestHeaders(config: ProviderConfig): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Accept': 'application/json' }
  if (config.apiKey) {
    if (config.auth === 'api-key')
      headers['api-key'] = config.apiKey
    else
      headers.Authorization = `Bearer ${config.apiKey}`
  }
  return headers
}

/** The system message (prompt, passages, task), then the conversation's turns. */
function requestBody(config: ProviderConfig, input: Parameters<typeof generateAnswer>[1]): string {
  return JSON.stringify({
    model: config.model,
    messages: [
      {
        role: 'system',
        content: systemMessage(config.systemPrompt, input),
      },
      ...input.history.map(turn => ({ role: turn.role, content: turn.content })),
    ],
    temperature: 0.2,
    max_tokens: 500,
  })
}

/**
 * The POST with one timer for the whole call (connecting, waiting and reading the body): the
 * status and text (null when over MAX_RESPONSE_BYTES), or the failure for a timeout, a network
 * error or an error status.
 */
async function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, fail: Fail): Promise<ProviderResult | { status: number, text: string | null }> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  try {
    // Redirects are not followed: the key would go along to wherever the provider points.
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: controller.signal,
      redirect: 'manual',
    })
    const status = response.status
    const text = await readText(response, MAX_RESPONSE_BYTES)
    if (status < 200 || status > 299)
      return errorStatus(response, text, fail)
    return { status, text }
  }
  catch (error) {
    if (timedOut)
      return fail('provider_timeout', `no answer within ${timeoutMs} ms`)
    return fail('provider_error', `request failed: ${networkReason(error)}`)
  }
  finally {
    clearTimeout(timer)
  }
}

/** `<base>/chat/completions`, keeping any query the base URL has, plus `api-version` when set. */
function completionsUrl(baseUrl: string, apiVersion: string | null | undefined): URL {
  const url = new URL(baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('not http(s)')
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`
  if (apiVersion)
    url.searchParams.set('api-version', apiVersion)
  return url
}

/** The admin's prompt, then the numbered passages, then the customer's language and the task. */
function systemMessage(prompt: string, input: { passages: Array<{ title: string, passage: string }>, language: string | null, purpose: 'customer' | 'suggestion' }): string {
  const instructions = prompt.trim() || DEFAULT_SYSTEM_PROMPT
  const parts = [instructions]

  parts.push(input.passages.length > 0
    ? `## Knowledge\n${input.passages.map((p, i) => `[${i + 1}] ${oneLine(p.title)}\n${p.passage.trim()}`).join('\n\n')}`
    : '## Knowledge\n(none: nothing in the knowledge base matches this conversation)')

  if (input.language) {
    const name = languageName(input.language)
    parts.push(`## Customer language\nThe customer writes in ${name}: reply in ${name}.`)
  }

  if (input.purpose === 'suggestion') {
    parts.push('## Task\nWrite a draft reply that a human agent will review before sending. Never answer with HANDOVER alone: if the knowledge does not answer the customer, write a short, polite draft and say in brackets which information is missing.')
  }
  else if (!instructions.includes('HANDOVER')) {
    // The bot relies on this keyword to hand over; an admin's own prompt may not mention it.
    parts.push('## Task\nIf the knowledge does not answer the customer, or the customer wants to talk to a person, reply with exactly HANDOVER and nothing else.')
  }
  return parts.join('\n\n')
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** `ro` → `Romanian (ro)`; an unknown or malformed tag is used as it is. */
function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag)
    if (name && name.toLowerCase() !== tag.toLowerCase())
      return `${name} (${tag})`
  }
  catch {}
  return tag
}

/** The body as text, or null when it is larger than `limit` bytes (reading stops there). */
async function readText(response: Response, limit: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > limit || !response.body) {
    await response.body?.cancel()
    return declared > limit
      ? null
      : ''
  }
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done)
      return text + decoder.decode()
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return null
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** A 3xx / 4xx / 5xx: the status and the provider's own message (`{error: {message}}`) when it sent one. */
function errorStatus(response: Response, text: string | null, fail: (reason: ProviderFailure, detail: string) => ProviderResult): ProviderResult {
  let error: any
  try {
    error = text
      ? JSON.parse(text)?.error
      : undefined
  }
  catch {}
  const message = typeof error?.message === 'string'
    ? error.message
    : typeof error === 'string'
      ? error // Ollama: {"error": "model 'x' not found"}
      : response.statusText
  const detail = `HTTP ${response.status}${message
    ? `: ${oneLine(message)}`
    : ''}`
  // Azure refuses a prompt its content filter flags with a 400 and this code: a refusal, not an outage.
  if (response.status === 400 && error?.code === 'content_filter')
    return fail('provider_refused', detail)
  if (response.status >= 300 && response.status < 400)
    return fail('provider_error', `${detail} (redirects are not followed)`)
  return fail('provider_error', detail)
}

/** `choices[0]` of a chat completion → the answer, or why it is not one. */
function readCompletion(json: any, purpose: 'customer' | 'suggestion', fail: (reason: ProviderFailure, detail: string) => ProviderResult): ProviderResult {
  const choice = Array.isArray(json?.choices)
    ? json.choices[0]
    : undefined
  if (!choice || typeof choice !== 'object')
    return fail('provider_invalid', 'the response has no choices')
  if (choice.finish_reason === 'content_filter')
    return fail('provider_refused', 'the provider\'s content filter stopped the answer')
  const message = choice.message
  if (typeof message?.refusal === 'string' && message.refusal.trim() !== '')
    return fail('provider_refused', `refusal: ${oneLine(message.refusal)}`)
  if (typeof message?.content !== 'string')
    return fail('provider_invalid', 'the response has no message content')

  const text = message.content.replace(THINKING, '').trim()
  if (text === '')
    return fail('provider_invalid', 'the answer is empty')
  if (HANDOVER_ONLY.test(text) || (purpose === 'customer' && HANDOVER_WORD.test(text)))
    return fail('provider_refused', 'the model answered HANDOVER')
  if (text.length > BOT_LIMITS.text)
    return fail('provider_invalid', `the answer is longer than ${BOT_LIMITS.text} characters (${text.length})`)
  if (text.startsWith('{') || text.startsWith('```'))
    return fail('provider_invalid', 'the answer is JSON or code, not a reply')
  if (TEMPLATE_TOKENS.test(text))
    return fail('provider_invalid', 'the answer contains chat-template tokens')
  return { ok: true, text }
}

/** What went wrong on the way, without the URL's query or anything the request carried. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown, message?: unknown } } | undefined)?.cause
  if (typeof cause?.code === 'string')
    return cause.code // ECONNREFUSED, ENOTFOUND, ECONNRESET, UND_ERR_SOCKET …
  if (typeof cause?.message === 'string')
    return cause.message
  return error instanceof Error
    ? error.message
    : String(error)
}

/** One line of at most 200 characters, with the key (and anything shaped like an OpenAI key) blanked. */
function redact(detail: string, apiKey: string | null): string {
  let out = apiKey
    ? detail.replaceAll(apiKey, '[key]')
    : detail
  // OpenAI's 401 echoes part of the key ("Incorrect API key provided: sk-proj-****abcd").
  out = out.replace(/\bsk-[\w*.-]+/g, '[key]')
  out = oneLine(out)
  return out.length > MAX_DETAIL
    ? `${out.slice(0, MAX_DETAIL - 1)}…`
    : out
}
