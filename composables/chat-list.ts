import type { Ref } from 'vue'
import type { ChatListData, ChatListRow, ChatListTab } from '~/utils/chats/rows'
import type { AppDB } from '~/utils/db'
import { storeToRefs } from 'pinia'
import { computed, onScopeDispose, ref, watch } from 'vue'
import { useInboxStore } from '~/stores/inbox'
import { useSessionStore } from '~/stores/session'
import { readChatList } from '~/utils/chats/list-query'
import { CHAT_LIST_TABS, matchesTab, NEWLY_ASSIGNED_MS, searchMatcher, toChatListRow } from '~/utils/chats/rows'
import { db as defaultDb } from '~/utils/db'
import { useLiveQuery } from './live-query'
import { useOpenedConversations } from './opened'

const CLOCK_TICK_MS = 60_000

/** Rows read for the first paint, before the whole list: more than a tall window shows. */
const FIRST_SCREEN_ROWS = 40

/**
 * The conversations of the inbox store's status in Dexie, by two observers: the first screen of
 * rows (a bounded index read: paints fast whatever the size of the inbox), then the whole list
 * (for scrolling, counts and search), which replaces it.
 */
function useChatListData(db: AppDB) {
  const { status } = storeToRefs(useInboxStore())
  const firstFor = ref<typeof status.value | null>(status.value)
  const wholeFor = ref<typeof status.value | null>(null)
  const first = useLiveQuery(value => value
    ? readChatList(db, value, FIRST_SCREEN_ROWS)
    : null, null as ChatListData | null, { source: firstFor })
  const whole = useLiveQuery(value => value
    ? readChatList(db, value)
    : null, null as ChatListData | null, { source: wholeFor })
  let wholeTimer: ReturnType<typeof setTimeout> | undefined

  function startWhole(): void {
    clearTimeout(wholeTimer)
    wholeTimer = undefined
    wholeFor.value = status.value
  }
  watch(status, (value) => {
    clearTimeout(wholeTimer)
    wholeTimer = undefined
    wholeFor.value = null
    firstFor.value = value
  }, { flush: 'sync' })
  watch(first.data, (value) => {
    if (!value || value.status !== status.value || wholeFor.value === value.status)
      return
    if (value.complete)
      startWhole()
    else wholeTimer ??= setTimeout(startWhole, 0) // after the first rows are painted
  }, { flush: 'sync' })
  // The whole list replaces the first screen.
  watch(whole.data, (value) => {
    if (value && value.status === status.value)
      firstFor.value = null
  }, { flush: 'sync' })
  onScopeDispose(() => clearTimeout(wholeTimer))

  const data = computed(() => [whole.data.value, first.data.value]
    .find(value => value?.status === status.value) ?? null)
  const error = computed(() => whole.error.value ?? first.error.value)
  return { data, error }
}

/** The time the rows' "5m ago" is counted from: refreshed every minute and with every new result. */
function useListClock(data: Readonly<Ref<unknown>>) {
  const now = ref(Date.now())
  watch(data, () => {
    now.value = Date.now()
  }, { flush: 'sync' })
  const clock = setInterval(() => {
    now.value = Date.now()
  }, CLOCK_TICK_MS)
  onScopeDispose(() => clearInterval(clock))
  return computed(() => now.value)
}

/** How many rows each tab holds (before the label, unread and search filters). */
function useTabCounts(rows: Readonly<Ref<ChatListRow[]>>, agentId: Readonly<Ref<string | null>>) {
  return computed<Record<ChatListTab, number>>(() => {
    const result = { all: 0, mine: 0, unassigned: 0 }
    for (const row of rows.value) {
      for (const name of CHAT_LIST_TABS) {
        if (matchesTab(row, name, agentId.value))
          result[name]++
      }
    }
    return result
  })
}

/** The labels by name; a label that no longer exists stops filtering. */
function useChatLabels(data: Readonly<Ref<ChatListData | null>>, labelId: Ref<string | null>) {
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
  return labels
}

interface ChatListFilters {
  tab: Readonly<Ref<ChatListTab>>
  labelId: Readonly<Ref<string | null>>
  search: Readonly<Ref<string>>
  unreadOnly: Readonly<Ref<boolean>>
}

/** The rows the tab, label, unread and search filters keep. */
function useFilteredRows(rows: Readonly<Ref<ChatListRow[]>>, agentId: Readonly<Ref<string | null>>, filters: ChatListFilters) {
  return computed(() => {
    const matches = searchMatcher(filters.search.value)
    const me = agentId.value
    const wanted = filters.tab.value
    const label = filters.labelId.value
    const unread = filters.unreadOnly.value
    return rows.value.filter(row =>
      matchesTab(row, wanted, me)
      && (label === null || row.labels.some(item => item.id === label))
      && (!unread || row.unread)
      && (matches === null || matches(row)),
    )
  })
}

/**
 * The side panel's chat list: the session (signed in or not), the conversations observed in
 * Dexie, and the inbox store's tab / label / search / unread filters applied in memory.
 * Everything ends with the calling scope.
 */
export function useChatList(db: AppDB = defaultDb) {
  const sessionStore = useSessionStore()
  const inbox = useInboxStore()
  const { tab, status, labelId, search, unreadOnly } = storeToRefs(inbox)
  const opened = useOpenedConversations()
  const { data, error } = useChatListData(db)

  const now = useListClock(data)
  const session = computed(() => sessionStore.session)
  const agentId = computed(() => session.value?.agent.id ?? null)

  const rows = computed<ChatListRow[]>(() => {
    const value = data.value
    return value
      ? value.conversations.map(conversation => toChatListRow(conversation, value))
      : []
  })

  const counts = useTabCounts(rows, agentId)

  /** Assigned to me, recently, and not opened by me since. */
  function isNewlyAssigned(row: ChatListRow): boolean {
    return row.assigneeId !== null && row.assigneeId === agentId.value && row.assignedAt !== null
      && now.value - row.assignedAt < NEWLY_ASSIGNED_MS && (opened.value[row.id] ?? 0) < row.assignedAt
  }

  const labels = useChatLabels(data, labelId)

  const filtered = useFilteredRows(rows, agentId, { tab, labelId, search, unreadOnly })
  return {
    session,
    sessionLoaded: computed(() => sessionStore.loaded),
    signedIn: computed(() => session.value !== null && !session.value.expired),
    expired: computed(() => session.value?.expired === true),
    loading: computed(() => data.value === null && error.value === undefined),
    error,
    now,
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
