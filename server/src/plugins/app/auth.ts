/**
 * Bearer-token sessions. `app.authenticate` is the onRequest hook of the /api subtree
 * (routes/index.ts): it skips routes marked `config: { public: true }` and otherwise answers 401
 * or sets `request.agent`. Authenticated routes read `request.agent` with no null check; reading
 * it where nobody signed in throws the same 401.
 */
import type { FastifyRequest } from 'fastify'
import type { SessionAgent } from '../../services/sessions.ts'
import fp from 'fastify-plugin'
import { AppError } from '../../errors.ts'
import { authenticate } from '../../services/sessions.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: checks the bearer token unless the route is `config.public` */
    authenticate: (request: FastifyRequest) => Promise<void>
  }
  interface FastifyRequest {
    /** the signed-in agent (set by `app.authenticate`) */
    agent: SessionAgent
  }
  interface FastifyContextConfig {
    /** no bearer token needed: health, login, the OpenAPI document, `/api/live` (it authenticates inside the socket) */
    public?: boolean
  }
}

const agents = new WeakMap<FastifyRequest, SessionAgent>()

export default fp(async (app) => {
  app.decorateRequest('agent', {
    getter(this: FastifyRequest) {
      const agent = agents.get(this)
      if (!agent)
        throw new AppError(401, 'unauthorized', 'missing bearer token')
      return agent
    },
    setter(this: FastifyRequest, agent: SessionAgent) {
      agents.set(this, agent)
    },
  })
  app.decorate('authenticate', async (request: FastifyRequest) => {
    if (request.routeOptions.config.public)
      return
    const header = request.headers.authorization
    const token = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : null
    const agent = token
      ? await authenticate(app.db, token)
      : null
    if (!agent)
      throw new AppError(401, 'unauthorized', token ? 'the session has expired or was revoked' : 'missing bearer token')
    request.agent = agent
  })
}, {
  name: 'auth',
  dependencies: ['storage'],
})
