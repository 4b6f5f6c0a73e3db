import type { Availability } from '~/protocol/team'
import type { WaitingCounts } from '~/utils/badge'
import type { Agent, Contact, StoredConversation } from '~/utils/db'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'
import { browser } from 'wxt/browser'
import { createActions } from '~/utils/actions'
import { readWaiting } from '~/utils/badge'
import { openPanel, showConversation } from '~/utils/commands'
import { db } from '~/utils/db'
import { autoAwayStorage } from '~/utils/idle'
import { authSessionStorage } from '~/utils/session'
import { contactDisplayName } from './chat-list'
import { useCurrentSession } from './conversation'

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
    name: contactDisplayName(contact),
    preview: conversation.lastMessagePreview?.trim() ?? '',
    unreadCount: conversation.unreadCount,
    since: (queue && conversation.lastMessageDirection === 'in'
      ? conversation.lastInboundAt
      : null) ?? conversation.listAt ?? conversation.createdAt,
  }
}

/** The popup's data for `agentId`, read in one go from Dexie (also used by its tests). */
export async function readPopupData(agentId: string, now = Date.now()): Promise<PopupData> {
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
    counts: waiting.counts,
    queue: waiting.queue.map(c => toRow(c, contacts, true)),
    mine: waiting.mineUnread.map(c => toRow(c, contacts, false)),
    agents: agents.filter(agent => agent.active).sort((a, b) => a.name.localeCompare(b.name)),
    availability: agents.find(agent => agent.id === agentId)?.availability ?? null,
  }
}

/**
 * The popup (quick assignment): counts, the unassigned queue, my unread chats and my
 * availability, live from Dexie; and what the popup can do about them.
 */
export function usePopup() {
  const session = useCurrentSession()
  const agentId = computed(() => session.value && !session.value.expired
    ? session.value.agent.id
    : null)
  const data = shallowRef<PopupData | null>(null)
  /** the stored session has been read (the signed-out state shows only then) */
  const ready = shallowRef(false)
  void authSessionStorage.getValue().finally(() => {
    ready.value = true
  })

  let subscription: { unsubscribe: () => void } | null = null
  watch(agentId, (id) => {
    subscription?.unsubscribe()
    subscription = null
    data.value = null
    if (!id)
      return
    subscription = liveQuery(() => readPopupData(id)).subscribe({
      next: (value) => {
        data.value = value
      },
      error: (error: unknown) => console.error('[wa-inbox] popup query failed', error),
    })
  }, { immediate: true })
  onScopeDispose(() => subscription?.unsubscribe())

  const actions = computed(() => agentId.value
    ? createActions({ agentId: agentId.value })
    : null)

  // The window the popup belongs to, known before any click (sidePanel.open must be called in
  // the click itself, without waiting for anything).
  let windowId: number | undefined
  void browser.windows?.getCurrent().then((win) => {
    windowId = win.id
  }).catch(() => {})

  /** Closes the popup (not the page when popup.html is opened as a tab). */
  function closePopup(): void {
    try {
      if (browser.extension?.getViews?.({ type: 'popup' }).includes(window))
        window.close()
    }
    catch {} // no such API here: leave the page open
  }

  return {
    session,
    agentId,
    data,
    ready,
    async assign(conversationId: string, assigneeId: string): Promise<void> {
      await actions.value?.assign(conversationId, assigneeId)
    },
    async setAvailability(availability: Availability): Promise<void> {
      // The agent chose: the idle watcher must not undo it (utils/idle.ts).
      await autoAwayStorage.setValue(false)
      await actions.value?.setAvailability(availability)
    },
    /** Opens the side panel (on `conversationId`). Call from the click/keydown handler itself. */
    openInPanel(conversationId: string | null): Promise<void> {
      const opening = openPanel(windowId)
      return showConversation(conversationId, opening, windowId).then(closePopup)
    },
    openOptions(): void {
      void browser.runtime.openOptionsPage()
    },
  }
}
