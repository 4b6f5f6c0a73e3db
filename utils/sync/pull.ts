/** Pulling `GET /api/sync` into Dexie, page by page, until nothing is left. */
import type { ApiClient } from '../api/client'
import type { AppDB } from '../db'
import type { PageObserver } from './engine'
import type { StatusStore } from './status'
import type { SyncResponse } from '~/protocol/sync'
import { isApiError } from '../api/client'
import { applySyncPage } from './apply'

export interface PullerOptions {
  db: AppDB
  api: ApiClient
  status: StatusStore
  pullLimit: number
  now: () => number
  observePage?: PageObserver
}

/**
 * Answers `pull`: coalesced, so while a pull runs, callers share one more pull that starts after
 * it. Rejects with the `ApiError` that stopped it (the status says so too).
 */
export function createPuller(options: PullerOptions): () => Promise<void> {
  let pulling: Promise<void> | null = null
  let nextPull: Promise<void> | null = null

  function pull(): Promise<void> {
    if (!pulling) {
      pulling = pullAll(options).finally(() => {
        pulling = null
      })
      return pulling
    }
    nextPull ??= pulling.catch(() => {}).then(() => {
      nextPull = null
      return pull()
    })
    return nextPull
  }
  return pull
}

async function pullAll(options: PullerOptions): Promise<void> {
  const { db, status } = options
  status.set({ state: 'syncing' })
  const restart = { used: false }
  let applied = 0
  try {
    for (;;) {
      const page = await fetchPage(options, restart)
      applied = page.reset ? 0 : applied
      const observed = await observe(options.observePage, page)
      applied += await applySyncPage(db, page)
      if (observed)
        await Promise.resolve().then(observed).catch(error => console.error('[wa-inbox] sync page observer failed', error))
      status.set({
        snapshot: page.snapshot && page.hasMore
          ? { applied }
          : null,
      })
      if (!page.hasMore)
        break
    }
    status.set({
      state: 'idle',
      lastSyncedAt: options.now(),
      error: null,
      snapshot: null,
    })
  }
  catch (error) {
    status.failed(error)
    throw error
  }
}

/** The next page from the stored cursor (starting over with a snapshot once when it is unusable). */
async function fetchPage({ db, api, pullLimit }: PullerOptions, restart: { used: boolean }): Promise<SyncResponse> {
  for (;;) {
    const cursor = (await db.meta.get('syncCursor'))?.value as string | undefined
    try {
      return await api.get<SyncResponse>(`/api/sync?limit=${pullLimit}${cursor === undefined
        ? ''
        : `&since=${encodeURIComponent(cursor)}`}`)
    }
    catch (error) {
      // The server no longer serves changes from there (pruned, or another database): start
      // over with a snapshot, once. A cursor it never issued counts the same.
      const unusable = isApiError(error, 'cursor_expired') || (isApiError(error, 'invalid_request') && error.field === 'since')
      if (unusable && cursor !== undefined && !restart.used) {
        restart.used = true
        await db.meta.delete('syncCursor')
        continue
      }
      throw error
    }
  }
}

async function observe(observePage: PageObserver | undefined, page: SyncResponse): Promise<(() => unknown) | void> {
  try {
    return await observePage?.(page)
  }
  catch (error) {
    console.error('[wa-inbox] sync page observer failed', error)
  }
}
