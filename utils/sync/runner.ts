/**
 * Runs the sync engine in the background while there is a valid session: starts it when an agent
 * signs in, stops it when they sign out, and marks the session expired when the server refuses
 * the token. When another agent (or another server) signs in, the local data of the previous one
 * is wiped first: one agent never sees another's cache, nor pushes their queued actions.
 */
import type { AppDB } from '../db'
import type { Session } from '../session'
import type { LiveSocketConstructor, PageObserver, SyncEngine } from './engine'
import { createApiClient } from '../api/client'
import { syncTables } from './apply'
import { createSyncEngine } from './engine'

export interface SessionSource {
  get: () => Promise<Session | null>
  watch: (listener: (session: Session | null) => void) => () => void
}

export interface SyncRunnerOptions {
  db: AppDB
  sessions: SessionSource
  WebSocket?: LiveSocketConstructor
  /** the server refused this token */
  onExpired: (token: string) => void | Promise<void>
  /** passed to the engine (see `SyncEngineOptions.observePage`) */
  observePage?: PageObserver
}

export interface SyncRunner {
  start: () => Promise<void>
  stop: () => void
  /** the engine of the current session, if any */
  readonly engine: SyncEngine | null
  /** A page queued an action or wants fresh data: push, then pull (after any session change settles). */
  kick: () => Promise<void>
}

export function createSyncRunner(options: SyncRunnerOptions): SyncRunner {
  const { db } = options
  let engine: SyncEngine | null = null
  let current: string | null = null
  let unwatch: (() => void) | null = null
  let applying = Promise.resolve()

  async function apply(session: Session | null): Promise<void> {
    const token = session && !session.expired
      ? session.token
      : null
    if (token === current)
      return
    engine?.stop()
    engine = null
    current = token
    if (!session || !token)
      return
    const owner = `${session.serverUrl}|${session.agent.id}`
    const previous = (await db.meta.get('syncOwner'))?.value
    if (previous !== owner) {
      await db.transaction('rw', [
        ...syncTables(db),
        db.outbox,
        db.drafts,
        db.meta,
      ], async () => {
        await Promise.all(syncTables(db).map(table => table.clear()))
        await db.outbox.clear()
        await db.drafts.clear()
        await db.meta.delete('syncCursor')
        await db.meta.put({ key: 'syncOwner', value: owner })
      })
    }
    const started = createSyncEngine({
      db,
      api: createApiClient({ serverUrl: session.serverUrl, token }),
      WebSocket: options.WebSocket,
      observePage: options.observePage,
    })
    started.subscribe((status) => {
      if (status.state === 'unauthorized')
        void options.onExpired(token)
    })
    engine = started
    started.start()
  }

  /** One change of session at a time, in order. */
  function queue(session: Session | null): Promise<void> {
    applying = applying.then(() => apply(session)).catch(error => console.error('[wa-inbox] starting sync failed', error))
    return applying
  }

  return {
    get engine() {
      return engine
    },
    async start() {
      await queue(await options.sessions.get())
      unwatch = options.sessions.watch(session => void queue(session))
    },
    async kick() {
      await applying
      await engine?.sync().catch(() => {})
    },
    stop() {
      unwatch?.()
      unwatch = null
      engine?.stop()
      engine = null
      current = null
    },
  }
}
