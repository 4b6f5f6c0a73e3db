/**
 * The PostgreSQL side of the live hub (see services/live.ts): a dedicated LISTEN connection that
 * hands other instances' notifications to the hub, reconnects with backoff when it fails, and is
 * probed now and then so that a half-open connection is noticed too.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { LiveEvent } from './live.ts'
import pg from 'pg'

/** The PostgreSQL notification channel (services/sequencer-round.ts notifies on it). */
export const LIVE_CHANNEL = 'wa_inbox_changes'
const CHANNEL = LIVE_CHANNEL
const PROBE_MS = 30_000

export interface Listener {
  /** resolves once the first connection is listening */
  ready: Promise<void>
  close: () => Promise<void>
}

export interface ListenOptions {
  databaseUrl: string
  log: FastifyBaseLogger
  /** this process's id: its own notifications are ignored */
  instance: string
  /** a notification from another instance */
  onNotification: (event: LiveEvent) => void
  /** listening again after a failure: a notification may have been missed */
  onReconnected: () => void
}

export function createListener(options: ListenOptions): Listener {
  let client: pg.Client | null = null
  let closed = false
  let retry: NodeJS.Timeout | null = null
  let backoff = 250

  async function listen(): Promise<void> {
    const c = new pg.Client({ connectionString: options.databaseUrl, keepAlive: true })
    c.on('notification', message => onMessage(options, message))
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
      listen().then(options.onReconnected, (error) => {
        options.log.warn({ err: error.message }, 'live: reconnecting failed')
        backoff = Math.min(backoff * 2, 10_000)
        scheduleListen()
      })
    }, backoff)
    retry.unref()
  }

  const ready = listen()
  // A half-open connection (a NAT timeout, a failover without a reset) never reports an error:
  // ask it something now and then, and reconnect when it does not answer.
  const probe = setInterval(() => {
    const c = client
    if (c)
      probeConnection(c, options.log, reconnect)
  }, PROBE_MS)
  probe.unref()

  return {
    ready,
    async close() {
      closed = true
      if (retry)
        clearTimeout(retry)
      clearInterval(probe)
      const c = client
      client = null
      await c?.end().catch(() => {})
    },
  }
}

/** Hands another instance's notification on; ignores our own and anything malformed. */
function onMessage(options: ListenOptions, message: pg.Notification): void {
  if (message.channel !== CHANNEL || !message.payload)
    return
  try {
    const { i, w, s } = JSON.parse(message.payload) as { i: string, w: string, s: number }
    if (i === options.instance)
      return
    options.onNotification({ workspaceId: w, seq: s })
  }
  catch {
    options.log.warn('live: ignored a malformed notification')
  }
}

/** Asks the connection something; reconnects when it fails or does not answer in 5 s. */
function probeConnection(c: pg.Client, log: FastifyBaseLogger, reconnect: (failed: pg.Client) => void): void {
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref())
  Promise.race([
    c.query('SELECT 1'),
    timeout,
  ]).catch((error: Error) => {
    log.warn({ err: error.message }, 'live: listening connection stopped answering; reconnecting')
    reconnect(c)
  })
}
