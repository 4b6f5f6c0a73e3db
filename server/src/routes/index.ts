/**
 * Every route, one file per URL prefix. The webhooks answer Meta (signature-checked, no session);
 * everything under `/api` needs a bearer token (`app.authenticate`, plugins/app/auth.ts) unless
 * the route says `config: { public: true }`.
 */
import type { Api } from './schemas.ts'
import { agentRoutes } from './agents.ts'
import { authRoutes } from './auth.ts'
import { botRoutes } from './bots.ts'
import { channelRoutes } from './channels.ts'
import { contactRoutes } from './contacts.ts'
import { conversationRoutes } from './conversations.ts'
import { healthRoutes } from './health.ts'
import { labelRoutes } from './labels.ts'
import { liveRoutes } from './live.ts'
import { messageRoutes } from './messages.ts'
import { mutationRoutes } from './mutations.ts'
import { noteRoutes } from './notes.ts'
import { notificationRoutes } from './notifications.ts'
import { openapiRoutes } from './openapi.ts'
import { quickReplyRoutes } from './quick-replies.ts'
import { reportRoutes } from './reports.ts'
import { syncRoutes } from './sync.ts'
import { teamRoutes } from './teams.ts'
import { templateRoutes } from './templates.ts'
import { webhookRoutes } from './webhooks.ts'
import { workspaceRoutes } from './workspace.ts'

async function apiRoutes(app: Api) {
  app.addHook('onRequest', app.authenticate)
  // public
  await app.register(healthRoutes)
  await app.register(openapiRoutes)
  await app.register(liveRoutes)
  // login is public, the rest of /api/auth is not
  await app.register(authRoutes)
  // signed in
  await app.register(workspaceRoutes)
  await app.register(agentRoutes)
  await app.register(teamRoutes)
  await app.register(channelRoutes)
  await app.register(conversationRoutes)
  await app.register(messageRoutes)
  await app.register(templateRoutes)
  await app.register(contactRoutes)
  await app.register(noteRoutes)
  await app.register(notificationRoutes)
  await app.register(labelRoutes)
  await app.register(quickReplyRoutes)
  await app.register(syncRoutes)
  await app.register(mutationRoutes)
  await app.register(reportRoutes)
  await app.register(botRoutes)
}

export async function routes(app: Api) {
  await app.register(webhookRoutes)
  await app.register(apiRoutes)
}
