/**
 * Live change notifications. After the sequencer numbers a workspace's changes it publishes
 * `{workspaceId, seq}`; every subscriber of that workspace (the `/api/live` sockets) hears it and
 * pulls `/api/sync`.
 *
 * On SQLite there is one server process: publishing is an in-process call. On PostgreSQL several
 * instances share the database: every sequencer round also issues `pg_notify` (see
 * services/sequencer.ts), which PostgreSQL delivers exactly when the round commits, and every
 * instance LISTENs on a dedicated connection. An instance ignores its own notifications (it
 * delivered them locally already, without the round trip). The listening connection uses TCP
 * keep-alive and is probed every 30 s; if it drops or stops answering, it reconnects with
 * backoff and tells subscribers to pull (they may have missed a notification).
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Listener } from './live-listen.ts'
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { createListener, LIVE_CHANNEL } from './live-listen.ts'

/** The PostgreSQL notification channel, and this process's id in its payloads. */
export { LIVE_CHANNEL }
export const LIVE_INSTANCE = randomUUID()

/** A workspace's change log has been numbered up to `seq` (resync: a notification may have been missed). */
export interface LiveEvent { workspaceId: string, seq: number, resync?: boolean }
export type LiveListener = (event: LiveEvent) => void

export interface LiveHub {
  publish: (events: LiveEvent[]) => void
  subscribe: (workspaceId: string, listener: LiveListener) => () => void
  /** resolves once cross-instance delivery is listening (immediately on SQLite) */
  ready: () => Promise<void>
  close: () => Promise<void>
  /** local publications seen and notifications received from other instances (for tests) */
  stats: { published: number, received: number }
}

export function createLiveHub(options: { databaseUrl: string | null, log: FastifyBaseLogger }): LiveHub {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const stats = { published: 0, received: 0 }
  const highest = new Map<string, number>()

  function deliver(event: LiveEvent) {
    // Out-of-order arrival (another instance's notification overtaking ours) never moves a client back.
    if ((highest.get(event.workspaceId) ?? 0) >= event.seq)
      return
    highest.set(event.workspaceId, event.seq)
    try {
      emitter.emit(event.workspaceId, event)
    }
    catch (error) {
      options.log.error({ err: error }, 'live: a listener failed')
    }
  }

  let listening: Listener | null = null
  if (options.databaseUrl) {
    listening = createListener({
      databaseUrl: options.databaseUrl,
      log: options.log,
      instance: LIVE_INSTANCE,
      onNotification(event) {
        stats.received++
        deliver(event)
      },
      // Anything published while we were not listening: tell every subscriber to pull.
      onReconnected: () => resyncAll(emitter, highest),
    })
  }
  const readyPromise = listening?.ready ?? Promise.resolve()

  return {
    stats,
    publish(events) {
      for (const event of events) {
        stats.published++
        deliver(event)
      }
    },
    subscribe(workspaceId, listener) {
      emitter.on(workspaceId, listener)
      return () => emitter.off(workspaceId, listener)
    },
    ready: () => readyPromise,
    async close() {
      await listening?.close()
    },
  }
}

/** Tells every workspace's subscribers to pull (with the highest number delivered so far). */
function resyncAll(emitter: EventEmitter, highest: Map<string, number>): void {
  for (const name of emitter.eventNames()) {
    const workspaceId = String(name)
    emitter.emit(workspaceId, { workspaceId, seq: highest.get(workspaceId) ?? 0, resync: true })
  }
}
