/**
 * The popup's data, read in one go from Dexie (the background keeps a copy for it:
 * `popupSnapshotStorage`).
 */
import type { Agent, AppDB, Contact, StoredConversation } from '../db'
import type { WaitingCounts } from './waiting'
import type { Availability } from '~/protocol/team'
import { storage } from 'wxt/utils/storage'
import { readWaiting } from './waiting'

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
