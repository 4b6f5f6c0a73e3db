/**
 * Every route. The webhooks answer Meta (signature-checked, no session); everything under `/api`
 * needs a bearer token (`app.authenticate`) unless the route says `config: { public: true }`.
 */
import type { FastifyInstance } from 'fastify'
import { agentRoutes } from './agents.ts'
import { authRoutes } from './auth.ts'
import { botRoutes } from './bots.ts'
import { contactRoutes } from './contacts.ts'
import { conversationRoutes } from './conversations.ts'
import { healthRoutes } from './health.ts'
import { liveRoutes } from './live.ts'
import { openapiRoutes } from './openapi.ts'
import { reportRoutes } from './reports.ts'
import { syncRoutes } from './sync.ts'
import { templateRoutes } from './templates.ts'
import { webhookRoutes } from './webhooks.ts'
import { workspaceRoutes } from './workspace.ts'

async function apiRoutes(app: FastifyInstance) {
  app.addHook('onRequest', app.authenticate)
  await app.register(healthRoutes)
  await app.register(authRoutes)
  await app.register(conversationRoutes)
  await app.register(templateRoutes)
  await app.register(agentRoutes)
  await app.register(contactRoutes)
  await app.register(syncRoutes)
  await app.register(liveRoutes)
  await app.register(reportRoutes)
  await app.register(workspaceRoutes)
  await app.register(botRoutes)
  await app.register(openapiRoutes)
}

export async function routes(app: FastifyInstance) {
  await app.register(webhookRoutes)
  await app.register(apiRoutes)
}
