/** The chat list's rows: built from Dexie's conversations, filtered by tab and search text. */
import type { LabelColor } from '~/protocol/contacts'
import type { ConversationStatus } from '~/protocol/conversations'
import type { Agent, Contact, Conversation, Label } from '~/utils/db'
import { contactDisplayName, initialsOf, normalizeText } from './text'

export type ChatListTab = 'all' | 'mine' | 'unassigned'

export const CHAT_LIST_TABS: readonly ChatListTab[] = ['all', 'mine', 'unassigned']

/** Which conversations the list shows: open ones (the inbox), snoozed or closed. */
export const CHAT_LIST_STATUSES: readonly ConversationStatus[] = ['open', 'snoozed', 'closed']

/** How long a chat assigned to me counts as "newly assigned" when I have not opened it since. */
export const NEWLY_ASSIGNED_MS = 24 * 3600_000

export interface ChatListLabel {
  id: string
  name: string
  color: LabelColor
}

/** One row of the side panel's chat list, ready to display. */
export interface ChatListRow {
  id: string
  displayName: string
  initials: string
  /** the last message's text; empty for a media message without caption */
  preview: string
  /** `lastMessageType` when the preview is empty (the row shows a label for it) */
  mediaType: string | null
  direction: Conversation['lastMessageDirection']
  lastMessageAt: number | null
  unreadCount: number
  unread: boolean
  assigneeId: string | null
  assigneeName: string | null
  /** when it was (last) assigned */
  assignedAt: number | null
  /** snoozed until (null: until the customer writes) */
  snoozedUntil: number | null
  status: ConversationStatus
  labels: ChatListLabel[]
  /** the contact has the AI Bot on and it has not handed this chat over */
  aiBotActive: boolean
  /** lowercased, accent-free name(s) for search */
  searchName: string
  /** the phone number's digits for search */
  searchPhone: string
}

export interface ChatListData {
  /** the status whose conversations these are */
  status: ConversationStatus
  /** false while only the first screen of the list is loaded */
  complete: boolean
  conversations: Conversation[]
  contacts: Map<string, Contact>
  labels: Map<string, Label>
  agents: Map<string, Agent>
}

export function toChatListRow(conversation: Conversation, data: Pick<ChatListData, 'contacts' | 'labels' | 'agents'>): ChatListRow {
  const contact = data.contacts.get(conversation.contactId) ?? conversation.contact
  const displayName = contactDisplayName(contact)
  const preview = conversation.lastMessagePreview?.trim() ?? ''
  const assignee = conversation.assigneeId
    ? data.agents.get(conversation.assigneeId)
    : undefined
  return {
    id: conversation.id,
    displayName,
    initials: initialsOf(displayName),
    preview,
    mediaType: preview ? null : conversation.lastMessageType,
    direction: conversation.lastMessageDirection,
    lastMessageAt: conversation.lastMessageAt,
    unreadCount: conversation.unreadCount,
    unread: conversation.unreadCount > 0 || conversation.markedUnread,
    assigneeId: conversation.assigneeId,
    assigneeName: assignee?.name ?? null,
    assignedAt: conversation.assignedAt,
    snoozedUntil: conversation.snoozedUntil,
    status: conversation.status,
    labels: contact.labelIds.flatMap((id) => {
      const label = data.labels.get(id)
      return label
        ? [
            { id: label.id, name: label.name, color: label.color },
          ]
        : []
    }),
    aiBotActive: contact.aiBot && !conversation.botHandover,
    searchName: normalizeText([contact.name, contact.profileName].filter(Boolean).join(' ')),
    searchPhone: (contact.phone ?? contact.waId ?? '').replace(/\D/g, ''),
  }
}

/**
 * Compiles the search box's text once into a row test: name words (accents ignored) or, for
 * digits, the phone number. Called once per keystroke, not once per row.
 */
export function searchMatcher(query: string): ((row: ChatListRow) => boolean) | null {
  const text = normalizeText(query)
  if (!text)
    return null
  const digits = /^[\d\s()+\-.]+$/.test(text)
    ? text.replace(/\D/g, '')
    : ''
  // A national number ("0722 …") also finds the international one ("+40 722 …").
  const national = digits.replace(/^0+/, '')
  return row => row.searchName.includes(text)
    || (digits.length > 0 && (row.searchPhone.includes(digits) || (national.length > 0 && row.searchPhone.includes(national))))
}

/** Does the row match the search box? (see `searchMatcher`) */
export function matchesSearch(row: ChatListRow, query: string): boolean {
  return searchMatcher(query)?.(row) ?? true
}

export function matchesTab(row: ChatListRow, tab: ChatListTab, agentId: string | null): boolean {
  switch (tab) {
    case 'mine':
      return agentId !== null && row.assigneeId === agentId
    case 'unassigned':
      return row.assigneeId === null
    default:
      return true
  }
}
