import type { Availability } from '~/protocol/team'
import type { AppDB } from '~/utils/db'
/** Availability follows the computer (utils/idle.ts): away while it is idle or locked. */
import type { IdleState, IdleWatcherOptions } from '~/utils/idle'
import { browser } from 'wxt/browser'
import { getBackgroundPrefs, watchBackgroundPrefs } from '~/utils/background-prefs'
import { applyIdleState, setIdleMinutes } from '~/utils/idle'
import { authSessionStorage } from '~/utils/session'

export interface IdleDeps {
  db: AppDB
  agentId: () => Promise<string | null>
  setAvailability: (agentId: string, availability: Availability) => Promise<unknown>
}

/**
 * Listens for idle changes and keeps the threshold in line with the agent's setting. Called
 * synchronously from main(), so the listener is registered again each time the service worker /
 * event page wakes up. Answers the options (the e2e test applies states through them).
 */
export function setupIdle(deps: IdleDeps): IdleWatcherOptions {
  const options: IdleWatcherOptions = {
    enabled: async () => (await getBackgroundPrefs()).idle.enabled,
    current: async () => {
      const id = await deps.agentId()
      if (!id)
        return null
      return (await deps.db.agents.get(id))?.availability ?? (await authSessionStorage.getValue())?.agent.availability ?? null
    },
    setAvailability: async (availability) => {
      const id = await deps.agentId()
      if (id)
        await deps.setAvailability(id, availability)
    },
  }
  browser.idle?.onStateChanged.addListener((state) => {
    applyIdleState(state as IdleState, options).catch(error => console.error('[wa-inbox] idle availability failed', error))
  })
  void getBackgroundPrefs().then(prefs => setIdleMinutes(prefs.idle.minutes))
  watchBackgroundPrefs(prefs => setIdleMinutes(prefs.idle.minutes))
  return options
}
