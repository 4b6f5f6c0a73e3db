import type { LiveSocketConstructor } from '~/utils/sync/engine'
import { browser } from 'wxt/browser'
import { db } from '~/utils/db'
import { authSessionStorage, markSessionExpired } from '~/utils/session'
import { openSidePanelOnActionClick } from '~/utils/side-panel'
import { isSyncRequest } from '~/utils/sync/request'
import { createSyncRunner } from '~/utils/sync/runner'

const KEEP_ALIVE_ALARM = 'wa-inbox:keep-alive'

export default defineBackground({
  // Firefox MV2: an event page, unloaded when idle, like Chrome's MV3 service worker. Anything
  // that must outlive it goes to storage or IndexedDB, never into module variables.
  persistent: false,
  main() {
    console.info('[wa-inbox] background started', import.meta.env.BROWSER)
    openSidePanelOnActionClick()
    // The sync engine runs while there is a valid session (ARCHITECTURE.md section 3). The live
    // socket's server pings every 20 s also keep Chrome's MV3 service worker from being stopped.
    const runner = createSyncRunner({
      db,
      sessions: {
        get: () => authSessionStorage.getValue(),
        watch: listener => authSessionStorage.watch(listener),
      },
      WebSocket: globalThis.WebSocket as unknown as LiveSocketConstructor,
      onExpired: markSessionExpired,
    })
    const started = runner.start()
    // Pages queue actions in the outbox and ask for a push; the message also wakes a stopped
    // service worker / event page, which then starts the engine from the stored session.
    // Chrome stops an idle MV3 service worker (and Firefox unloads the event page). The live
    // socket's traffic keeps it alive while connected; when it was stopped anyway (offline, the
    // browser's own limits), this alarm wakes it within a minute: main() runs again, the engine
    // starts from the stored session and cursor, and pulls and pushes what it missed.
    void browser.alarms.create(KEEP_ALIVE_ALARM, { periodInMinutes: 1 })
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === KEEP_ALIVE_ALARM)
        void started.then(() => runner.kick())
    })
    browser.runtime.onMessage.addListener((message: unknown) => {
      if (isSyncRequest(message))
        void started.then(() => runner.kick())
      return undefined
    })
  },
})
