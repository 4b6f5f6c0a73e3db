import type { Ref } from 'vue'
import type { Availability } from '~/protocol/team'
import type { PopupData } from '~/utils/badge'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'
import { browser } from 'wxt/browser'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { readPopupData } from '~/utils/badge'
import { db } from '~/utils/db'
import { autoAwayStorage } from '~/utils/idle'
import { openPanel, showConversation } from '~/utils/panel'
import { prefetchedPopupSnapshot } from '~/utils/popup/snapshot'
import { useLiveQuery } from './live-query'

/**
 * The popup's counts and lists for the agent: the background's copy at once, then Dexie's own
 * answer (slower on 10,000 chats in a fresh page), live.
 */
function usePopupData(agentId: Readonly<Ref<string | null>>) {
  /** the background's copy, shown until Dexie's own answer */
  const snapshot = shallowRef<PopupData | null>(null)
  /** the agent whose data Dexie is asked for (after the first paint) */
  const followId = shallowRef<string | null>(null)
  const live = useLiveQuery(id => id
    ? readPopupData(db, id)
    : null, null as PopupData | null, {
    source: followId,
    keepPrevious: true,
  })

  let generation = 0
  watch(agentId, (id) => {
    const current = ++generation
    followId.value = null
    snapshot.value = null
    if (!id)
      return
    const follow = () => {
      if (current === generation)
        followId.value = id
    }
    // The background's copy paints at once; Dexie's own answer (slower on 10,000 chats in a fresh
    // page) starts after that frame, and stays live.
    void prefetchedPopupSnapshot().then((snapshotValue) => {
      if (current !== generation)
        return
      if (snapshotValue?.agentId !== id)
        return follow()
      snapshot.value = snapshotValue
      requestAnimationFrame(() => setTimeout(follow, 0))
    })
  }, { immediate: true })
  onScopeDispose(() => {
    generation++
  })
  const data = computed(() => followId.value && live.loaded.value && live.data.value
    ? live.data.value
    : snapshot.value)
  return data
}

/**
 * The popup (quick assignment): counts, the unassigned queue, my unread chats and my
 * availability, live from Dexie; and what the popup can do about them.
 */
export function usePopup() {
  const sessionStore = useSessionStore()
  const agentId = computed(() => sessionStore.agentId)
  const data = usePopupData(agentId)

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
    session: computed(() => sessionStore.session),
    agentId,
    data,
    /** the stored session has been read (the signed-out state shows only then) */
    ready: computed(() => sessionStore.loaded),
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
