import type { LabelColor } from '~/protocol/contacts'
import type { ConversationStatus } from '~/protocol/conversations'
import type { Agent, Contact, Conversation, Label } from '~/utils/db'
import type { Session } from '~/utils/session'
import Dexie, { liveQuery } from 'dexie'
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { db } from '~/utils/db'
import { uiLocale } from '~/utils/page-document'
import { authSessionStorage } from '~/utils/session'
import { useOpenedConversations } from './opened'

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

interface ChatListData {
  /** false while only the first screen of the list is loaded */
  complete: boolean
  conversations: Conversation[]
  contacts: Map<string, Contact>
  labels: Map<string, Label>
  agents: Map<string, Agent>
}

/** Lowercase without diacritics: "Ștefan Ionuț" → "stefan ionut". */
export function normalizeText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim()
}

/** The name a contact is shown under: the team's name, then the WhatsApp profile name, then the phone. */
export function contactDisplayName(contact: Pick<Contact, 'name' | 'profileName' | 'phone' | 'waId'>): string {
  return contact.name?.trim() || contact.profileName?.trim() || contact.phone || contact.waId || '?'
}

/** Up to two initials ("Ana Maria Pop" → "AP"); a phone number gets none (the avatar shows "#"). */
export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter(word => /\p{L}/u.test(word))
  if (words.length === 0)
    return '#'
  const first = [...words[0]!][0] ?? ''
  const last = words.length > 1
    ? [
        ...words.at(-1)!,
      ][0] ?? ''
    : ''
  return (first + last).toUpperCase()
}

export function toChatListRow(conversation: Conversation, data: Omit<ChatListData, 'conversations' | 'complete'>): ChatListRow {
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

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
]

/**
 * A short relative time for a list row ("5m ago", "acum 5 min.", "yesterday"); null under a minute
 * or in the future (clock skew). Narrow where the locale's narrow form says "ago"; some do not
 * (Romanian's reads "-5 m"), and they get the short form.
 */
export function formatShortRelativeTime(timestamp: number, now: number, locale = uiLocale()): string | null {
  const elapsed = Math.min(0, timestamp - now)
  const style = new Intl.RelativeTimeFormat(locale, { style: 'narrow' }).format(-1, 'hour').startsWith('-')
    ? 'short'
    : 'narrow'
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(elapsed) >= size)
      return new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style }).format(Math.round(elapsed / size), unit)
  }
  return null
}

/**
 * The conversations of one status, newest activity first, straight from the `[status+listAt]`
 * index (chats without messages yet sort by when they were created).
 */
async function readChatList(status: ConversationStatus, limit?: number): Promise<ChatListData> {
  let query = db.conversations
    .where('[status+listAt]')
    .between([status, Dexie.minKey], [status, Dexie.maxKey])
    .reverse()
  if (limit !== undefined)
    query = query.limit(limit)
  const [conversations, labels, agents] = await Promise.all([
    query.toArray(),
    db.labels.toArray(),
    db.agents.toArray(),
  ])
  // The first screen needs only its own contacts; the whole list reads them all at once.
  const contacts = limit === undefined
    ? await db.contacts.toArray()
    : (await db.contacts.bulkGet([
        ...new Set(conversations.map(conversation => conversation.contactId)),
      ])).filter(contact => contact !== undefined)
  return {
    complete: limit === undefined || conversations.length < limit,
    conversations,
    contacts: new Map(contacts.map(contact => [contact.id, contact])),
    labels: new Map(labels.map(label => [label.id, label])),
    agents: new Map(agents.map(agent => [agent.id, agent])),
  }
}

const CLOCK_TICK_MS = 60_000

/** Rows read for the first paint, before the whole list: more than a tall window shows. */
const FIRST_SCREEN_ROWS = 40

/**
 * The side panel's chat list: the session (signed in or not), the open conversations observed in
 * Dexie with `liveQuery`, and the tab / search / unread filters applied in memory. Everything ends
 * with the calling scope.
 */
export function useChatList() {
  const session = shallowRef<Session | null>(null)
  const sessionLoaded = ref(false)
  const data = shallowRef<ChatListData | null>(null)
  const error = shallowRef<unknown>()
  const now = ref(Date.now())

  const tab = ref<ChatListTab>('all')
  const status = ref<ConversationStatus>('open')
  const labelId = ref<string | null>(null)
  const search = ref('')
  const unreadOnly = ref(false)
  const opened = useOpenedConversations()

  void authSessionStorage.getValue().then((value) => {
    if (!sessionLoaded.value)
      session.value = value
    sessionLoaded.value = true
  })
  const unwatch = authSessionStorage.watch((value) => {
    session.value = value
    sessionLoaded.value = true
  })

  // Two observers: the first screen of rows (a bounded index read: paints fast whatever the
  // size of the inbox), then the whole list (for scrolling, counts and search), which replaces it.
  let firstScreen: { unsubscribe: () => void } | null = null
  let whole: { unsubscribe: () => void } | null = null
  let wholeTimer: ReturnType<typeof setTimeout> | undefined
  function observe(query: () => Promise<ChatListData>, onData?: () => void) {
    return liveQuery(query).subscribe({
      next: (result) => {
        data.value = result
        now.value = Date.now()
        error.value = undefined
        onData?.()
      },
      error: (err: unknown) => {
        console.error('[wa-inbox] chat list query failed', err)
        error.value = err
      },
    })
  }
  function stop(): void {
    firstScreen?.unsubscribe()
    whole?.unsubscribe()
    clearTimeout(wholeTimer)
    wholeTimer = undefined
    firstScreen = whole = null
  }
  watch(status, (value) => {
    stop()
    data.value = null
    let wholeStarted = false
    const startWhole = (): void => {
      if (wholeStarted)
        return
      wholeStarted = true
      whole = observe(() => readChatList(value), () => {
        firstScreen?.unsubscribe()
        firstScreen = null
      })
    }
    firstScreen = observe(() => readChatList(value, FIRST_SCREEN_ROWS), () => {
      if (data.value?.complete) {
        startWhole()
        return
      }
      // after the first rows are painted
      wholeTimer ??= setTimeout(startWhole, 0)
    })
  }, { immediate: true })
  const clock = setInterval(() => {
    now.value = Date.now()
  }, CLOCK_TICK_MS)

  onScopeDispose(() => {
    unwatch()
    stop()
    clearInterval(clock)
  })

  const signedIn = computed(() => session.value !== null && !session.value.expired)
  const agentId = computed(() => session.value?.agent.id ?? null)

  const rows = computed<ChatListRow[]>(() => {
    const value = data.value
    return value
      ? value.conversations.map(conversation => toChatListRow(conversation, value))
      : []
  })

  const counts = computed<Record<ChatListTab, number>>(() => {
    const result = { all: 0, mine: 0, unassigned: 0 }
    for (const row of rows.value) {
      for (const name of CHAT_LIST_TABS) {
        if (matchesTab(row, name, agentId.value))
          result[name]++
      }
    }
    return result
  })

  /** Assigned to me, recently, and not opened by me since. */
  function isNewlyAssigned(row: ChatListRow): boolean {
    return row.assigneeId !== null && row.assigneeId === agentId.value && row.assignedAt !== null
      && now.value - row.assignedAt < NEWLY_ASSIGNED_MS && (opened.value[row.id] ?? 0) < row.assignedAt
  }

  const labels = computed(() => data.value
    ? [
        ...data.value.labels.values(),
      ].sort((a, b) => a.name.localeCompare(b.name))
    : [])

  // A label that no longer exists stops filtering.
  watch(labels, (list) => {
    if (labelId.value !== null && !list.some(label => label.id === labelId.value))
      labelId.value = null
  })

  const filtered = computed(() => {
    const matches = searchMatcher(search.value)
    const me = agentId.value
    const wanted = tab.value
    const label = labelId.value
    const unread = unreadOnly.value
    return rows.value.filter(row =>
      matchesTab(row, wanted, me)
      && (label === null || row.labels.some(item => item.id === label))
      && (!unread || row.unread)
      && (matches === null || matches(row)),
    )
  })
  return {
    session: computed(() => session.value),
    sessionLoaded: computed(() => sessionLoaded.value),
    signedIn,
    expired: computed(() => session.value?.expired === true),
    loading: computed(() => data.value === null && error.value === undefined),
    error: computed(() => error.value),
    now: computed(() => now.value),
    tab,
    status,
    labelId,
    labels,
    search,
    unreadOnly,
    counts,
    /** false while only the first screen is loaded (counts and search are not complete yet) */
    complete: computed(() => data.value?.complete ?? false),
    isNewlyAssigned,
    rows: filtered,
    total: computed(() => rows.value.length),
  }
}
