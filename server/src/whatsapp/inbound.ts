/**
 * Turns Meta's webhook objects into rows. Every known type keeps its fields under `content`; the
 * whole original object is kept in `raw`, so nothing WhatsApp sent is lost even for fields we do
 * not model yet. Anything unexpected becomes `unsupported` rather than an error: an exception here
 * would make Meta redeliver the batch for seven days.
 */

type Json = Record<string, unknown>

export interface InboundMessage {
  wamid: string
  from: string | null
  fromUserId: string | null
  /** ms since epoch (Meta sends unix seconds as a string) */
  timestamp: number
  type: string
  content: Json
  context: Json | null
  referral: Json | null
  raw: Json
  /** plain text for the conversation list; the UI labels media by type */
  preview: string
}

export interface InboundContact {
  waId: string | null
  userId: string | null
  username: string | null
  profileName: string | null
}

export interface InboundStatus {
  wamid: string
  status: string
  timestamp: number
  recipientId: string | null
  errors: Json[] | null
  raw: Json
}

function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? value as Json
    : null
}

/**
 * A string field, or null. NUL is dropped: PostgreSQL text cannot hold it and the insert would fail
 * on every redelivery (the untouched original stays in `raw`, where JSON escapes it).
 */
function str(value: unknown): string | null {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? value.replaceAll('\u0000', '')
      : value
  }
  if (typeof value === 'number' && Number.isFinite(value))
    return String(value)
  return null
}

/** Digits only: Meta sends `from` without `+`, though its docs show one; normalise both. */
export function normalizeWaId(value: unknown): string | null {
  const s = str(value)
  if (!s)
    return null
  const digits = s.replace(/\D/g, '')
  return digits.length > 0
    ? digits
    : null
}

export function parseTimestamp(value: unknown, fallback: number): number {
  const s = str(value)
  if (s && /^\d{1,12}$/.test(s))
    return Number(s) * 1000
  return fallback
}

/**
 * WhatsApp's timestamps are whole seconds. Within its second a message takes its arrival time
 * (at most the second's last millisecond), so two customer messages of one second and our bot's
 * reply between them keep the order they happened in, and a message that arrives later than its
 * second still sorts after one of the same second that arrived before it. A message that arrives
 * before its own timestamp (clock skew), or more than a minute after it (a redelivery, an old
 * message), keeps WhatsApp's time. The 24-hour window still runs from WhatsApp's second.
 */
function withinSecond(timestamp: number, arrived: number): number {
  return arrived >= timestamp && arrived < timestamp + 60_000
    ? Math.min(arrived, timestamp + 999)
    : timestamp
}

const MEDIA_TYPES = new Set([
  'image',
  'audio',
  'video',
  'document',
  'sticker',
])

function truncate(text: string, max = 200): string {
  return text.length > max
    ? `${text.slice(0, max - 1)}…`
    : text
}

export function parseContact(value: unknown): InboundContact | null {
  const c = obj(value)
  if (!c)
    return null
  const profile = obj(c.profile)
  const contact = {
    waId: normalizeWaId(c.wa_id),
    userId: str(c.user_id),
    username: str(profile?.username),
    profileName: str(profile?.name),
  }
  return contact.waId || contact.userId
    ? contact
    : null
}

type MessageBase = Omit<InboundMessage, 'type' | 'content' | 'preview'>

export function parseInboundMessage(value: unknown, now: number): InboundMessage | null {
  const m = obj(value)
  const wamid = str(m?.id)
  if (!m || !wamid)
    return null
  const type = str(m.type) ?? 'unsupported'
  const body = obj(m[type])
  const base: MessageBase = {
    wamid,
    from: normalizeWaId(m.from),
    fromUserId: str(m.from_user_id),
    timestamp: withinSecond(parseTimestamp(m.timestamp, now), now),
    context: obj(m.context),
    referral: obj(m.referral),
    raw: m,
  }
  if (MEDIA_TYPES.has(type))
    return parseMedia(base, type, body)
  switch (type) {
    case 'text': return parseText(base, body)
    case 'location': return parseLocation(base, body)
    case 'contacts': return parseContacts(base)
    case 'interactive': return parseInteractive(base, body)
    case 'button': return parseButton(base, body)
    case 'reaction': return parseReaction(base, body)
    case 'system': return parseSystem(base, body)
    case 'unsupported': return unsupported(base, str(body?.type) ?? 'unknown')
  }
  // order, ephemeral, request_welcome, types Meta adds later: kept whole under `raw`.
  return unsupported(base, type, body
    ? { [type]: body }
    : undefined)
}

/** A message we cannot show: its original type and Meta's errors, the rest stays in `raw`. */
function unsupported(base: MessageBase, originalType: string, extra?: Json): InboundMessage {
  return {
    ...base,
    type: 'unsupported',
    content: {
      originalType,
      errors: Array.isArray(base.raw.errors)
        ? base.raw.errors
        : [],
      ...extra,
    },
    preview: '',
  }
}

function parseText(base: MessageBase, body: Json | null): InboundMessage {
  const text = str(body?.body)
  if (text === null)
    return unsupported(base, 'text')
  return {
    ...base,
    type: 'text',
    content: { body: text },
    preview: truncate(text),
  }
}

function parseMedia(base: MessageBase, type: string, body: Json | null): InboundMessage {
  if (!body || !str(body.id))
    return unsupported(base, type)
  const content: Json = {
    mediaId: str(body.id),
    mimeType: str(body.mime_type),
    sha256: str(body.sha256),
  }
  for (const key of ['caption', 'filename', 'url'] as const) {
    const v = str(body[key])
    if (v !== null)
      content[key] = v
  }
  if (typeof body.voice === 'boolean')
    content.voice = body.voice
  if (typeof body.animated === 'boolean')
    content.animated = body.animated
  return {
    ...base,
    type,
    content,
    preview: truncate(str(body.caption) ?? str(body.filename) ?? ''),
  }
}

function parseLocation(base: MessageBase, body: Json | null): InboundMessage {
  const lat = Number(body?.latitude)
  const lng = Number(body?.longitude)
  if (!body || !Number.isFinite(lat) || !Number.isFinite(lng))
    return unsupported(base, 'location')
  const content: Json = { latitude: lat, longitude: lng }
  for (const key of ['name', 'address', 'url'] as const) {
    const v = str(body[key])
    if (v !== null)
      content[key] = v
  }
  return {
    ...base,
    type: 'location',
    content,
    preview: truncate(str(body.name) ?? str(body.address) ?? ''),
  }
}

/** Shared contact cards arrive as `contacts` on the message itself, not under a type key. */
function parseContacts(base: MessageBase): InboundMessage {
  const list = Array.isArray(base.raw.contacts)
    ? base.raw.contacts
    : null
  if (!list)
    return unsupported(base, 'contacts')
  const names = list.map(c => str(obj(obj(c)?.name)?.formatted_name)).filter(Boolean)
  return {
    ...base,
    type: 'contacts',
    content: { contacts: list },
    preview: truncate(names.join(', ')),
  }
}

/** A tapped reply button or list row (or a flow reply): `interactive.{type}` holds the reply. */
function parseInteractive(base: MessageBase, body: Json | null): InboundMessage {
  const kind = str(body?.type)
  const reply = kind
    ? obj(body?.[kind])
    : null
  if (!body || !kind || !reply)
    return unsupported(base, 'interactive')
  const content: Json = { interactiveType: kind, ...reply }
  return {
    ...base,
    type: 'interactive',
    content,
    preview: truncate(str(reply.title) ?? str(reply.body) ?? str(reply.name) ?? ''),
  }
}

/** A tapped template quick-reply button. */
function parseButton(base: MessageBase, body: Json | null): InboundMessage {
  if (!body)
    return unsupported(base, 'button')
  return {
    ...base,
    type: 'button',
    content: {
      payload: str(body.payload),
      text: str(body.text),
    },
    preview: truncate(str(body.text) ?? ''),
  }
}

function parseReaction(base: MessageBase, body: Json | null): InboundMessage {
  const target = str(body?.message_id)
  if (!body || !target)
    return unsupported(base, 'reaction')
  // Removal is the same shape with `emoji` omitted (some clients send "").
  const emoji = str(body.emoji) || null
  return {
    ...base,
    type: 'reaction',
    content: { messageId: target, emoji },
    preview: emoji ?? '',
  }
}

/** A number change or identity change notice. */
function parseSystem(base: MessageBase, body: Json | null): InboundMessage {
  if (!body)
    return unsupported(base, 'system')
  const content: Json = {
    systemType: str(body.type),
    body: str(body.body),
    waId: normalizeWaId(body.wa_id ?? body.new_wa_id),
  }
  if (obj(base.raw.identity))
    content.identity = base.raw.identity
  return {
    ...base,
    type: 'system',
    content,
    preview: truncate(str(body.body) ?? ''),
  }
}

export function parseStatus(value: unknown, now: number): InboundStatus | null {
  const s = obj(value)
  const wamid = str(s?.id)
  const status = str(s?.status)
  if (!s || !wamid || !status)
    return null
  return {
    wamid,
    status,
    timestamp: parseTimestamp(s.timestamp, now),
    recipientId: str(s.recipient_id),
    errors: Array.isArray(s.errors)
      ? s.errors.map(e => obj(e) ?? {})
      : null,
    raw: s,
  }
}

/** The first error of a failed status / error webhook as `{code, title, details}`. */
export function toWhatsAppError(errors: Json[] | null | undefined): { code: number, title: string, details?: string } | null {
  const e = errors?.[0]
  if (!e)
    return null
  const details = str(obj(e.error_data)?.details) ?? str(e.message) ?? undefined
  const out: { code: number, title: string, details?: string } = {
    code: Number(e.code) || 0,
    title: str(e.title) ?? str(e.message) ?? 'Unknown error',
  }
  if (details && details !== out.title)
    out.details = details
  return out
}
