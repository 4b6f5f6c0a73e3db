import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ChangePassword } from '../../../protocol/team.ts'
import Type from 'typebox'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { AgentSchema, ChangePasswordSchema, LoginRequestSchema, LoginResponseSchema } from '../../../protocol/team.ts'
import { AppError } from '../errors.ts'
import { changePassword } from '../services/agents.ts'
import { loadAgents } from '../services/entities.ts'
import { hashPassword, verifyPassword } from '../services/passwords.ts'
import { createSession, revokeSession } from '../services/sessions.ts'

// Verifying against a fixed dummy hash when the email is unknown keeps timing the same either way.
const dummyHash = hashPassword('not-a-real-password')

export async function authRoutes(app: FastifyInstance) {
  const emailOf = (request: FastifyRequest) => String((request.body as { email?: string } | undefined)?.email ?? '').trim().toLowerCase()
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
        keyGenerator: request => `${request.ip}|${String((request.body as { email?: string } | undefined)?.email ?? '').trim().toLowerCase()}`,
      },
    },
  }, async (request, reply) => {
    const { email, password } = request.body as { email: string, password: string }
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
    const agent = await app.db.selectFrom('agents').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
    const ok = await verifyPassword(password, agent?.password_hash ?? await dummyHash)
    // A deactivated agent gets the same answer as a wrong password: nothing to learn by probing.
    if (!agent || !ok || !agent.active)
      throw new AppError(401, 'invalid_credentials', 'wrong email or password')
    const token = await createSession(app.db, agent)
    return {
      token,
      agent: (await loadAgents(app.db, agent.workspace_id, [agent.id]))[0]!,
    }
  })

  app.post('/api/auth/logout', {
    schema: {
      response: {
        204: Type.Null(),
      },
    },
  }, async (request, reply) => {
    await revokeSession(app.db, request.agent!.sessionId)
    return reply.code(204).send()
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
        keyGenerator: request => `password|${request.agent?.id ?? request.ip}`,
      },
    },
  }, async (request, reply) => {
    const { currentPassword, newPassword } = request.body as ChangePassword
    await changePassword(app.db, request.agent!, currentPassword, newPassword)
    return reply.code(204).send()
  })

  app.get('/api/auth/me', {
    schema: {
      response: { 200: AgentSchema, 401: ErrorResponseSchema },
    },
  }, async (request) => {
    const a = request.agent!
    return (await loadAgents(app.db, a.workspace_id, [a.id]))[0]!
  })
}
