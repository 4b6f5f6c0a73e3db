/**
 * The WhatsApp side: `app.channels` (the connected numbers, their verify tokens and app secrets,
 * reloaded on a miss) and `app.graph` (the Cloud API client; tests pass a fake through
 * `buildApp({ graph })`).
 */
import type { ChannelRegistry } from '../../services/channels.ts'
import type { GraphClient } from '../../whatsapp/graph-client.ts'
import fp from 'fastify-plugin'
import { createChannelRegistry } from '../../services/channels.ts'
import { createGraphClient } from '../../whatsapp/graph-client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    channels: ChannelRegistry
    graph: GraphClient
  }
}

export default fp<{ graph?: GraphClient }>(async (app, options) => {
  const { config } = app
  app.decorate('channels', await createChannelRegistry(app.db))
  app.decorate('graph', options.graph ?? createGraphClient({ graphUrl: config.graphUrl, apiVersion: config.apiVersion }))
}, {
  name: 'whatsapp',
  dependencies: ['storage'],
})
