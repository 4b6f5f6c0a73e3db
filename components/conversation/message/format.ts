/**
 * Reading a message's `content` (docs/api.md, "Message `content` by type": a loose record per type) and formatting
 * its times, sizes and day separators in the UI's language.
 */
import type { Message } from '~/utils/db'
import { i18n } from '#i18n'
import { uiLocale } from '~/utils/page-document'

/** A string field of `content`, or null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== ''
    ? value
    : null
}

/** A finite number field of `content` (numbers may arrive as strings), or null. */
export function number(value: unknown): number | null {
  const result = typeof value === 'string' && value.trim() !== ''
    ? Number(value)
    : value
  return typeof result === 'number' && Number.isFinite(result)
    ? result
    : null
}

export const MEDIA_TYPES = new Set<Message['type']>([
  'image',
  'video',
  'audio',
  'document',
  'sticker',
])

/** What a message is, in a word ("Photo", "Location" …), for quotes and accessible names. */
export function typeLabel(message: Pick<Message, 'type' | 'content'>): string {
  switch (message.type) {
    case 'image': return i18n.t('conversation.message.content.image')
    case 'video': return i18n.t('conversation.message.content.video')
    case 'audio': return message.content.voice === true
      ? i18n.t('conversation.message.content.voice')
      : i18n.t('conversation.message.content.audio')
    case 'document': return i18n.t('conversation.message.content.document')
    case 'sticker': return i18n.t('conversation.message.content.sticker')
    case 'location': return i18n.t('conversation.message.content.location')
    case 'contacts': return i18n.t('conversation.message.content.contacts')
    case 'interactive': return i18n.t('conversation.message.content.interactive')
    case 'button': return i18n.t('conversation.message.content.button')
    case 'template': return i18n.t('conversation.message.content.template', [text(message.content.name) ?? ''])
    case 'system': return i18n.t('conversation.message.content.system')
    case 'reaction': return text(message.content.emoji)
      ? i18n.t('conversation.message.content.reacted', [
          text(message.content.emoji)!,
        ])
      : i18n.t('conversation.message.content.reactionRemoved')
    default: return i18n.t('conversation.message.content.unsupported', [text(message.content.originalType) ?? i18n.t('conversation.message.content.unsupportedUnknown')])
  }
}

/** A one-line summary of a message (a quote's preview): its text, else what it is. */
export function messageSummary(message: Pick<Message, 'type' | 'content'>): string {
  const content = message.content
  const own = text(content.body) ?? text(content.caption) ?? text(content.title) ?? text(content.text)
  if (own && message.type !== 'system')
    return own
  if (message.type === 'document' && text(content.filename))
    return text(content.filename)!
  if (message.type === 'location')
    return text(content.name) ?? text(content.address) ?? typeLabel(message)
  return own ?? typeLabel(message)
}

/** An OpenStreetMap link centred on a point; null for coordinates that are not ones. */
export function openStreetMapUrl(latitude: unknown, longitude: unknown): string | null {
  const lat = number(latitude)
  const lon = number(longitude)
  if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180)
    return null
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`
}

export interface ContactCard {
  name: string
  phones: string[]
  emails: string[]
  organization: string | null
}

/** The cards of a `contacts` message (Meta's objects: `name.formatted_name`, `phones[].phone` …). */
export function contactCards(content: Message['content']): ContactCard[] {
  const list = Array.isArray(content.contacts)
    ? content.contacts
    : []
  return list.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null).map((item) => {
    const name = (item.name ?? {}) as Record<string, unknown>
    const joined = [
      text(name.first_name),
      text(name.last_name),
    ].filter(Boolean).join(' ')
    const phones = (Array.isArray(item.phones)
      ? item.phones
      : []) as Record<string, unknown>[]
    const emails = (Array.isArray(item.emails)
      ? item.emails
      : []) as Record<string, unknown>[]
    const org = (item.org ?? {}) as Record<string, unknown>
    return {
      name: text(name.formatted_name) ?? (joined || i18n.t('conversation.message.content.contactNoName')),
      phones: phones.map(phone => text(phone?.phone) ?? text(phone?.wa_id)).filter((value): value is string => value !== null),
      emails: emails.map(email => text(email?.email)).filter((value): value is string => value !== null),
      organization: text(org.company),
    }
  })
}

const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>()

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let formatter = formatters.get(key)
  if (!formatter) {
    formatter = make()
    formatters.set(key, formatter)
  }
  return formatter as T
}

/** "14:05" / "2:05 PM" in the UI's language. */
export function formatTime(timestamp: number, locale = uiLocale()): string {
  return cached(`time|${locale}`, () => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' })).format(timestamp)
}

/** The full date and time, for a `title`. */
export function formatDateTime(timestamp: number, locale = uiLocale()): string {
  return cached(`datetime|${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' })).format(timestamp)
}

/** "2.4 MB" in the UI's language. */
export function formatFileSize(bytes: number, locale = uiLocale()): string {
  const units = [
    'byte',
    'kilobyte',
    'megabyte',
    'gigabyte',
  ] as const
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return cached(`size|${locale}|${unit}`, () => new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0
      ? 0
      : 1,
  })).format(value)
}

/** The local calendar day of a time, as a sortable key ("2025-01-15"). */
export function dayKey(timestamp: number): string {
  const date = new Date(timestamp)
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`
}

function startOfDay(timestamp: number): number {
  const date = new Date(timestamp)
  date.setHours(0, 0, 0, 0)
  return date.getTime()
}

/**
 * A day separator: "Today", "Yesterday", the weekday within the last week, else the date (with
 * the year when it is not this one).
 */
export function dayLabel(timestamp: number, now: number, locale = uiLocale()): string {
  const today = startOfDay(now)
  const day = startOfDay(timestamp)
  // Days between two local midnights, rounded: a daylight-saving day is 23 or 25 hours long.
  const daysAgo = Math.round((today - day) / 86_400_000)
  if (daysAgo === 0)
    return i18n.t('conversation.message.list.today')
  if (daysAgo === 1)
    return i18n.t('conversation.message.list.yesterday')
  if (daysAgo > 1 && daysAgo < 7)
    return cached(`weekday|${locale}`, () => new Intl.DateTimeFormat(locale, { weekday: 'long' })).format(timestamp)
  const sameYear = new Date(timestamp).getFullYear() === new Date(now).getFullYear()
  return cached(`day|${locale}|${sameYear}`, () => new Intl.DateTimeFormat(locale, sameYear
    ? { weekday: 'short', day: 'numeric', month: 'long' }
    : { day: 'numeric', month: 'long', year: 'numeric' })).format(timestamp)
}
