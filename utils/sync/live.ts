/**
 * The live socket (`/api/live`): authenticates with the session's token, pulls on `changed`, and
 * pushes then pulls on `hello` (back online). A watchdog drops a socket that missed two
 * heartbeats; every drop reconnects with backoff, except when the server refused the session.
 */
import type { ApiClient } from '../api/client'
import type { LiveSocket, LiveSocketConstructor, Timers } from './engine'
import type { StatusStore } from './status'
import type { LiveServerMessage } from '~/protocol/sync'
import { LIVE_CLOSE_UNAUTHORIZED, LIVE_HEARTBEAT_MS } from '~/protocol/sync'
import { liveUrl } from './url'

export interface LiveOptions {
  api: ApiClient
  WebSocket: LiveSocketConstructor
  timers: Timers
  status: StatusStore
  /** the delay before reconnect attempt `n` (0 first) */
  backoff: (attempt: number) => number
  stopped: () => boolean
  /** `hello`: the socket is open and authenticated */
  onHello: () => void
  /** `changed`: something is waiting on the server */
  onChanged: () => void
}

export interface LiveConnection {
  connect: () => void
  /** closes the socket and cancels the reconnect timer */
  close: () => void
}

export function createLiveConnection(options: LiveOptions): LiveConnection {
  const { timers, status } = options
  let socket: LiveSocket | null = null
  let reconnectAttempt = 0
  let reconnectTimer: unknown = null
  let watchdog: unknown = null
  let heartbeatMs = LIVE_HEARTBEAT_MS

  function armWatchdog(): void {
    if (watchdog !== null)
      timers.clearTimeout(watchdog)
    // No ping for two heartbeats: the connection is dead even if nobody told us.
    watchdog = timers.setTimeout(() => {
      watchdog = null
      const dead = socket
      if (dead) {
        drop(dead)
        try {
          dead.close(4000, 'heartbeat missed')
        }
        catch {}
        scheduleReconnect()
      }
    }, heartbeatMs * 2)
  }

  function drop(which: LiveSocket): void {
    which.onopen = which.onmessage = which.onclose = which.onerror = null
    if (socket === which)
      socket = null
    if (watchdog !== null) {
      timers.clearTimeout(watchdog)
      watchdog = null
    }
    status.set({ live: 'closed' })
  }

  function scheduleReconnect(): void {
    if (options.stopped() || reconnectTimer !== null)
      return
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null
      connect()
    }, options.backoff(reconnectAttempt++))
  }

  function authenticate(ws: LiveSocket): void {
    options.api.token().then((token) => {
      if (socket !== ws)
        return
      if (!token) {
        drop(ws)
        ws.close()
        status.set({
          state: 'unauthorized',
          error: { code: 'unauthorized', message: 'not signed in' },
        })
        return
      }
      ws.send(JSON.stringify({ type: 'auth', token }))
    }).catch(() => {})
  }

  function receive(data: unknown): void {
    let message: LiveServerMessage
    try {
      message = JSON.parse(String(data)) as LiveServerMessage
    }
    catch {
      return
    }
    armWatchdog()
    if (message.type === 'hello') {
      reconnectAttempt = 0
      heartbeatMs = message.heartbeatMs > 0
        ? message.heartbeatMs
        : LIVE_HEARTBEAT_MS
      armWatchdog()
      status.set({ live: 'open' })
      // Back online: send what was queued, then catch up.
      options.onHello()
    }
    else if (message.type === 'changed') {
      options.onChanged()
    }
  }

  function closed(ws: LiveSocket, event: { code: number, reason?: string }): void {
    drop(ws)
    if (event.code === LIVE_CLOSE_UNAUTHORIZED) {
      // The token is wrong or revoked: reconnecting cannot help until the user signs in again.
      status.set({
        state: 'unauthorized',
        error: { code: 'session_expired', message: event.reason || 'the server refused the session' },
      })
      return
    }
    scheduleReconnect()
  }

  function connect(): void {
    if (options.stopped() || socket)
      return
    let ws: LiveSocket
    try {
      ws = new options.WebSocket(liveUrl(options.api.serverUrl))
    }
    catch {
      scheduleReconnect()
      return
    }
    socket = ws
    status.set({ live: 'connecting' })
    armWatchdog() // also bounds how long the handshake may take
    ws.onopen = () => authenticate(ws)
    ws.onmessage = event => receive(event.data)
    ws.onclose = event => closed(ws, event)
    ws.onerror = () => {} // a close event follows
  }

  function close(): void {
    if (reconnectTimer !== null)
      timers.clearTimeout(reconnectTimer)
    reconnectTimer = null
    const ws = socket
    if (ws) {
      drop(ws)
      try {
        ws.close(1000, 'stopped')
      }
      catch {}
    }
  }

  return { connect, close }
}
