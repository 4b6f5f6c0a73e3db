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
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import pg from 'pg'

/** The PostgreSQL notification channel, and this process's id in its payloads. */
export const LIVE_CHANNEL = 'wa_inbox_changes'
export const LIVE_INSTANCE = randomUUID()
const CHANNEL = LIVE_CHANNEL
const PROBE_MS = 30_000

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
  const instance = LIVE_INSTANCE
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

  let client: pg.Client | null = null
  let closed = false
  let readyPromise: Promise<void> = Promise.resolve()
  let retry: NodeJS.Timeout | null = null
  let backoff = 250

  async function listen(): Promise<void> {
    const c = new pg.Client({ connectionString: options.databaseUrl!, keepAlive: true })
    c.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload)
        return
      try {
        const { i, w, s } = JSON.parse(message.payload) as { i: string, w: string, s: number }
        if (i === instance)
          return
        stats.received++
        deliver({ workspaceId: w, seq: s })
      }
      catch {
        options.log.warn('live: ignored a malformed notification')
      }
    })
    c.on('error', (error) => {
      options.log.warn({ err: error.message }, 'live: listening connection failed; reconnecting')
      reconnect(c)
    })
    c.on('end', () => reconnect(c))
    await c.connect()
    await c.query(`LISTEN ${CHANNEL}`)
    client = c
    backoff = 250
  }

  function reconnect(failed: pg.Client) {
    if (closed || client !== failed)
      return
    client = null
    failed.end().catch(() => {})
    scheduleListen()
  }

  function scheduleListen() {
    if (closed || retry)
      return
    retry = setTimeout(() => {
      retry = null
      listen().then(() => {
        // Anything published while we were not listening: tell every subscriber to pull.
        for (const name of emitter.eventNames()) {
          const workspaceId = String(name)
          emitter.emit(workspaceId, { workspaceId, seq: highest.get(workspaceId) ?? 0, resync: true })
        }
      }, (error) => {
        options.log.warn({ err: error.message }, 'live: reconnecting failed')
        backoff = Math.min(backoff * 2, 10_000)
        scheduleListen()
      })
    }, backoff)
    retry.unref()
  }

  let probe: NodeJS.Timeout | null = null
  if (options.databaseUrl) {
    readyPromise = listen()
    // A half-open connection (a NAT timeout, a failover without a reset) never reports an error:
    // ask it something now and then, and reconnect when it does not answer.
    probe = setInterval(() => {
      const c = client
      if (!c)
        return
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref())
      Promise.race([
        c.query('SELECT 1'),
        timeout,
      ]).catch((error: Error) => {
        options.log.warn({ err: error.message }, 'live: listening connection stopped answering; reconnecting')
        reconnect(c)
      })
    }, PROBE_MS)
    probe.unref()
  }

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
      closed = true
      if (retry)
        clearTimeout(retry)
      if (probe)
        clearInterval(probe)
      const c = client
      client = null
      await c?.end().catch(() => {})
    },
  }
}
