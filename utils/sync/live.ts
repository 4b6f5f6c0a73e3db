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

/** One live socket at a time (the engine's), reconnecting until `close`. */
export class LiveConnection {
  private socket: LiveSocket | null = null
  private reconnectAttempt = 0
  private reconnectTimer: unknown = null
  private watchdog: unknown = null
  private heartbeatMs = LIVE_HEARTBEAT_MS
  private readonly options: LiveOptions
  private readonly timers: Timers
  private readonly status: StatusStore

  constructor(options: LiveOptions) {
    this.options = options
    this.timers = options.timers
    this.status = options.status
  }

  private armWatchdog(): void {
    if (this.watchdog !== null)
      this.timers.clearTimeout(this.watchdog)
    // No ping for two heartbeats: the connection is dead even if nobody told us.
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null
      const dead = this.socket
      if (dead) {
        this.drop(dead)
        try {
          dead.close(4000, 'heartbeat missed')
        }
        catch {}
        this.scheduleReconnect()
      }
    }, this.heartbeatMs * 2)
  }

  private drop(which: LiveSocket): void {
    which.onopen = which.onmessage = which.onclose = which.onerror = null
    if (this.socket === which)
      this.socket = null
    if (this.watchdog !== null) {
      this.timers.clearTimeout(this.watchdog)
      this.watchdog = null
    }
    this.status.set({ live: 'closed' })
  }

  private scheduleReconnect(): void {
    if (this.options.stopped() || this.reconnectTimer !== null)
      return
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null
      this.connect()
    }, this.options.backoff(this.reconnectAttempt++))
  }

  private authenticate(ws: LiveSocket): void {
    this.options.api.token().then((token) => {
      if (this.socket !== ws)
        return
      if (!token) {
        this.drop(ws)
        ws.close()
        this.status.set({
          state: 'unauthorized',
          error: { code: 'unauthorized', message: 'not signed in' },
        })
        return
      }
      ws.send(JSON.stringify({ type: 'auth', token }))
    }).catch(() => {})
  }

  private receive(data: unknown): void {
    let message: LiveServerMessage
    try {
      message = JSON.parse(String(data)) as LiveServerMessage
    }
    catch {
      return
    }
    this.armWatchdog()
    if (message.type === 'hello') {
      this.reconnectAttempt = 0
      this.heartbeatMs = message.heartbeatMs > 0
        ? message.heartbeatMs
        : LIVE_HEARTBEAT_MS
      this.armWatchdog()
      this.status.set({ live: 'open' })
      // Back online: send what was queued, then catch up.
      this.options.onHello()
    }
    else if (message.type === 'changed') {
      this.options.onChanged()
    }
  }

  private closed(ws: LiveSocket, event: { code: number, reason?: string }): void {
    this.drop(ws)
    if (event.code === LIVE_CLOSE_UNAUTHORIZED) {
      // The token is wrong or revoked: reconnecting cannot help until the user signs in again.
      this.status.set({
        state: 'unauthorized',
        error: { code: 'session_expired', message: event.reason || 'the server refused the session' },
      })
      return
    }
    this.scheduleReconnect()
  }

  connect(): void {
    if (this.options.stopped() || this.socket)
      return
    let ws: LiveSocket
    try {
      ws = new this.options.WebSocket(liveUrl(this.options.api.serverUrl))
    }
    catch {
      this.scheduleReconnect()
      return
    }
    this.socket = ws
    this.status.set({ live: 'connecting' })
    this.armWatchdog() // also bounds how long the handshake may take
    ws.onopen = () => this.authenticate(ws)
    ws.onmessage = event => this.receive(event.data)
    ws.onclose = event => this.closed(ws, event)
    ws.onerror = () => {} // a close event follows
  }

  close(): void {
    if (this.reconnectTimer !== null)
      this.timers.clearTimeout(this.reconnectTimer)
    this.reconnectTimer = null
    const ws = this.socket
    if (ws) {
      this.drop(ws)
      try {
        ws.close(1000, 'stopped')
      }
      catch {}
    }
  }
}
