/**
 * Graceful close: in-flight requests may finish, but keep-alive sockets (Meta's, the simulator's)
 * that go idle after Node's one-time idle sweep would hold close() open until keepAliveTimeout
 * (72 s). Keep sweeping idle sockets; after 5 s close whatever is left (an unanswered webhook is
 * redelivered by Meta and deduplicated by wamid).
 */
import fp from 'fastify-plugin'

export default fp(async (app) => {
  app.addHook('preClose', (done) => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
    const force = setTimeout(() => app.server.closeAllConnections(), 5000)
    app.server.once('close', () => {
      clearInterval(sweep)
      clearTimeout(force)
    })
    sweep.unref()
    force.unref()
    done()
  })
}, { name: 'graceful-close' })
