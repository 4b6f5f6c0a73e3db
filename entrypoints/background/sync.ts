/**
 * The sync engine runs while there is a valid session (docs/sync.md, utils/sync/).
 * The live socket's server pings every 20 s also keep Chrome's MV3 service worker from being
 * stopped. Each pulled page is diffed (before/after) for notifications, except a snapshot's pages.
 */
import type { BackgroundBadge } from './badge'
import type { Notifier } from './notifications'
import type { AppDB } from '~/utils/db'
import type { LiveSocketConstructor, PageObserver } from '~/utils/sync/engine'
import { browser } from 'wxt/browser'
import { diffPage, pageIds, readPageState } from '~/utils/notifications'
import { authSessionStorage, markSessionExpired } from '~/utils/session'
import { createSyncRunner } from '~/utils/sync/runner'

const KEEP_ALIVE_ALARM = 'wa-inbox:keep-alive'

export interface BackgroundSyncDeps {
  db: AppDB
  agentId: () => Promise<string | null>
  badge: BackgroundBadge
  notifier: Notifier
}

export interface BackgroundSync {
  /** push what pages queued, then pull (once the engine of the stored session started) */
  kick: () => void
}

export function startSync(deps: BackgroundSyncDeps): BackgroundSync {
  const runner = createSyncRunner({
    db: deps.db,
    sessions: {
      get: () => authSessionStorage.getValue(),
      watch: listener => authSessionStorage.watch(listener),
    },
    WebSocket: globalThis.WebSocket as unknown as LiveSocketConstructor,
    onExpired: markSessionExpired,
    observePage: notifyingObserver(deps),
  })
  const started = runner.start()
  const kick = () => void started.then(() => runner.kick())

  // Chrome stops an idle MV3 service worker (and Firefox unloads the event page). The live
  // socket's traffic keeps it alive while connected; when it was stopped anyway (offline, the
  // browser's own limits), this alarm wakes it within a minute: main() runs again, the engine
  // starts from the stored session and cursor, and pulls and pushes what it missed.
  void browser.alarms.create(KEEP_ALIVE_ALARM, { periodInMinutes: 1 })
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== KEEP_ALIVE_ALARM)
      return
    kick()
    void deps.badge.refresh()
    void deps.notifier.checkWaiting()
  })
  return { kick }
}

/** Reads what a page touches before it is applied, and notifies what changed for me after. */
function notifyingObserver({ db, agentId, badge, notifier }: BackgroundSyncDeps): PageObserver {
  return async (page) => {
    if (page.snapshot || page.reset)
      return () => badge.refresh()
    const id = await agentId()
    if (!id)
      return
    const ids = pageIds(page)
    const before = await readPageState(db, ids)
    return async () => {
      void badge.refresh()
      const after = await readPageState(db, ids)
      await notifier.notify(diffPage(before, after, id))
      await notifier.checkWaiting()
    }
  }
}
