/**
 * `/api/live`: a WebSocket per agent. The first message must be `{type: 'auth', token}`; the
 * server answers `hello` with the workspace's current change number, then `changed` after every
 * commit in the workspace (on any server instance), and a `ping` every 20 s so proxies and the
 * extension's service worker keep the connection open. Clients pull `/api/sync` on `changed`.
 */
import type { FastifyInstance } from 'fastify'
import type { LiveClientMessage, LiveServerMessage } from '../../../protocol/sync.ts'
import type { SessionAgent } from '../services/sessions.ts'
import { LIVE_CLOSE_UNAUTHORIZED, LIVE_HEARTBEAT_MS } from '../../../protocol/sync.ts'
import { authenticate } from '../services/sessions.ts'

const AUTH_TIMEOUT_MS = 10_000

export async function liveRoutes(app: FastifyInstance) {
  app.get('/api/live', {
    websocket: true,
    schema: { hide: true },
    config: { public: true },
  }, (socket) => {
    let agent: SessionAgent | null = null
    let unsubscribe: (() => void) | null = null
    let lastSent = 0
    let tokenOf = ''
    let authenticating = false
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

    socket.on('message', (raw) => {
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
      const token = message.token
      authenticate(app.db, token).then(async (found) => {
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
        const head = await app.db.selectFrom('workspaces').select('change_seq').where('id', '=', found.workspace_id).executeTakeFirstOrThrow()
        lastSent = Math.max(lastSent, head.change_seq)
        send({
          type: 'hello',
          agentId: found.id,
          seq: head.change_seq,
          heartbeatMs: LIVE_HEARTBEAT_MS,
        })
      }).catch((error) => {
        app.log.warn({ err: error }, 'live: authenticating a socket failed')
        fail('unauthorized', 'could not check the session; reconnect')
      })
    })
    socket.on('close', () => {
      clearTimeout(authTimer)
      clearInterval(heartbeat)
      unsubscribe?.()
    })
    socket.on('error', () => {})
  })
}
