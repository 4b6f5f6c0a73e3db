// A local stand-in for Meta's WhatsApp Cloud API: the Graph API subset the connector calls, signed
// webhook POSTs to the server, and hooks for tests and scripted customers. See simulator/README.md.

import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { MediaStore } from './media-store.ts'
import type { Messaging } from './messaging.ts'
import type { Random } from './random.ts'
import type { Scheduler } from './scheduler.ts'
import type { CustomerRef, HttpAnswer, InboundMessageInput, RecordedSend, SimClock, SimTemplate, SimulatorConfig, WebhookDelivery } from './types.ts'
import type { Dispatcher } from './webhook-dispatcher.ts'
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

/** The running parts one simulator is made of, and its mutable bits (token, base URL, closed). */
interface SimParts {
  config: SimulatorConfig
  log: (line: string) => void
  scheduler: Scheduler
  dispatcher: Dispatcher
  messaging: Messaging
  media: MediaStore
  templates: SimTemplate[]
  challengeRandom: Random
  /** Graph trace ids (`x-fb-trace-id`, error bodies), one sequence for the whole simulator */
  traceId: () => string
  auth: { token: string, expired: Map<string, number> }
  baseUrl: string
  closed: boolean
}

export async function startSimulator(config: SimulatorConfig): Promise<Simulator> {
  const parts = createParts(config)
  const handle = graphHandlerFor(parts)
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      parts.log(`unhandled: ${String(error)}`)
      if (!res.headersSent)
        res.writeHead(500)
      res.end()
    })
  })
  parts.baseUrl = await listen(server, config.host ?? '127.0.0.1', config.port ?? 0)
  parts.log(`WhatsApp Cloud API simulator on ${parts.baseUrl} (phone number ${config.phoneNumberId}, WABA ${config.wabaId})`)
  return simulatorApi(parts, server)
}

function createParts(config: SimulatorConfig): SimParts {
  const seed = config.seed ?? 1
  const log = config.log ?? (() => {})
  const random = createRandom(seed)
  const traceRandom = createRandom(seed ^ 0x5BD1E995)
  const mediaRandom = createRandom(seed ^ 0x1B873593)
  const scheduler = createScheduler({ startTime: config.startTime ?? Date.now(), frozen: config.frozenClock ?? false })
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
  const parts: SimParts = {
    config,
    log,
    scheduler,
    dispatcher,
    messaging: undefined as unknown as Messaging, // set just below: it needs parts.baseUrl
    media,
    templates: config.templates
      ? [...config.templates]
      : defaultTemplates(),
    challengeRandom: createRandom(seed ^ 0x27D4EB2F),
    traceId: () => `A${traceRandom.alnum(22)}`,
    auth: {
      token: config.accessToken,
      expired: new Map(),
    },
    baseUrl: '',
    closed: false,
  }
  parts.messaging = messagingFor(parts, random)
  return parts
}

function messagingFor(parts: SimParts, random: Random): Messaging {
  const { config, media } = parts
  return createMessaging({
    config: {
      phoneNumberId: config.phoneNumberId,
      displayPhoneNumber: config.displayPhoneNumber,
      seed: config.seed ?? 1,
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
    templates: () => parts.templates,
    scheduler: parts.scheduler,
    random,
    dispatcher: parts.dispatcher,
    customers: createCustomerRegistry(config.seed ?? 1),
    media,
    mediaUrl: (mediaId) => {
      const stored = media.get(mediaId)
      return stored
        ? media.issueUrl(stored, parts.baseUrl)
        : ''
    },
    traceId: parts.traceId,
    log: parts.log,
  })
}

function graphHandlerFor(parts: SimParts) {
  const { config } = parts
  return createGraphHandler({
    config: {
      phoneNumberId: config.phoneNumberId,
      wabaId: config.wabaId,
      displayPhoneNumber: config.displayPhoneNumber,
      verifiedName: config.verifiedName ?? 'WA Inbox Demo',
      httpStatusOverrides: config.httpStatusOverrides,
    },
    baseUrl: () => parts.baseUrl,
    auth: {
      current: () => parts.auth.token,
      expired: () => parts.auth.expired,
    },
    messaging: parts.messaging,
    media: parts.media,
    templates: () => parts.templates,
    traceId: parts.traceId,
    log: parts.log,
  })
}

/** Listens on host:port (0: any free port); the base URL it is reachable on. */
async function listen(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  return `http://${host.includes(':')
    ? `[${host}]`
    : host}:${address.port}`
}

/** The `Simulator` handle tests and scripts use. */
function simulatorApi(parts: SimParts, server: Server): Simulator {
  const { config, scheduler, dispatcher, messaging, media } = parts
  const isIdle = () => scheduler.pendingCount() === 0 && dispatcher.isQuiet()
  return {
    url: parts.baseUrl,
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
        if (parts.closed)
          return
        await new Promise(resolve => setTimeout(resolve, 5))
      }
    },
    handshake: verifyToken => handshake(parts, verifyToken),
    setWebhookUrl: url => dispatcher.setWebhookUrl(url),
    media: {
      put: (bytes, mimeType) => media.put(bytes, mimeType, 'inbound').id,
    },
    templates: parts.templates,
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
      parts.auth.expired.set(parts.auth.token, scheduler.clock.now())
      parts.auth.token = newToken
      parts.log('access token expired; a new one is active')
    },
    sign: dispatcher.sign,
    async close() {
      if (parts.closed)
        return
      parts.closed = true
      scheduler.stop()
      dispatcher.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/** Meta's subscription check: GET the webhook URL with a random challenge it must echo. */
async function handshake(parts: SimParts, verifyToken?: string) {
  const target = parts.dispatcher.webhookUrl()
  if (!target)
    throw new Error('handshake needs a webhook URL (config.webhookUrl or setWebhookUrl)')
  const challenge = parts.challengeRandom.digits(10)
  const url = new URL(target)
  url.searchParams.set('hub.mode', 'subscribe')
  url.searchParams.set('hub.challenge', challenge)
  url.searchParams.set('hub.verify_token', verifyToken ?? parts.config.verifyToken ?? '')
  const response = await fetch(url, {
    headers: { 'User-Agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
  })
  const body = await response.text()
  const verified = response.status === 200 && body === challenge
  parts.log(`handshake → ${response.status}${verified ? ' (verified)' : ''}`)
  return {
    status: response.status,
    body,
    challenge,
    verified,
  }
}
