/**
 * `/api/auth`: sign in (public, rate-limited per address+email, per address and per email), sign
 * out, change the password, who am I.
 */
import type { FastifyRequest } from 'fastify'
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { AgentSchema, ChangePasswordSchema, LoginRequestSchema, LoginResponseSchema } from '../../../protocol/team.ts'
import { AppError } from '../errors.ts'
import { changePassword, me, signIn } from '../services/agents.ts'
import { revokeSession } from '../services/sessions.ts'
import { ErrorResponseSchema, noContent } from './schemas.ts'

/** The body's email as the limits count it (rate-limit key generators see the untyped request). */
function emailOf(request: FastifyRequest): string {
  const body = request.body
  const email = body && typeof body === 'object' && 'email' in body
    ? body.email
    : undefined
  return String(email ?? '').trim().toLowerCase()
}

export async function authRoutes(app: Api) {
  const perIp = app.createRateLimit({
    max: app.config.loginLimitPerIp,
    timeWindow: 60_000,
    keyGenerator: request => `login-ip|${request.ip}`,
  })
  const perEmail = app.createRateLimit({
    max: app.config.loginLimitPerEmail,
    timeWindow: 60_000,
    keyGenerator: request => `login-email|${emailOf(request)}`,
  })

  app.post('/api/auth/login', {
    schema: {
      security: [],
      body: LoginRequestSchema,
      response: { 200: LoginResponseSchema, 401: ErrorResponseSchema, 429: ErrorResponseSchema },
    },
    config: {
      public: true,
      rateLimit: {
        max: 10,
        timeWindow: 60_000,
        // After parsing, so the key has the email: one address guessed at cannot lock out the team.
        hook: 'preHandler',
        keyGenerator: request => `${request.ip}|${emailOf(request)}`,
      },
    },
  }, async (request, reply) => {
    // Besides the per address-and-email limit above: one address trying many e-mails (spraying)
    // and many addresses trying one e-mail, each checked before paying for scrypt.
    const checks = await Promise.all([
      perIp(request),
      perEmail(request),
    ])
    const refused = checks.find(c => !c.isAllowed && c.isExceeded)
    if (refused && !refused.isAllowed) {
      reply.header('retry-after', String(refused.ttlInSeconds))
      throw new AppError(429, 'rate_limited', 'too many sign-in attempts, try again later')
    }
    return await signIn(app.db, request.body.email, request.body.password)
  })

  app.post('/api/auth/logout', {
    schema: {
      response: {
        204: Type.Null(),
      },
    },
  }, async (request, reply) => {
    await revokeSession(app.db, request.agent.sessionId)
    return noContent(reply)
  })

  app.post('/api/auth/password', {
    schema: {
      description: 'Changes the caller\'s password. Every other session of theirs is revoked; this one keeps working.',
      body: ChangePasswordSchema,
      response: {
        204: Type.Null(),
        400: ErrorResponseSchema,
        401: ErrorResponseSchema,
        403: ErrorResponseSchema,
        429: ErrorResponseSchema,
      },
    },
    config: {
      // A stolen token must not become a way to guess the password behind it.
      rateLimit: {
        max: 10,
        timeWindow: 60_000,
        hook: 'preHandler',
        keyGenerator: request => `password|${request.agent.id}`,
      },
    },
  }, async (request, reply) => {
    await changePassword(app.db, request.agent, request.body.currentPassword, request.body.newPassword)
    return noContent(reply)
  })

  app.get('/api/auth/me', {
    schema: {
      response: { 200: AgentSchema, 401: ErrorResponseSchema },
    },
  }, async request => await me(app.db, request.agent))
}
