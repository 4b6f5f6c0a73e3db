/**
 * `/api/live`: a WebSocket per agent. The first message must be `{type: 'auth', token}`; the
 * server answers `hello` with the workspace's current change number, then `changed` after every
 * commit in the workspace (on any server instance), and a `ping` every 20 s so proxies and the
 * extension's service worker keep the connection open. Clients pull `/api/sync` on `changed`.
 * Public as an HTTP route: browsers cannot set headers on a WebSocket, so it authenticates inside.
 */
import type { WebSocket } from '@fastify/websocket'
import type { LiveClientMessage, LiveServerMessage } from '../../../protocol/sync.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Api } from './schemas.ts'
import { LIVE_CLOSE_UNAUTHORIZED, LIVE_HEARTBEAT_MS } from '../../../protocol/sync.ts'
import { workspaceHead } from '../services/changes.ts'
import { authenticate } from '../services/sessions.ts'

const AUTH_TIMEOUT_MS = 10_000

export async function liveRoutes(app: Api) {
  app.get('/api/live', {
    websocket: true,
    schema: { hide: true },
    config: { public: true },
  }, (socket) => {
    // Listeners attach synchronously, before anything awaits (@fastify/websocket README).
    const live = liveSocket(app, socket)
    socket.on('message', raw => live.receive(raw))
    socket.on('close', () => live.closed())
    socket.on('error', () => {})
  })
}

/** `send` while the socket is open; `fail` says why, then closes it. */
function sender(socket: WebSocket) {
  const send = (message: LiveServerMessage) => {
    if (socket.readyState === socket.OPEN)
      socket.send(JSON.stringify(message))
  }
  const fail = (code: 'unauthorized' | 'invalid_request', message: string) => {
    send({ type: 'error', code, message })
    socket.close(code === 'unauthorized'
      ? LIVE_CLOSE_UNAUTHORIZED
      : 4400, code)
  }
  return { send, fail }
}

/** One socket's state: waiting for `auth`, then subscribed to its workspace. */
function liveSocket(app: Api, socket: WebSocket) {
  let agent: SessionAgent | null = null
  let unsubscribe: (() => void) | null = null
  let lastSent = 0
  let tokenOf = ''
  let authenticating = false
  const { send, fail } = sender(socket)
  const authTimer = setTimeout(fail, AUTH_TIMEOUT_MS, 'unauthorized', 'send {type: "auth", token} first')
  const heartbeat = setInterval(() => {
    send({
      type: 'ping',
      at: Date.now(),
    })
    // Revoked or expired sessions (logout elsewhere, deactivation) lose the socket too.
    if (agent) {
      authenticate(app.db, tokenOf).then((still) => {
        if (!still)
          fail('unauthorized', 'the session has expired or was revoked')
      }, () => {})
    }
  }, LIVE_HEARTBEAT_MS)

  async function signIn(token: string) {
    const found = await authenticate(app.db, token)
    if (!found)
      return fail('unauthorized', 'the session has expired or was revoked')
    if (socket.readyState !== socket.OPEN)
      return // closed while we were checking: nothing to subscribe
    clearTimeout(authTimer)
    agent = found
    tokenOf = token
    unsubscribe = app.live.subscribe(found.workspace_id, (event) => {
      if (event.seq > lastSent || event.resync) {
        lastSent = Math.max(lastSent, event.seq)
        send({ type: 'changed', seq: event.seq })
      }
    })
    const seq = await workspaceHead(app.db, found.workspace_id)
    lastSent = Math.max(lastSent, seq)
    send({
      type: 'hello',
      agentId: found.id,
      seq,
      heartbeatMs: LIVE_HEARTBEAT_MS,
    })
  }

  return {
    receive(raw: unknown) {
      let message: LiveClientMessage
      try {
        message = JSON.parse(String(raw))
      }
      catch {
        return fail('invalid_request', 'messages are JSON')
      }
      if (message?.type === 'ping') {
        return send({
          type: 'pong',
          at: Date.now(),
        })
      }
      if (message?.type !== 'auth' || typeof message.token !== 'string' || message.token.length > 512)
        return fail('invalid_request', 'unknown message')
      if (agent || authenticating)
        return
      authenticating = true
      signIn(message.token).catch((error) => {
        app.log.warn({ err: error }, 'live: authenticating a socket failed')
        fail('unauthorized', 'could not check the session; reconnect')
      })
    },
    closed() {
      clearTimeout(authTimer)
      clearInterval(heartbeat)
      unsubscribe?.()
    },
  }
}
