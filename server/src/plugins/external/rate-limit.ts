/**
 * Rate limits, off by default: a route opts in with `config.rateLimit` (each such route counts on
 * its own), and `app.createRateLimit` builds extra limiters (routes/auth.ts).
 */
import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'

export default fp(async (app) => {
  await app.register(rateLimit, { global: false })
}, { name: 'external-rate-limit' })
