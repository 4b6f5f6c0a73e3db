import type { CompanionPrefs, NotificationKind } from './companion-prefs'
/**
 * Desktop notifications, raised by the background only:
 *
 * - from each pulled sync page, by diffing what the page's entities were before and after it was
 *   applied (never during a snapshot): a chat newly assigned to me, a new customer message in my
 *   chat, a send of mine that failed, an AI bot handing a chat over (`notification` rows of kind
 *   `handover`, if the server sends them);
 * - from the outbox (an action the server refused) and from a timer (an unassigned chat waiting
 *   longer than N minutes).
 *
 * Per-kind preferences and quiet hours apply, and nothing is shown for the conversation the agent
 * is looking at: pages report it here (`trackViewing`, session storage with a heartbeat).
 */
import type { AppDB, Message, Notification, StoredConversation } from './db'
import type { SyncResponse } from '~/protocol/sync'
import { browser } from 'wxt/browser'
import { i18n } from '#i18n'

// ---------------------------------------------------------------------------------------------
// What the agent is looking at (pages → background)

const VIEWING_PREFIX = 'viewing:'
/** a page rewrites its entry this often while visible; older entries are stale (a crashed page) */
export const VIEWING_HEARTBEAT_MS = 20_000
export const VIEWING_STALE_MS = 3 * VIEWING_HEARTBEAT_MS

export interface Viewing {
  conversationId: string | null
  visible: boolean
  at: number
}

/**
 * Reports the conversation a page shows, and whether the page is visible, for the background to
 * leave it alone. Call `set` whenever the open conversation changes; `stop` on unmount.
 */
export function trackViewing(initial: string | null = null): { set: (conversationId: string | null) => void, stop: () => void } {
  const key = `${VIEWING_PREFIX}${crypto.randomUUID()}`
  let conversationId = initial
  const area = browser.storage.session
  const write = () => {
    const value: Viewing = {
      conversationId,
      visible: document.visibilityState === 'visible',
      at: Date.now(),
    }
    area?.set({ [key]: value }).catch(() => {})
  }
  const remove = () => {
    area?.remove(key).catch(() => {})
  }
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible')
      write()
  }, VIEWING_HEARTBEAT_MS)
  document.addEventListener('visibilitychange', write)
  window.addEventListener('pagehide', remove)
  write()
  return {
    set(id) {
      conversationId = id
      write()
    },
    stop() {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', write)
      window.removeEventListener('pagehide', remove)
      remove()
    },
  }
}

/** The conversations shown in a visible extension page right now. */
export async function viewedConversations(now = Date.now()): Promise<Set<string>> {
  const all = await browser.storage.session?.get(null).catch(() => ({})) ?? {}
  const viewed = new Set<string>()
  for (const [key, value] of Object.entries(all)) {
    const entry = value as Viewing | undefined
    if (key.startsWith(VIEWING_PREFIX) && entry?.visible && entry.conversationId && now - entry.at < VIEWING_STALE_MS)
      viewed.add(entry.conversationId)
  }
  return viewed
}

// ---------------------------------------------------------------------------------------------
// Events

export interface CompanionEvent {
  kind: NotificationKind
  conversationId: string | null
  /** the contact's name (or the number of waiting chats for a `waiting` summary) */
  who?: string
  /** a line of the message */
  text?: string
  /** `waiting`: how many chats (more than 1 makes a summary) */
  count?: number
}

/** The entities a sync page touches, as they are in Dexie (read before and after applying it). */
export interface PageState {
  conversations: Map<string, StoredConversation>
  messages: Map<string, Message>
  notifications: Map<string, Notification>
}

/** Ids of what a page touches, for `readPageState`. */
export function pageIds(page: SyncResponse): { conversations: string[], messages: string[], notifications: string[] } {
  const conversations = new Set<string>()
  const messages = new Set<string>()
  const notifications = new Set<string>()
  for (const change of page.changes) {
    if (change.kind === 'conversation') {
      conversations.add(change.id)
    }
    else if (change.kind === 'message') {
      messages.add(change.id)
      const conversationId = (change.data as Partial<Message> | undefined)?.conversationId
      if (conversationId)
        conversations.add(conversationId)
    }
    else if (change.kind === 'notification') {
      notifications.add(change.id)
    }
  }
  return {
    conversations: [...conversations],
    messages: [...messages],
    notifications: [...notifications],
  }
}

export async function readPageState(db: AppDB, ids: ReturnType<typeof pageIds>): Promise<PageState> {
  const [conversations, messages, notifications] = await Promise.all([
    db.conversations.bulkGet(ids.conversations),
    db.messages.bulkGet(ids.messages),
    db.notifications.bulkGet(ids.notifications),
  ])
  const byId = <T extends { id: string }>(rows: Array<T | undefined>) => new Map(rows.filter((r): r is T => !!r).map(r => [r.id, r]))
  return {
    conversations: byId(conversations),
    messages: byId(messages),
    notifications: byId(notifications),
  }
}

function nameOf(conversation: StoredConversation | undefined): string | undefined {
  const contact = conversation?.contact
  return contact
    ? contact.name?.trim() || contact.profileName?.trim() || contact.phone || contact.waId || undefined
    : undefined
}

function textOf(message: Message): string | undefined {
  const content = message.content as { body?: unknown, caption?: unknown }
  const text = typeof content.body === 'string'
    ? content.body
    : typeof content.caption === 'string'
      ? content.caption
      : ''
  return text.trim() || undefined
}

/**
 * What changed for me between `before` and `after` (one sync page). Pure. One event per
 * conversation and kind; an assignment hides the messages that came with it.
 */
export function diffPage(before: PageState, after: PageState, agentId: string): CompanionEvent[] {
  const events: CompanionEvent[] = []
  const assigned = new Set<string>()
  for (const [id, conversation] of after.conversations) {
    const previous = before.conversations.get(id)
    if (conversation.assigneeId === agentId && previous?.assigneeId !== agentId && conversation.status !== 'closed') {
      assigned.add(id)
      events.push({
        kind: 'assigned',
        conversationId: id,
        who: nameOf(conversation),
        text: conversation.lastMessagePreview?.trim() || undefined,
      })
    }
  }
  const newest = new Map<string, Message>()
  const failed = new Map<string, Message>()
  for (const [id, message] of after.messages) {
    const previous = before.messages.get(id)
    const conversation = after.conversations.get(message.conversationId)
    const mine = conversation?.assigneeId === agentId
    if (message.direction === 'in' && !previous && mine && !assigned.has(message.conversationId)) {
      const seen = newest.get(message.conversationId)
      if (!seen || seen.timestamp < message.timestamp)
        newest.set(message.conversationId, message)
    }
    if (message.direction === 'out' && message.status === 'failed' && previous?.status !== 'failed' && (mine || message.senderId === agentId))
      failed.set(message.conversationId, message)
  }
  for (const [conversationId, message] of newest) {
    events.push({
      kind: 'message',
      conversationId,
      who: nameOf(after.conversations.get(conversationId)),
      text: textOf(message),
    })
  }
  for (const [conversationId, message] of failed) {
    events.push({
      kind: 'failed',
      conversationId,
      who: nameOf(after.conversations.get(conversationId)),
      text: message.error?.details ?? message.error?.title ?? textOf(message),
    })
  }
  for (const [id, notification] of after.notifications) {
    if (notification.kind === 'handover' && !before.notifications.has(id) && notification.readAt === null) {
      events.push({
        kind: 'handover',
        conversationId: notification.conversationId,
        who: nameOf(notification.conversationId
          ? after.conversations.get(notification.conversationId)
          : undefined),
      })
    }
  }
  return events
}

/** Minutes since midnight of `HH:MM`. */
function minutesOf(value: string): number {
  const [h, m] = value.split(':').map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** Is `date` (local time) inside the quiet hours? `start` after `end` spans midnight; equal = never. */
export function inQuietHours(date: Date, quiet: CompanionPrefs['notifications']['quietHours']): boolean {
  if (!quiet.enabled)
    return false
  const start = minutesOf(quiet.start)
  const end = minutesOf(quiet.end)
  const now = date.getHours() * 60 + date.getMinutes()
  if (start === end)
    return false
  return start < end
    ? now >= start && now < end
    : now >= start || now < end
}

/** The events to show: kinds the agent wants, outside quiet hours, not about what they look at. */
export function eventsToShow(events: CompanionEvent[], prefs: CompanionPrefs['notifications'], context: { now: Date, viewed: ReadonlySet<string> }): CompanionEvent[] {
  if (inQuietHours(context.now, prefs.quietHours))
    return []
  return events.filter(event => prefs.kinds[event.kind] && !(event.conversationId && context.viewed.has(event.conversationId)))
}

// ---------------------------------------------------------------------------------------------
// Unassigned chats waiting too long (checked on a timer)

/** When an unassigned chat started waiting: its customer's last message. */
function waitingSince(conversation: StoredConversation): number | null {
  if (conversation.lastMessageDirection !== 'in')
    return null
  return conversation.lastInboundAt ?? conversation.listAt ?? conversation.lastMessageAt
}

/** How far back a wait still counts as new (older waits were there before: no notification). */
export const WAITING_WINDOW_MS = 60 * 60_000

/**
 * The unassigned open chats that have waited at least `minutes` (but started waiting within the
 * last hour or so), not notified yet for this wait; oldest first. `notified`: conversation id →
 * the wait already notified.
 */
export function overdueWaiting(conversations: StoredConversation[], minutes: number, notified: Readonly<Record<string, number>>, now: number): Array<{ conversation: StoredConversation, since: number }> {
  const threshold = minutes * 60_000
  const result: Array<{ conversation: StoredConversation, since: number }> = []
  for (const conversation of conversations) {
    const since = waitingSince(conversation)
    if (conversation.status !== 'open' || conversation.assigneeId !== null || since === null)
      continue
    const waited = now - since
    if (waited >= threshold && waited < threshold + WAITING_WINDOW_MS && notified[conversation.id] !== since)
      result.push({ conversation, since })
  }
  return result.sort((a, b) => a.since - b.since)
}

/** One event for the overdue chats: the chat itself, or a summary that opens the oldest. */
export function waitingEvent(overdue: ReturnType<typeof overdueWaiting>): CompanionEvent | null {
  const oldest = overdue[0]
  if (!oldest)
    return null
  return overdue.length === 1
    ? {
        kind: 'waiting',
        conversationId: oldest.conversation.id,
        who: nameOf(oldest.conversation),
        text: oldest.conversation.lastMessagePreview?.trim() || undefined,
        count: 1,
      }
    : { kind: 'waiting', conversationId: oldest.conversation.id, count: overdue.length }
}

// ---------------------------------------------------------------------------------------------
// Showing them

const ID_PREFIX = 'wa-inbox'

export function notificationId(event: CompanionEvent, now = Date.now()): string {
  return [
    ID_PREFIX,
    event.kind,
    event.conversationId ?? '',
    now.toString(36),
  ].join('|')
}

export function parseNotificationId(id: string): { kind: NotificationKind, conversationId: string | null } | null {
  const [prefix, kind, conversationId] = id.split('|')
  if (prefix !== ID_PREFIX || !kind)
    return null
  return { kind: kind as NotificationKind, conversationId: conversationId || null }
}

/** The buttons (Chrome only: Firefox shows none, a click there means Open). */
export type NotificationButton = 'assign' | 'open'

export function buttonsFor(kind: NotificationKind): NotificationButton[] {
  return kind === 'waiting' || kind === 'handover'
    ? ['assign', 'open']
    : ['open']
}

export function notificationText(event: CompanionEvent): { title: string, message: string } {
  const who = event.who ?? i18n.t('companion.notifications.someone')
  switch (event.kind) {
    case 'assigned':
      return {
        title: i18n.t('companion.notifications.assignedTitle', [who]),
        message: event.text ?? i18n.t('companion.notifications.assignedText'),
      }
    case 'message':
      return { title: who, message: event.text ?? i18n.t('companion.notifications.messageText') }
    case 'waiting':
      return (event.count ?? 1) > 1
        ? {
            title: i18n.t('companion.notifications.waitingManyTitle', [
              String(event.count),
            ]),
            message: i18n.t('companion.notifications.waitingManyText'),
          }
        : {
            title: i18n.t('companion.notifications.waitingTitle', [who]),
            message: event.text ?? i18n.t('companion.notifications.waitingText'),
          }
    case 'failed':
      return {
        title: i18n.t('companion.notifications.failedTitle', [who]),
        message: event.text ?? i18n.t('companion.notifications.failedText'),
      }
    case 'handover':
      return {
        title: i18n.t('companion.notifications.handoverTitle', [who]),
        message: i18n.t('companion.notifications.handoverText'),
      }
  }
}

/** A short beep as a WAV data URL (no asset to ship): 880 Hz, 120 ms, 8-bit mono. */
export function beepDataUrl(): string {
  const rate = 8000
  const samples = Math.round(rate * 0.12)
  const bytes = new Uint8Array(44 + samples)
  const view = new DataView(bytes.buffer)
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)))
  ascii(0, 'RIFF')
  view.setUint32(4, 36 + samples, true)
  ascii(8, 'WAVEfmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // mono
  view.setUint32(24, rate, true)
  view.setUint32(28, rate, true)
  view.setUint16(32, 1, true)
  view.setUint16(34, 8, true)
  ascii(36, 'data')
  view.setUint32(40, samples, true)
  for (let i = 0; i < samples; i++) {
    const fade = Math.min(1, (samples - i) / 200)
    bytes[44 + i] = 128 + Math.round(90 * fade * Math.sin(2 * Math.PI * 880 * i / rate))
  }
  let binary = ''
  bytes.forEach((b) => {
    binary += String.fromCharCode(b)
  })
  return `data:audio/wav;base64,${btoa(binary)}`
}

/**
 * Creates the notification. Chrome gets buttons and `silent` (its own sound when the agent wants
 * sound); Firefox rejects those options, so it gets neither and beeps from its background page.
 */
export async function showNotification(event: CompanionEvent, prefs: CompanionPrefs['notifications'], now = Date.now()): Promise<string> {
  const { title, message } = notificationText(event)
  const firefox = import.meta.env.BROWSER === 'firefox'
  const options: Record<string, unknown> = {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
    ...(firefox
      ? {}
      : {
          buttons: buttonsFor(event.kind).map(button => ({
            title: i18n.t(button === 'assign'
              ? 'companion.notifications.assignToMe'
              : 'companion.notifications.open'),
          })),
          silent: !prefs.sound,
          priority: event.kind === 'failed'
            ? 2
            : 1,
        }),
  }
  const id = await browser.notifications.create(notificationId(event, now), options as never)
  if (firefox && prefs.sound && typeof Audio !== 'undefined')
    new Audio(beepDataUrl()).play().catch(() => {})
  return id
}
