/** WebSockets for `/api/live` (routes/live.ts); one client message is at most 64 KiB. */
import websocket from '@fastify/websocket'
import fp from 'fastify-plugin'

export default fp(async (app) => {
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
  })
}, { name: 'external-websocket' })
