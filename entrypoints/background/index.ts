import { createActions } from '~/utils/actions'
import { db } from '~/utils/db'
import { applyLanguageChoice } from '~/utils/language'
import { signedInAgentId } from './agent'
import { setupBadge } from './badge'
import { setupCommands } from './commands'
import { setupContextMenus } from './context-menu'
import { setupIdle } from './idle'
import { registerMessageHandlers } from './messaging'
import { setupNotifications } from './notifications'
import { openSidePanelOnActionClick } from './side-panel'
import { startSync } from './sync'
import { installTestHooks } from './test-hooks'

export default defineBackground({
  // Firefox MV2: an event page, unloaded when idle, like Chrome's MV3 service worker. Anything
  // that must outlive it goes to storage or IndexedDB, never into module variables. Every
  // listener is registered synchronously, in main(), so a wake-up event finds it.
  persistent: false,
  main() {
    console.info('[wa-inbox] background started', import.meta.env.BROWSER)
    // With the popup, the toolbar button opens it (Chrome ignores this behaviour while a popup
    // is set; Firefox fires no onClicked): the panel opens from the popup and the commands.
    openSidePanelOnActionClick()
    setupContextMenus()
    // Notification text in the agent's chosen language.
    const language = applyLanguageChoice().catch(() => 'en')
    const agentId = signedInAgentId

    const badge = setupBadge({ db, agentId, language })
    const notifier = setupNotifications({ db, agentId, language })
    const { kick } = startSync({ db, agentId, badge, notifier })
    registerMessageHandlers({ kick })

    // Actions taken here (a notification's "Assign to me", a command, going away) are pushed at once.
    const actionsFor = (id: string) => createActions({ agentId: id, notify: kick })
    const commands = setupCommands({ db, agentId, actions: actionsFor })
    const idle = setupIdle({
      db,
      agentId,
      setAvailability: (id, availability) => actionsFor(id).setAvailability(availability),
    })

    // The test build only (wxt.config.ts): the shipped one has no hooks, nor this module.
    if (import.meta.env.WA_TEST_HOOKS)
      installTestHooks({ commands, idle, badge, notifier })
  },
})
