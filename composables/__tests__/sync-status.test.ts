import type { SyncStatus } from '~/utils/db'
import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { setMeta } from '~/utils/db/meta'
import { useSyncStatus } from '../sync-status'

function status(patch: Partial<SyncStatus>): SyncStatus {
  return {
    state: 'idle',
    lastSyncedAt: null,
    error: null,
    snapshot: null,
    live: 'closed',
    ...patch,
  }
}

describe('useSyncStatus', () => {
  it('follows meta.syncStatus as the background writes it', async () => {
    const scope = effectScope()
    const { status: current, summary } = scope.run(() => useSyncStatus())!
    await vi.waitFor(() => expect(summary.value.state).toBe('unknown'))

    await setMeta('syncStatus', status({
      state: 'syncing',
      snapshot: { applied: 40 },
    }))
    await vi.waitFor(() => expect(summary.value.text).toBe('connect_sync_syncingProgress 40'))

    await setMeta('syncStatus', status({ state: 'offline' }))
    await vi.waitFor(() => expect(summary.value.state).toBe('offline'))
    expect(current.value?.state).toBe('offline')

    scope.stop()
    await setMeta('syncStatus', status({
      state: 'error',
      error: { code: 'internal_error', message: '' },
    }))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(summary.value.state).toBe('offline')
  })
})
