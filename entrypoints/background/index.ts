import { openSidePanelOnActionClick } from '~/utils/side-panel'

export default defineBackground({
  // Firefox MV2: an event page, unloaded when idle, like Chrome's MV3 service worker. Anything
  // that must outlive it goes to storage or IndexedDB, never into module variables.
  persistent: false,
  main() {
    console.info('[wa-inbox] background started', import.meta.env.BROWSER)
    openSidePanelOnActionClick()
    // TODO(sync engine issue): open the database and start the sync engine here (pull, push the
    // outbox, live socket, badge), as ARCHITECTURE.md section 3 describes.
  },
})
