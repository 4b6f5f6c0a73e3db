// Public types of the simulator. The shapes mirror what Meta's WhatsApp Cloud API sends and accepts;
// see docs/whatsapp.md for the wire facts behind each field.

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'DELETED' | 'LIMIT_EXCEEDED' | 'ARCHIVED'
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION'

export interface SimTemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'OTP'
  text: string
  url?: string
  phone_number?: string
  example?: string[]
  otp_type?: string
}

export interface SimTemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS'
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION'
  text?: string
  example?: Record<string, unknown>
  buttons?: SimTemplateButton[]
  add_security_recommendation?: boolean
  code_expiration_minutes?: number
}

/** A message template as listed by `GET /{waba-id}/message_templates`. */
export interface SimTemplate {
  id: string
  name: string
  language: string
  status: TemplateStatus
  category: TemplateCategory
  sub_category?: string
  parameter_format?: 'POSITIONAL' | 'NAMED'
  components: SimTemplateComponent[]
  rejected_reason?: string
  quality_score?: { score: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN' }
}

export interface SimulatorConfig {
  /** Interface to listen on (default '127.0.0.1'). */
  host?: string
  /** Port to listen on (default 0: a random free port). */
  port?: number
  /** Signs webhooks: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact bytes sent>`. */
  appSecret: string
  /** Graph calls must carry `Authorization: Bearer <accessToken>` (or `?access_token=`), else error 190. */
  accessToken: string
  /** Default verify token for `handshake()`. */
  verifyToken?: string
  /** The server's `POST /webhooks/whatsapp`; when absent, updates queue until `setWebhookUrl`. */
  webhookUrl?: string
  wabaId: string
  phoneNumberId: string
  /** Digits, e.g. '15550783881'. */
  displayPhoneNumber: string
  /** Verified business name shown by `GET /{phone-number-id}` (default 'WA Inbox Demo'). */
  verifiedName?: string
  /** Every random choice (ids, duplicates, reordering, skips, batch layout) derives from it (default 1). */
  seed?: number
  /** 0..1 chance a webhook POST is delivered twice (default 0). */
  duplicateRate?: number
  /** 0..1 chance a message's statuses are delivered out of order (default 0). */
  reorderRate?: number
  /** 0..1 chance 'delivered' is skipped and only 'read' arrives (default 0). */
  skipDeliveredRate?: number
  /** Webhook batching window (default `{ maxItems: 1, maxDelayMs: 0 }`). */
  batch?: { maxItems: number, maxDelayMs: number }
  /** Offsets after a send is accepted (default 10/30/60); `read: null` = customers never read by themselves. */
  statusDelaysMs?: { sent: number, delivered: number, read: number | null }
  /** Webhook redelivery delays on non-200 or network error (default [1000, 5000, 30000, 120000]), then give up. */
  retryDelaysMs?: number[]
  /** Per phone number token bucket (default 80) → error 130429. */
  throughputPerSecond?: number
  /** Per recipient token bucket (default 6000 ms per token, burst 45) → error 131056. */
  pairLimit?: { intervalMs: number, burst: number }
  /** wa_ids: MARKETING templates to them → accepted, then a 'failed' status 130472. */
  experimentRecipients?: string[]
  /** wa_ids: any send → accepted, then a 'failed' status 131026. */
  undeliverableRecipients?: string[]
  /** 131047 outside the 24 h window: accepted then failed status ('status', default) or a synchronous 400 ('sync'). */
  windowErrorMode?: 'status' | 'sync'
  /** Default: the realistic set from `defaultTemplates()`. */
  templates?: SimTemplate[]
  /** Epoch ms where the simulator clock starts (default `Date.now()`). */
  startTime?: number
  /** When true the clock moves only through `clock.advance()`; scheduled work then runs on advance or flush. */
  frozenClock?: boolean
  /** HTTP status per Graph error code, overriding the defaults (e.g. `{ 130429: 400 }`). */
  httpStatusOverrides?: Record<number, number>
  /** Webhook POSTs in flight at once (default 1, which keeps arrival order deterministic). */
  maxConcurrentDeliveries?: number
  /** Per-attempt webhook POST timeout (default 10000 ms); a timeout counts as a network error. */
  deliveryTimeoutMs?: number
  /** One line per notable event (default: no output). */
  log?: (line: string) => void
}

export interface CustomerRef {
  waId?: string
  name?: string
  /** Business-scoped user id, e.g. 'US.13491208655302741918'; generated from waId when absent. */
  userId?: string
  /** When set and waId is absent, webhooks omit `from`/`wa_id` (BSUID-only contact). */
  username?: string
}

export type InboundContext = { id: string } | { forwarded: true } | { frequently_forwarded: true }

export interface CommonInboundOptions {
  /** `{ id }` quotes a message (the business's or the customer's own); or a forwarded flag. */
  context?: InboundContext
  /** Click-to-WhatsApp referral object, passed through as given. */
  referral?: Record<string, unknown>
  /** Unix seconds; default: the simulator clock. */
  timestamp?: number
}

export type MediaInboundType = 'image' | 'video' | 'sticker' | 'document' | 'audio'

export type InboundInput
  = | { type: 'text', body: string }
    | { type: MediaInboundType, bytes?: Uint8Array, mimeType?: string, caption?: string, filename?: string, voice?: boolean, animated?: boolean }
    | { type: 'location', latitude: number, longitude: number, name?: string, address?: string, url?: string }
    | { type: 'contacts', contacts: unknown[] }
    | { type: 'button_reply', id: string, title: string, contextId: string }
    | { type: 'list_reply', id: string, title: string, description?: string, contextId: string }
    | { type: 'button', payload: string, text: string, contextId: string }
    | { type: 'reaction', messageId: string, emoji?: string }
    | { type: 'unsupported', unsupportedType: string }
    | { type: 'system_number_change', newWaId: string, body?: string }
    | { type: 'order', catalogId: string, text?: string, productItems: { product_retailer_id: string, quantity: number, item_price: number, currency: string }[] }

export type InboundMessageInput = InboundInput & CommonInboundOptions

export interface GraphErrorBody {
  message: string
  type: string
  code: number
  error_subcode?: number
  error_data?: { messaging_product: 'whatsapp', details: string }
  fbtrace_id: string
}

/** One request to `POST /{phone-number-id}/messages` (sends and mark-as-read). */
export interface RecordedSend {
  /** Present when the request was accepted as a message. */
  wamid?: string
  /** The parsed JSON body as received. */
  body: unknown
  /** Simulator clock (epoch ms) when it arrived. */
  at: number
  phoneNumberId: string
  /** HTTP status answered. */
  httpStatus: number
  /** The `error` object of a synchronous failure. */
  error?: GraphErrorBody
  /** Code of the asynchronous failure ('failed' status) this accepted send is headed for. */
  failureCode?: number
  /** The normalized recipient wa_id, when there is one. */
  recipient?: string
}

export interface WebhookDelivery {
  /** Identifies one webhook POST body; retries and duplicates share it. */
  id: number
  body: string
  status: number | 'network_error'
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number
  /** Simulator clock (epoch ms) when the answer (or network error) came back. */
  at: number
  /** The deliberate second delivery of an already acknowledged POST. */
  duplicate?: boolean
  /** Sent with `deliverRaw` (never retried). */
  raw?: boolean
  /** This was the last attempt; the payload was dropped. */
  gaveUp?: boolean
  /** The server's answer body. */
  responseBody?: string
}

export interface SimClock {
  now: () => number
  advance: (ms: number) => void
}

export interface HttpAnswer {
  status: number
  body: string
}
