import type { BadgeCount, CompanionPrefs } from './companion-prefs'
/**
 * What waits for the agent, counted from Dexie (the popup shows the same figures), and the
 * toolbar badge made from it: a count coloured by what waits, or an alert ("!") when one of my
 * 24-hour windows closes soon or a send failed. Computed in the background only.
 */
import type { Agent, AppDB, Contact, StoredConversation } from './db'
import type { Availability } from '~/protocol/team'
import Dexie from 'dexie'
import { browser } from 'wxt/browser'
import { storage } from 'wxt/utils/storage'

export interface WaitingCounts {
  /** open conversations nobody is assigned to */
  unassigned: number
  /** open conversations assigned to me that are unread (or marked unread) */
  mineUnread: number
  /** my open conversations whose 24-hour window closes within the asked horizon */
  closingSoon: number
  /** failed actions in the outbox + failed messages in my conversations */
  failed: number
}

export interface WaitingSnapshot {
  counts: WaitingCounts
  /** the oldest unassigned open conversations (by last activity), up to `queueLimit` */
  queue: StoredConversation[]
  /** my open unread conversations, newest first */
  mineUnread: StoredConversation[]
}

export function isUnread(conversation: Pick<StoredConversation, 'unreadCount' | 'markedUnread'>): boolean {
  return conversation.unreadCount > 0 || conversation.markedUnread
}

/** Ids of open conversations, oldest activity first (keys only: cheap on 10,000 rows). */
function openIds(db: AppDB): Promise<string[]> {
  return db.conversations
    .where('[status+listAt]')
    .between(['open', Dexie.minKey], ['open', Dexie.maxKey])
    .primaryKeys() as Promise<string[]>
}

/** Ids of the unassigned open conversations, oldest first (null assignees are not in the index). */
export async function unassignedOpenIds(db: AppDB): Promise<string[]> {
  const [open, assigned] = await Promise.all([
    openIds(db),
    db.conversations.orderBy('assigneeId').primaryKeys() as Promise<string[]>,
  ])
  const taken = new Set(assigned)
  return open.filter(id => !taken.has(id))
}

/**
 * Everything the popup and the badge need in one read. `windowMinutes`: the horizon of
 * `closingSoon`. `queueLimit`/`mineLimit`: rows to load (0 for counts only).
 */
export async function readWaiting(db: AppDB, agentId: string, options: { now?: number, windowMinutes?: number, queueLimit?: number, mineLimit?: number } = {}): Promise<WaitingSnapshot> {
  const now = options.now ?? Date.now()
  const horizon = now + (options.windowMinutes ?? 60) * 60_000
  const [unassigned, mine, failedActions] = await Promise.all([
    unassignedOpenIds(db),
    db.conversations.where('assigneeId').equals(agentId).toArray(),
    db.outbox.where('state').equals('failed').count(),
  ])
  const mineIds = mine.map(conversation => conversation.id)
  const failedMessages = mineIds.length === 0
    ? 0
    : await db.messages.where('conversationId').anyOf(mineIds).filter(message => message.status === 'failed').count()
  const mineOpen = mine.filter(conversation => conversation.status === 'open')
  const mineUnread = mineOpen.filter(isUnread).sort((a, b) => (b.listAt ?? 0) - (a.listAt ?? 0))
  const closingSoon = mineOpen.filter(c => c.windowExpiresAt !== null && c.windowExpiresAt > now && c.windowExpiresAt <= horizon).length
  const queueIds = unassigned.slice(0, options.queueLimit ?? 0)
  const queue = queueIds.length === 0
    ? []
    : (await db.conversations.bulkGet(queueIds)).filter((c): c is StoredConversation => !!c)
  return {
    counts: {
      unassigned: unassigned.length,
      mineUnread: mineUnread.length,
      closingSoon,
      failed: failedActions + failedMessages,
    },
    queue,
    mineUnread: mineUnread.slice(0, options.mineLimit ?? 0),
  }
}

export const BADGE_COLORS = {
  /** something of mine waits */
  mine: '#008069',
  /** only unassigned chats wait */
  unassigned: '#b7791f',
  /** a window closes soon, or a send failed */
  alert: '#d1344b',
} as const

export interface BadgeState {
  text: string
  color: string
  /** what the badge shows: nothing, a count, or the alert */
  kind: 'none' | 'mine' | 'unassigned' | 'alert'
  /** the toolbar button's tooltip addition (empty when nothing waits) */
  title: string
}

export const EMPTY_BADGE: BadgeState = {
  text: '',
  color: BADGE_COLORS.mine,
  kind: 'none',
  title: '',
}

function countText(value: number): string {
  return value > 999
    ? '999+'
    : String(value)
}

/** The badge for these counts. Pure: the tests and the background share it. */
export function badgeFor(counts: WaitingCounts, prefs: Pick<CompanionPrefs['badge'], 'count'>, describe: (counts: WaitingCounts) => string = () => ''): BadgeState {
  const title = describe(counts)
  if (counts.closingSoon > 0 || counts.failed > 0) {
    return {
      text: '!',
      color: BADGE_COLORS.alert,
      kind: 'alert',
      title,
    }
  }
  const shown: Record<BadgeCount, number> = {
    unassigned: counts.unassigned,
    mine: counts.mineUnread,
    both: counts.unassigned + counts.mineUnread,
  }
  const value = shown[prefs.count]
  if (value === 0)
    return { ...EMPTY_BADGE, title }
  // Coloured by what waits: mine first (it is mine to answer), else the unassigned queue.
  const mineWaits = prefs.count !== 'unassigned' && counts.mineUnread > 0
  return {
    text: countText(value),
    color: mineWaits ? BADGE_COLORS.mine : BADGE_COLORS.unassigned,
    kind: mineWaits ? 'mine' : 'unassigned',
    title,
  }
}

/** The toolbar button's API: `action` (Chrome MV3), `browserAction` (Firefox MV2). */
function toolbarAction(): typeof browser.action {
  return browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction
}

/** Shows the state on the toolbar button (text, colour, tooltip). */
export async function showBadge(state: BadgeState, baseTitle: string): Promise<void> {
  const action = toolbarAction()
  await Promise.all([
    action.setBadgeText({ text: state.text }),
    action.setBadgeBackgroundColor({ color: state.color }),
    // Chrome 110+/Firefox: white text on every colour (the amber one would get black otherwise)
    action.setBadgeTextColor?.({ color: '#ffffff' }),
    action.setTitle({
      title: state.title
        ? `${baseTitle} — ${state.title}`
        : baseTitle,
    }),
  ])
}

// ---------------------------------------------------------------------------------------------
// The popup's data

/** One chat in the popup's lists. */
export interface PopupRow {
  id: string
  name: string
  preview: string
  unreadCount: number
  /** queue: when the customer started waiting; mine: the last activity */
  since: number
}

export interface PopupData {
  agentId: string
  counts: WaitingCounts
  queue: PopupRow[]
  mine: PopupRow[]
  agents: Agent[]
  availability: Availability | null
}

export const POPUP_LIST_LIMIT = 25

function toRow(conversation: StoredConversation, contacts: Map<string, Contact>, queue: boolean): PopupRow {
  const contact = contacts.get(conversation.contactId) ?? conversation.contact
  return {
    id: conversation.id,
    name: contact.name?.trim() || contact.profileName?.trim() || contact.phone || contact.waId || '?',
    preview: conversation.lastMessagePreview?.trim() ?? '',
    unreadCount: conversation.unreadCount,
    since: (queue && conversation.lastMessageDirection === 'in'
      ? conversation.lastInboundAt
      : null) ?? conversation.listAt ?? conversation.createdAt,
  }
}

/** The popup's data for `agentId`, in one read (the background keeps a copy for it: `popupSnapshotStorage`). */
export async function readPopupData(db: AppDB, agentId: string, now = Date.now()): Promise<PopupData> {
  const [waiting, agents] = await Promise.all([
    readWaiting(db, agentId, {
      now,
      windowMinutes: 60,
      queueLimit: POPUP_LIST_LIMIT,
      mineLimit: POPUP_LIST_LIMIT,
    }),
    db.agents.toArray(),
  ])
  const contactIds = [
    ...waiting.queue,
    ...waiting.mineUnread,
  ].map(c => c.contactId)
  const contacts = new Map((await db.contacts.bulkGet(contactIds)).filter((c): c is Contact => !!c).map(c => [c.id, c]))
  return {
    agentId,
    counts: waiting.counts,
    queue: waiting.queue.map(c => toRow(c, contacts, true)),
    mine: waiting.mineUnread.map(c => toRow(c, contacts, false)),
    agents: agents.filter(agent => agent.active).sort((a, b) => a.name.localeCompare(b.name)),
    availability: agents.find(agent => agent.id === agentId)?.availability ?? null,
  }
}

/**
 * The popup's data as the background last computed it (with the badge, whenever Dexie changes).
 * The popup paints from it at once, then follows Dexie itself: reading 10,000 chats from
 * IndexedDB in a freshly opened page takes longer than a popup may (bench/popup.ts).
 */
export const popupSnapshotStorage = storage.defineItem<PopupData | null>('session:popupSnapshot', {
  fallback: null,
})
