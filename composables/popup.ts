import type { Availability } from '~/protocol/team'
import type { PopupData } from '~/utils/badge'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'
import { browser } from 'wxt/browser'
import { createActions } from '~/utils/actions'
import { popupSnapshotStorage, readPopupData } from '~/utils/badge'
import { db } from '~/utils/db'
import { autoAwayStorage } from '~/utils/idle'
import { openPanel, showConversation } from '~/utils/panel'
import { authSessionStorage } from '~/utils/session'
import { useCurrentSession } from './conversation'

let prefetched: Promise<PopupData | null> | null = null

/** Starts reading the background's copy of the popup's data (call first thing in main.ts). */
export function prefetchPopupSnapshot(): void {
  prefetched ??= popupSnapshotStorage.getValue().catch(() => null)
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
  let generation = 0
  watch(agentId, (id) => {
    const current = ++generation
    subscription?.unsubscribe()
    subscription = null
    data.value = null
    if (!id)
      return
    const follow = () => {
      if (current !== generation)
        return
      subscription = liveQuery(() => readPopupData(db, id)).subscribe({
        next: (value) => {
          data.value = value
        },
        error: (error: unknown) => console.error('[wa-inbox] popup query failed', error),
      })
    }
    // The background's copy paints at once; Dexie's own answer (slower on 10,000 chats in a fresh
    // page) starts after that frame, and stays live.
    prefetchPopupSnapshot()
    void prefetched!.then((snapshot) => {
      if (current !== generation)
        return
      if (snapshot?.agentId !== id)
        return follow()
      data.value = snapshot
      requestAnimationFrame(() => setTimeout(follow, 0))
    })
  }, { immediate: true })
  onScopeDispose(() => {
    generation++
    subscription?.unsubscribe()
  })

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
