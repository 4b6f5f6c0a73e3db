import type { ServerHealth } from '~/utils/api/health'
import { onScopeDispose, readonly, shallowRef } from 'vue'
import { fetchServerHealth } from '~/utils/api/health'
import { setMeta } from '~/utils/db/meta'
import { serverUrlStorage } from '~/utils/storage'

export type ServerHealthState
  = | { status: 'checking' }
    | { status: 'connected', db: ServerHealth['db'] }
    | { status: 'unreachable' }

/**
 * Live health of the configured server: checks at once, again whenever the server URL
 * changes (options page) and when `check()` is called. A slow answer for an old URL never
 * overwrites the state of a newer check.
 */
export function useServerHealth() {
  const state = shallowRef<ServerHealthState>({ status: 'checking' })
  let latestCheck = 0

  async function check(): Promise<void> {
    const thisCheck = ++latestCheck
    state.value = { status: 'checking' }
    const serverUrl = await serverUrlStorage.getValue()
    let health: ServerHealth
    try {
      health = await fetchServerHealth(serverUrl)
    }
    catch {
      if (thisCheck === latestCheck)
        state.value = { status: 'unreachable' }
      return
    }
    if (thisCheck !== latestCheck)
      return
    state.value = { status: 'connected', db: health.db }
    await setMeta('lastHealthCheck', {
      serverUrl,
      db: health.db,
      checkedAt: Date.now(),
    })
  }

  function checkAndReport(): void {
    check().catch((error: unknown) => console.error('[wa-inbox] health check failed', error))
  }

  onScopeDispose(serverUrlStorage.watch(checkAndReport))
  checkAndReport()

  return {
    state: readonly(state),
    check: checkAndReport,
  }
}
