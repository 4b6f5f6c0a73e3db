/**
 * Outbound calls to Meta's Graph API (or the simulator: only the base URL differs). A factory
 * that receives its config and `fetch`, so nothing else knows about URLs, versions or tokens.
 * Every failure becomes a GraphError carrying Meta's `code` and `error_data.details`: handling
 * is built on the code, never on titles or HTTP status (reference §2.4).
 */

export interface GraphChannel {
  phone_number_id: string
  waba_id: string
  access_token: string
}

export class GraphError extends Error {
  /** Meta's error code; 0 for a network failure or a response that was not a Graph error */
  readonly code: number
  readonly title: string
  readonly details: string | undefined
  readonly httpStatus: number
  readonly subcode: number | undefined

  constructor(init: { code: number, title: string, details?: string, httpStatus: number, subcode?: number }) {
    super(`(#${init.code}) ${init.title}${init.details
      ? `: ${init.details}`
      : ''}`)
    this.name = 'GraphError'
    this.code = init.code
    this.title = init.title
    this.details = init.details
    this.httpStatus = init.httpStatus
    this.subcode = init.subcode
  }
}

export interface SendResult {
  wamid: string
  waId: string | null
}

export interface MediaInfo {
  url: string
  mimeType: string
  sha256: string | null
  fileSize: number | null
}

export interface GraphTemplate {
  id: string | null
  name: string
  language: string
  status: string
  category: string | null
  parameter_format: string
  components: Record<string, unknown>[]
}

export interface GraphClient {
  sendMessage: (channel: GraphChannel, body: Record<string, unknown>) => Promise<SendResult>
  markRead: (channel: GraphChannel, wamid: string) => Promise<void>
  uploadMedia: (channel: GraphChannel, file: { bytes: Uint8Array, mimeType: string, filename: string }) => Promise<string>
  getMedia: (channel: GraphChannel, mediaId: string) => Promise<MediaInfo>
  downloadMedia: (channel: GraphChannel, url: string) => Promise<Response>
  listTemplates: (channel: GraphChannel) => Promise<GraphTemplate[]>
}

export interface GraphClientOptions {
  graphUrl: string
  apiVersion: string
  fetch?: typeof fetch
  /** per-request timeout */
  timeoutMs?: number
}

type Json = Record<string, any>

/** What every request needs: the fetch to use, the versioned Graph base URL and the timeout. */
interface ClientContext {
  doFetch: typeof fetch
  graphUrl: string
  base: string
  timeoutMs: number
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const context: ClientContext = {
    doFetch: options.fetch ?? fetch,
    graphUrl: options.graphUrl,
    base: `${options.graphUrl}/${options.apiVersion}`,
    timeoutMs: options.timeoutMs ?? 30_000,
  }
  return {
    sendMessage: (channel, body) => sendMessage(context, channel, body),
    markRead: async (channel, wamid) => {
      await call(context, channel, `${context.base}/${channel.phone_number_id}/messages`, json({ messaging_product: 'whatsapp', status: 'read', message_id: wamid }))
    },
    uploadMedia: (channel, file) => uploadMedia(context, channel, file),
    getMedia: (channel, mediaId) => getMedia(context, channel, mediaId),
    downloadMedia: (channel, url) => downloadMedia(context, channel, url),
    listTemplates: channel => listTemplates(context, channel),
  }
}

/** One Graph request: the JSON answer, or a GraphError carrying Meta's error code (0 for transport failures). */
async function call(context: ClientContext, channel: GraphChannel, url: string, init: RequestInit = {}): Promise<Json> {
  let response: Response
  try {
    response = await context.doFetch(url, {
      ...init,
      headers: { Authorization: `Bearer ${channel.access_token}`, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(context.timeoutMs),
    })
  }
  catch (error) {
    throw networkError(error)
  }
  const text = await response.text()
  let body: Json | null = null
  try {
    body = text
      ? JSON.parse(text)
      : {}
  }
  catch {}
  if (!response.ok || body?.error)
    throw errorFromResponse(response, body, text)
  if (!body) {
    throw new GraphError({
      code: 0,
      title: 'Invalid response',
      details: text.slice(0, 200),
      httpStatus: response.status,
    })
  }
  return body
}

function networkError(error: unknown) {
  return new GraphError({
    code: 0,
    title: 'Network error',
    details: (error as Error).message,
    httpStatus: 0,
  })
}

/** Meta's error envelope as a GraphError; a non-Graph failure (proxy page, 502) as `HTTP <status>`. */
function errorFromResponse(response: Response, body: Json | null, text: string) {
  const e = body?.error
  if (e && typeof e.code === 'number') {
    return new GraphError({
      code: e.code,
      title: String(e.message ?? '').replace(/^\(#\d+\)\s*/, '') || 'Unknown error',
      details: e.error_data?.details ?? e.error_user_msg,
      httpStatus: response.status,
      subcode: e.error_subcode,
    })
  }
  return new GraphError({
    code: 0,
    title: `HTTP ${response.status}`,
    details: text.slice(0, 200),
    httpStatus: response.status,
  })
}

function json(body: unknown): RequestInit {
  return {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  }
}

async function sendMessage(context: ClientContext, channel: GraphChannel, body: Record<string, unknown>) {
  const res = await call(context, channel, `${context.base}/${channel.phone_number_id}/messages`, json({ messaging_product: 'whatsapp', recipient_type: 'individual', ...body }))
  const wamid = res.messages?.[0]?.id
  if (typeof wamid !== 'string') {
    throw new GraphError({
      code: 0,
      title: 'Invalid response',
      details: 'no message id in the send response',
      httpStatus: 200,
    })
  }
  return { wamid, waId: res.contacts?.[0]?.wa_id ?? null }
}

async function uploadMedia(context: ClientContext, channel: GraphChannel, file: { bytes: Uint8Array, mimeType: string, filename: string }) {
  const form = new FormData()
  form.set('messaging_product', 'whatsapp')
  form.set('type', file.mimeType)
  form.set('file', new Blob([file.bytes], { type: file.mimeType }), file.filename)
  const res = await call(context, channel, `${context.base}/${channel.phone_number_id}/media`, { method: 'POST', body: form })
  if (typeof res.id !== 'string') {
    throw new GraphError({
      code: 0,
      title: 'Invalid response',
      details: 'no media id in the upload response',
      httpStatus: 200,
    })
  }
  return res.id
}

async function getMedia(context: ClientContext, channel: GraphChannel, mediaId: string): Promise<MediaInfo> {
  const res = await call(context, channel, `${context.base}/${encodeURIComponent(mediaId)}?phone_number_id=${encodeURIComponent(channel.phone_number_id)}`)
  return {
    url: res.url,
    mimeType: res.mime_type,
    sha256: res.sha256 ?? null,
    fileSize: res.file_size ?? null,
  }
}

async function downloadMedia(context: ClientContext, channel: GraphChannel, url: string) {
  // The URL comes from Meta's answer; the bearer token only ever goes to Meta's media hosts
  // (or the configured Graph host, e.g. the simulator).
  if (!mediaHostAllowed(url, context.graphUrl)) {
    throw new GraphError({
      code: 0,
      title: 'Refused media URL',
      details: `not a WhatsApp media host: ${safeHost(url)}`,
      httpStatus: 400,
    })
  }
  let response: Response
  try {
    response = await context.doFetch(url, {
      headers: { Authorization: `Bearer ${channel.access_token}` },
      signal: AbortSignal.timeout(context.timeoutMs),
    })
  }
  catch (error) {
    throw networkError(error)
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new GraphError({
      code: 0,
      title: `HTTP ${response.status}`,
      details: 'media download failed',
      httpStatus: response.status,
    })
  }
  return response
}

async function listTemplates(context: ClientContext, channel: GraphChannel) {
  const out: GraphTemplate[] = []
  const fields = 'id,name,language,status,category,parameter_format,components'
  let url: string | null = `${context.base}/${channel.waba_id}/message_templates?fields=${fields}&limit=100`
  // Follow `paging.next` until it is absent (reference §2.7); guard against a cycle.
  for (let page = 0; url && page < 1000; page++) {
    const res: Json = await call(context, channel, url)
    for (const t of Array.isArray(res.data)
      ? res.data
      : []) {
      if (typeof t?.name === 'string' && typeof t?.language === 'string')
        out.push(toTemplate(t))
    }
    url = typeof res.paging?.next === 'string'
      ? res.paging.next
      : null
  }
  return out
}

function toTemplate(t: Json): GraphTemplate {
  return {
    id: t.id ?? null,
    name: t.name,
    language: t.language,
    status: String(t.status ?? 'UNKNOWN'),
    category: t.category ?? null,
    parameter_format: t.parameter_format === 'NAMED'
      ? 'NAMED'
      : 'POSITIONAL',
    components: Array.isArray(t.components)
      ? t.components
      : [],
  }
}

const MEDIA_HOSTS = [
  'fbsbx.com',
  'facebook.com',
  'whatsapp.net',
  'fbcdn.net',
]

function safeHost(url: string): string {
  try {
    return new URL(url).host
  }
  catch {
    return '(invalid URL)'
  }
}

export function mediaHostAllowed(url: string, graphUrl: string): boolean {
  let target: URL
  try {
    target = new URL(url)
  }
  catch {
    return false
  }
  if (target.origin === new URL(graphUrl).origin)
    return true
  return target.protocol === 'https:' && MEDIA_HOSTS.some(host => target.hostname === host || target.hostname.endsWith(`.${host}`))
}

const RETRYABLE_CODES = new Set([
  130429,
  80007,
  4,
  131000,
  131016,
  2,
  131057,
])

/** Codes worth an automatic retry of the same request (reference §3), and how long to wait. */
export function retryDelayMs(error: GraphError, attempt: number): number | null {
  const maxAttempts = 8
  if (attempt >= maxAttempts)
    return null
  const code = error.code
  if (code === 131056) // pair rate limit: Meta suggests retrying after 4^n seconds, n = 0, 1, 2 …
    return Math.min(4 ** (attempt - 1) * 1000, 15 * 60_000)
  if (code === 131000 && attempt >= 3) // unknown server error: retry a little only
    return null
  // Network failures and timeouts are retried too: a request that timed out after Meta accepted
  // it can then arrive twice, which we prefer to a message silently never sent.
  const retryable = RETRYABLE_CODES.has(code)
    || error.httpStatus >= 500
    || (code === 0 && (error.httpStatus === 0 || error.httpStatus === 429))
  if (!retryable)
    return null
  const base = code === 80007 || code === 4
    ? 60_000
    : 1000
  return Math.min(base * 2 ** (attempt - 1), 10 * 60_000)
}
