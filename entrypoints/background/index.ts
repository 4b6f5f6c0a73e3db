import type { BadgeState } from '~/utils/badge'
import type { CompanionContext } from '~/utils/commands'
import type { CompanionEvent } from '~/utils/notifications'
import type { LiveSocketConstructor } from '~/utils/sync/engine'
import { liveQuery } from 'dexie'
import { browser } from 'wxt/browser'
import { storage } from 'wxt/utils/storage'
import { i18n } from '#i18n'
import { createActions } from '~/utils/actions'
import { badgeFor, EMPTY_BADGE, popupSnapshotStorage, readPopupData, readWaiting, showBadge, unassignedOpenIds } from '~/utils/badge'
import { handleCommand, handleNotificationButton, handleNotificationClicked } from '~/utils/commands'
import { getCompanionPrefs, watchCompanionPrefs } from '~/utils/companion-prefs'
import { setupContextMenus } from '~/utils/context-menu'
import { db } from '~/utils/db'
import { applyIdleState, setIdleMinutes, watchIdle } from '~/utils/idle'
import { applyLanguageChoice } from '~/utils/language'
import { diffPage, eventsToShow, overdueWaiting, pageIds, readPageState, showNotification, viewedConversations, waitingEvent } from '~/utils/notifications'
import { authSessionStorage, markSessionExpired } from '~/utils/session'
import { openSidePanelOnActionClick } from '~/utils/side-panel'
import { isSyncRequest } from '~/utils/sync/request'
import { createSyncRunner } from '~/utils/sync/runner'

const KEEP_ALIVE_ALARM = 'wa-inbox:keep-alive'

/** Unassigned chats already notified as waiting: conversation id → the wait (its start). */
const notifiedWaitingStorage = storage.defineItem<Record<string, number>>('local:notifiedWaiting', {
  fallback: {},
})

export default defineBackground({
  // Firefox MV2: an event page, unloaded when idle, like Chrome's MV3 service worker. Anything
  // that must outlive it goes to storage or IndexedDB, never into module variables.
  persistent: false,
  main() {
    console.info('[wa-inbox] background started', import.meta.env.BROWSER)
    // With the popup, the toolbar button opens it (Chrome ignores this behaviour while a popup
    // is set; Firefox fires no onClicked): the panel opens from the popup and the commands.
    openSidePanelOnActionClick()
    setupContextMenus()
    // Notification text in the agent's chosen language.
    const language = applyLanguageChoice().catch(() => 'en')

    const agentId = async () => {
      const session = await authSessionStorage.getValue()
      return session && !session.expired
        ? session.agent.id
        : null
    }
    // The sync engine runs while there is a valid session (ARCHITECTURE.md section 3). The live
    // socket's server pings every 20 s also keep Chrome's MV3 service worker from being stopped.
    // Each pulled page is diffed (before/after) for notifications, except a snapshot's pages.
    const runner = createSyncRunner({
      db,
      sessions: {
        get: () => authSessionStorage.getValue(),
        watch: listener => authSessionStorage.watch(listener),
      },
      WebSocket: globalThis.WebSocket as unknown as LiveSocketConstructor,
      onExpired: markSessionExpired,
      observePage: async (page) => {
        if (page.snapshot || page.reset)
          return () => refreshBadge()
        const id = await agentId()
        if (!id)
          return
        const ids = pageIds(page)
        const before = await readPageState(db, ids)
        return async () => {
          void refreshBadge()
          const after = await readPageState(db, ids)
          await notify(diffPage(before, after, id))
          await checkWaiting()
        }
      },
    })
    const started = runner.start()

    // Actions taken here (a notification's "Assign to me", a command) are pushed at once.
    const kick = () => void started.then(() => runner.kick())
    const actionsFor = (id: string) => createActions({ agentId: id, notify: kick })

    // ---- badge: recomputed from Dexie whenever what it counts changes, on each sync page, on
    // the alarm (windows closing is a matter of time) and at every start of the background.
    let badgeSubscription: { unsubscribe: () => void } | null = null
    let lastBadge: BadgeState | null = null
    const describe = (counts: Parameters<typeof badgeFor>[0]) => {
      const parts: string[] = []
      if (counts.unassigned) {
        parts.push(i18n.t('companion.badge.unassigned', [
          String(counts.unassigned),
        ]))
      }
      if (counts.mineUnread) {
        parts.push(i18n.t('companion.badge.mineUnread', [
          String(counts.mineUnread),
        ]))
      }
      if (counts.closingSoon) {
        parts.push(i18n.t('companion.badge.closingSoon', [
          String(counts.closingSoon),
        ]))
      }
      if (counts.failed) {
        parts.push(i18n.t('companion.badge.failed', [
          String(counts.failed),
        ]))
      }
      return parts.join(' · ')
    }
    const applyBadge = async (state: BadgeState) => {
      lastBadge = state
      await language
      await showBadge(state, i18n.t('extension.actionTitle')).catch(error => console.error('[wa-inbox] badge failed', error))
    }
    async function watchBadge(): Promise<void> {
      badgeSubscription?.unsubscribe()
      badgeSubscription = null
      const [id, prefs] = await Promise.all([
        agentId(),
        getCompanionPrefs(),
      ])
      if (!id) {
        await applyBadge(EMPTY_BADGE)
        return
      }
      // The popup's data comes along (it paints from this copy: popupSnapshotStorage).
      badgeSubscription = liveQuery(() => Promise.all([
        readWaiting(db, id, { windowMinutes: prefs.badge.windowMinutes }),
        readPopupData(db, id),
      ])).subscribe({
        next: ([snapshot, popup]) => {
          void applyBadge(badgeFor(snapshot.counts, prefs.badge, describe))
          void popupSnapshotStorage.setValue(popup).catch(() => {})
        },
        error: error => console.error('[wa-inbox] badge query failed', error),
      })
    }
    async function refreshBadge(): Promise<BadgeState> {
      const [id, prefs] = await Promise.all([
        agentId(),
        getCompanionPrefs(),
      ])
      const state = id
        ? badgeFor((await readWaiting(db, id, { windowMinutes: prefs.badge.windowMinutes })).counts, prefs.badge, describe)
        : EMPTY_BADGE
      await applyBadge(state)
      return state
    }
    void watchBadge()

    // ---- notifications
    /** ids of the last notifications created (Firefox headless keeps none on screen: the e2e test reads these) */
    let created: string[] = []
    async function notify(events: CompanionEvent[]): Promise<CompanionEvent[]> {
      if (events.length === 0)
        return []
      const prefs = (await getCompanionPrefs()).notifications
      const shown = eventsToShow(events, prefs, {
        now: new Date(),
        viewed: await viewedConversations(),
      })
      await language
      for (const event of shown) {
        const id = await showNotification(event, prefs).catch(error => console.error('[wa-inbox] notification failed', error))
        if (id) {
          created = [
            ...created.slice(-49),
            id,
          ]
        }
      }
      return shown
    }

    async function checkWaiting(): Promise<CompanionEvent[]> {
      const id = await agentId()
      if (!id)
        return []
      const prefs = (await getCompanionPrefs()).notifications
      const now = Date.now()
      const ids = await unassignedOpenIds(db)
      const conversations = (await db.conversations.bulkGet(ids)).filter(c => !!c)
      const notified = await notifiedWaitingStorage.getValue()
      const overdue = overdueWaiting(conversations, prefs.waitingMinutes, notified, now)
      const event = waitingEvent(overdue)
      if (!event)
        return []
      // Remembered even when not shown (quiet hours, turned off): a wait notifies once, or never.
      const next: Record<string, number> = {}
      for (const [conversationId, since] of Object.entries(notified)) {
        if (now - since < 24 * 3600_000)
          next[conversationId] = since
      }
      for (const { conversation, since } of overdue)
        next[conversation.id] = since
      await notifiedWaitingStorage.setValue(next)
      return await notify([event])
    }

    // A send the server refused: the outbox row turns `failed` (the first answer is the baseline).
    let failedSeqs: Set<number> | null = null
    liveQuery(() => db.outbox.where('state').equals('failed').toArray()).subscribe({
      next: (rows) => {
        const known = failedSeqs
        failedSeqs = new Set(rows.map(row => row.seq))
        if (!known)
          return
        const events = rows.filter(row => !known.has(row.seq)).map((row): CompanionEvent => ({
          kind: 'failed',
          conversationId: (row.args as { conversationId?: string }).conversationId ?? null,
          text: row.error?.message,
        }))
        void notify(events)
      },
      error: error => console.error('[wa-inbox] outbox query failed', error),
    })

    // Pages queue actions in the outbox and ask for a push; the message also wakes a stopped
    // service worker / event page, which then starts the engine from the stored session.
    // Chrome stops an idle MV3 service worker (and Firefox unloads the event page). The live
    // socket's traffic keeps it alive while connected; when it was stopped anyway (offline, the
    // browser's own limits), this alarm wakes it within a minute: main() runs again, the engine
    // starts from the stored session and cursor, and pulls and pushes what it missed.
    void browser.alarms.create(KEEP_ALIVE_ALARM, { periodInMinutes: 1 })
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name !== KEEP_ALIVE_ALARM)
        return
      void started.then(() => runner.kick())
      void refreshBadge()
      void checkWaiting()
    })
    browser.runtime.onMessage.addListener((message: unknown) => {
      if (isSyncRequest(message))
        void started.then(() => runner.kick())
      return undefined
    })
    authSessionStorage.watch(() => void watchBadge())

    // ---- commands and notification clicks: the panel opens in the gesture (utils/commands.ts)
    let focusedWindowId: number | undefined
    void browser.windows?.getLastFocused().then((win) => {
      focusedWindowId ??= win.id
    }).catch(() => {})
    browser.windows?.onFocusChanged.addListener((windowId) => {
      if (windowId !== browser.windows.WINDOW_ID_NONE)
        focusedWindowId = windowId
    })
    const companion: CompanionContext = {
      db,
      agentId,
      actions: actionsFor,
      windowId: () => focusedWindowId,
    }
    browser.commands?.onCommand.addListener((command, tab) => {
      handleCommand(command, tab, companion).catch(error => console.error('[wa-inbox] command failed', error))
    })
    browser.notifications?.onClicked.addListener((id) => {
      handleNotificationClicked(id, companion).catch(error => console.error('[wa-inbox] notification click failed', error))
    })
    browser.notifications?.onButtonClicked?.addListener((id, index) => {
      handleNotificationButton(id, index, companion).catch(error => console.error('[wa-inbox] notification button failed', error))
    })

    // ---- availability follows the computer
    const idleOptions = {
      enabled: async () => (await getCompanionPrefs()).idle.enabled,
      current: async () => {
        const id = await agentId()
        if (!id)
          return null
        return (await db.agents.get(id))?.availability ?? (await authSessionStorage.getValue())?.agent.availability ?? null
      },
      setAvailability: async (availability: Parameters<ReturnType<typeof actionsFor>['setAvailability']>[0]) => {
        const id = await agentId()
        if (id)
          await actionsFor(id).setAvailability(availability)
      },
    }
    watchIdle(idleOptions)
    void getCompanionPrefs().then(prefs => setIdleMinutes(prefs.idle.minutes))
    watchCompanionPrefs((prefs) => {
      setIdleMinutes(prefs.idle.minutes)
      void watchBadge()
    })

    // The e2e tests reach the handlers here: no browser lets a test press a command's keys or a
    // notification's button (e2e/companion.test.ts).
    ;(globalThis as { __waInboxTest?: unknown }).__waInboxTest = {
      command: (command: string) => handleCommand(command, undefined, companion),
      notificationClicked: (id: string) => handleNotificationClicked(id, companion),
      notificationButton: (id: string, index: number) => handleNotificationButton(id, index, companion),
      idle: (state: 'active' | 'idle' | 'locked') => applyIdleState(state, idleOptions),
      badge: () => lastBadge,
      notifications: () => created,
      refreshBadge,
      checkWaiting,
    }
  },
})
