// A local stand-in for Meta's WhatsApp Cloud API: the Graph API subset the connector calls, signed
// webhook POSTs to the server, and hooks for tests and scripted customers. See simulator/README.md.

import type { AddressInfo } from 'node:net'
import type { CustomerRef, HttpAnswer, InboundMessageInput, RecordedSend, SimClock, SimTemplate, SimulatorConfig, WebhookDelivery } from './types.ts'
import { createServer } from 'node:http'
import { createCustomerRegistry } from './customers.ts'
import { statusError } from './errors.ts'
import { createGraphHandler } from './graph-api.ts'
import { createMediaStore } from './media-store.ts'
import { createMessaging } from './messaging.ts'
import { createRandom } from './random.ts'
import { createScheduler } from './scheduler.ts'
import { defaultTemplates } from './templates.ts'
import { createDispatcher } from './webhook-dispatcher.ts'

export { LLM_GARBAGE_VARIANTS, LLM_MODEL, startLlmStandIn } from './llm.ts'
export type { LlmMode, LlmStandIn, LlmStandInOptions } from './llm.ts'
export { metaStringify } from './meta-json.ts'
export { defaultTemplates } from './templates.ts'
export type * from './types.ts'

export interface Simulator {
  /** Graph base URL (the server's WHATSAPP_GRAPH_URL), e.g. http://127.0.0.1:43121 */
  url: string
  config: SimulatorConfig
  /** Window rules, token buckets, media URL expiry and timestamps run on this clock. */
  clock: SimClock
  /** Queues an inbound message webhook; resolves to its wamid once queued. */
  receive: (from: CustomerRef, message: InboundMessageInput) => Promise<string>
  /** The customer reads an outbound message now (→ 'read'; pending 'sent'/'delivered' go first). */
  markRead: (wamid: string) => void
  /** The customer plays an outbound audio message (→ 'read' if needed, then 'played'). */
  markPlayed: (wamid: string) => void
  /** POSTs an arbitrary envelope now: signed unless `signature` is given (string) or null (no header). */
  deliverRaw: (payload: unknown, opts?: { signature?: string | null }) => Promise<HttpAnswer>
  /** Every request to `POST /{phone-number-id}/messages`, accepted or not. */
  outbound: RecordedSend[]
  /** Every webhook POST attempt, in the order answered. */
  deliveries: WebhookDelivery[]
  /** Webhook payloads dropped after the last retry. */
  dropped: { id: number, body: string }[]
  /** Fires everything queued or delayed so far now (ignoring delays) and waits for those POSTs' answers. */
  flush: () => Promise<void>
  /** Resolves when nothing is queued, scheduled or in flight (updates waiting for a webhook URL don't count). */
  idle: () => Promise<void>
  /** GET webhookUrl?hub.mode=subscribe&hub.challenge=<random>&hub.verify_token=<token>. */
  handshake: (verifyToken?: string) => Promise<HttpAnswer & { challenge: string, verified: boolean }>
  setWebhookUrl: (url: string) => void
  media: {
    /** Stores bytes as customer media; returns a media id usable in inbound messages and `GET /{media-id}`. */
    put: (bytes: Uint8Array, mimeType: string) => string
  }
  /** The live template library; edit it to change what sends and listings see. */
  templates: SimTemplate[]
  /** Calls `listener` for every accepted send (after the Graph answer is decided). */
  onSend: (listener: (send: RecordedSend) => void) => () => void
  /** Queues a `value.errors[]` webhook (system/app/account-level error, e.g. 130429). */
  emitError: (code: number, details?: string) => void
  /** Queues a change of another webhook field (e.g. `message_template_status_update`) with `value` as given. */
  emitChange: (field: string, value: Record<string, unknown>) => void
  /** The current token stops working with error 190/463; Graph calls need `newToken` from now on. */
  expireAccessToken: (newToken: string) => void
  /** `sha256=<hex>` for a body, as the simulator would sign it. */
  sign: (body: string) => string
  close: () => Promise<void>
}

export async function startSimulator(config: SimulatorConfig): Promise<Simulator> {
  const seed = config.seed ?? 1
  const log = config.log ?? (() => {})
  const random = createRandom(seed)
  const traceRandom = createRandom(seed ^ 0x5BD1E995)
  const mediaRandom = createRandom(seed ^ 0x1B873593)
  const challengeRandom = createRandom(seed ^ 0x27D4EB2F)
  const traceId = () => `A${traceRandom.alnum(22)}`
  const scheduler = createScheduler({ startTime: config.startTime ?? Date.now(), frozen: config.frozenClock ?? false })
  const templates = config.templates
    ? [...config.templates]
    : defaultTemplates()
  let accessToken = config.accessToken
  const expiredTokens = new Map<string, number>()
  let baseUrl = ''

  const dispatcher = createDispatcher({
    scheduler,
    random,
    appSecret: config.appSecret,
    wabaId: config.wabaId,
    metadata: { display_phone_number: config.displayPhoneNumber, phone_number_id: config.phoneNumberId },
    webhookUrl: config.webhookUrl,
    batch: config.batch ?? { maxItems: 1, maxDelayMs: 0 },
    duplicateRate: config.duplicateRate ?? 0,
    retryDelaysMs: config.retryDelaysMs ?? [1000, 5000, 30000, 120000],
    maxConcurrentDeliveries: config.maxConcurrentDeliveries ?? 1,
    deliveryTimeoutMs: config.deliveryTimeoutMs ?? 10_000,
    log,
  })
  const media = createMediaStore({
    now: scheduler.clock.now,
    newId: () => mediaRandom.digits(16),
    secret: config.appSecret,
  })
  const customers = createCustomerRegistry(seed)
  const messaging = createMessaging({
    config: {
      phoneNumberId: config.phoneNumberId,
      displayPhoneNumber: config.displayPhoneNumber,
      seed,
      reorderRate: config.reorderRate ?? 0,
      skipDeliveredRate: config.skipDeliveredRate ?? 0,
      statusDelaysMs: config.statusDelaysMs ?? { sent: 10, delivered: 30, read: 60 },
      throughputPerSecond: config.throughputPerSecond ?? 80,
      pairLimit: config.pairLimit ?? { intervalMs: 6000, burst: 45 },
      experimentRecipients: config.experimentRecipients ?? [],
      undeliverableRecipients: config.undeliverableRecipients ?? [],
      windowErrorMode: config.windowErrorMode ?? 'status',
      httpStatusOverrides: config.httpStatusOverrides,
    },
    templates: () => templates,
    scheduler,
    random,
    dispatcher,
    customers,
    media,
    mediaUrl: (mediaId) => {
      const stored = media.get(mediaId)
      return stored
        ? media.issueUrl(stored, baseUrl)
        : ''
    },
    traceId,
    log,
  })
  const handle = createGraphHandler({
    config: {
      phoneNumberId: config.phoneNumberId,
      wabaId: config.wabaId,
      displayPhoneNumber: config.displayPhoneNumber,
      verifiedName: config.verifiedName ?? 'WA Inbox Demo',
      httpStatusOverrides: config.httpStatusOverrides,
    },
    baseUrl: () => baseUrl,
    auth: {
      current: () => accessToken,
      expired: () => expiredTokens,
    },
    messaging,
    media,
    templates: () => templates,
    traceId,
    log,
  })

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`unhandled: ${String(error)}`)
      if (!res.headersSent)
        res.writeHead(500)
      res.end()
    })
  })
  const host = config.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  baseUrl = `http://${host.includes(':')
    ? `[${host}]`
    : host}:${port}`
  log(`WhatsApp Cloud API simulator on ${baseUrl} (phone number ${config.phoneNumberId}, WABA ${config.wabaId})`)

  const isIdle = () => scheduler.pendingCount() === 0 && dispatcher.isQuiet()
  let closed = false

  return {
    url: baseUrl,
    config,
    clock: scheduler.clock,
    async receive(from, message) {
      return messaging.receive(from, message)
    },
    markRead: messaging.markRead,
    markPlayed: messaging.markPlayed,
    deliverRaw: (payload, opts) => dispatcher.deliverRaw(payload, opts?.signature),
    outbound: messaging.recorded,
    deliveries: dispatcher.deliveries,
    dropped: dispatcher.dropped,
    async flush() {
      scheduler.runAll()
      dispatcher.closeAll()
      await dispatcher.drained()
    },
    async idle() {
      while (!isIdle()) {
        if (closed)
          return
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    },
    async handshake(verifyToken) {
      const target = dispatcher.webhookUrl()
      if (!target)
        throw new Error('handshake needs a webhook URL (config.webhookUrl or setWebhookUrl)')
      const challenge = challengeRandom.digits(10)
      const url = new URL(target)
      url.searchParams.set('hub.mode', 'subscribe')
      url.searchParams.set('hub.challenge', challenge)
      url.searchParams.set('hub.verify_token', verifyToken ?? config.verifyToken ?? '')
      const response = await fetch(url, {
        headers: { 'User-Agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
      })
      const body = await response.text()
      const verified = response.status === 200 && body === challenge
      log(`handshake → ${response.status}${verified ? ' (verified)' : ''}`)
      return {
        status: response.status,
        body,
        challenge,
        verified,
      }
    },
    setWebhookUrl: url => dispatcher.setWebhookUrl(url),
    media: {
      put: (bytes, mimeType) => media.put(bytes, mimeType, 'inbound').id,
    },
    templates,
    onSend: messaging.onSend,
    emitError(code, details) {
      const { href: _href, ...error } = statusError(code, details)
      dispatcher.enqueue({
        kind: 'error',
        groupKey: 'errors',
        field: 'messages',
        item: error,
        label: `error ${code}`,
      })
    },
    emitChange(field, value) {
      dispatcher.enqueue({
        kind: 'change',
        groupKey: `change:${field}`,
        field,
        item: value,
        label: `${field} change`,
      })
    },
    expireAccessToken(newToken) {
      expiredTokens.set(accessToken, scheduler.clock.now())
      accessToken = newToken
      log('access token expired; a new one is active')
    },
    sign: dispatcher.sign,
    async close() {
      if (closed)
        return
      closed = true
      scheduler.stop()
      dispatcher.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
