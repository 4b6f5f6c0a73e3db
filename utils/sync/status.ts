/**
 * The sync engine's status: kept in memory for its listeners and written to Dexie's `meta` table,
 * where pages observe it like everything else.
 */
import type { AppDB, SyncStatus } from '../db'
import { isApiError } from '../api/client'

export interface StatusStore {
  readonly current: SyncStatus
  set: (patch: Partial<SyncStatus>) => void
  /** listens for status changes; answers the unsubscribe function */
  subscribe: (listener: (status: SyncStatus) => void) => () => void
  /** the status after `error` stopped a pull or a push: offline, unauthorized or error */
  failed: (error: unknown) => void
}

export function createStatusStore(db: AppDB): StatusStore {
  let status: SyncStatus = {
    state: 'idle',
    lastSyncedAt: null,
    error: null,
    snapshot: null,
    live: 'closed',
  }
  const listeners = new Set<(status: SyncStatus) => void>()

  function set(patch: Partial<SyncStatus>): void {
    status = {
      ...status,
      ...patch,
    }
    for (const listener of listeners)
      listener(status)
    db.meta.put({ key: 'syncStatus', value: status }).catch(() => {})
  }

  return {
    get current() {
      return status
    },
    set,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    failed: error => set(failedStatus(error)),
  }
}

function failedStatus(error: unknown): Partial<SyncStatus> {
  if (isApiError(error, 'offline')) {
    return {
      state: 'offline',
      error: { code: 'offline', message: error.message },
      snapshot: null,
    }
  }
  if (isApiError(error, 'unauthorized')) {
    return {
      state: 'unauthorized',
      error: { code: 'unauthorized', message: error.message },
      snapshot: null,
    }
  }
  return {
    state: 'error',
    error: {
      code: isApiError(error)
        ? error.code
        : 'internal_error',
      message: error instanceof Error
        ? error.message
        : String(error),
    },
    snapshot: null,
  }
}
