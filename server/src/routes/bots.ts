/**
 * `/api/bots`: settings and knowledge base (admins; 403 `forbidden` otherwise), the "test this
 * message" trace (admins), and `/api/conversations/:id/suggest-reply`, a suggested reply for any
 * agent who may see the conversation (kept here, outside routes/conversations.ts's multipart scope).
 */
import type { Api } from './schemas.ts'
import { BotSettingsInputSchema, BotSettingsSchema, BotTestRequestSchema, BotTraceSchema, CreateKbEntrySchema, KbEntrySchema, KbPageSchema, ListKbQuerySchema, SuggestionSchema, UpdateKbEntrySchema } from '../../../protocol/bots.ts'
import { suggestReply, testMessage } from '../bots/assist.ts'
import { createKnowledge, deleteKnowledge, listKnowledge, updateKnowledge } from '../bots/knowledge.ts'
import { getSettings, saveSettings } from '../bots/settings.ts'
import { ErrorResponseSchema, errors, IdParams, noContent } from './schemas.ts'

export async function botRoutes(app: Api) {
  app.get('/api/bots', {
    schema: {
      response: { 200: BotSettingsSchema, ...errors },
    },
  }, async request => await getSettings(app.db, request.agent))

  app.put('/api/bots', {
    schema: {
      body: BotSettingsInputSchema,
      response: { 200: BotSettingsSchema, ...errors },
    },
  }, async request => await saveSettings(app, request.agent, request.body))

  app.get('/api/bots/knowledge', {
    schema: {
      querystring: ListKbQuerySchema,
      response: { 200: KbPageSchema, ...errors },
    },
  }, async request => await listKnowledge(app.db, request.agent, request.query))

  app.post('/api/bots/knowledge', {
    schema: {
      body: CreateKbEntrySchema,
      response: { 201: KbEntrySchema, ...errors },
    },
  }, async (request, reply) => reply.code(201).send(await createKnowledge(app.db, request.agent, request.body)))

  app.patch('/api/bots/knowledge/:id', {
    schema: {
      params: IdParams,
      body: UpdateKbEntrySchema,
      response: { 200: KbEntrySchema, ...errors },
    },
  }, async request => await updateKnowledge(app.db, request.agent, request.params.id, request.body))

  app.delete('/api/bots/knowledge/:id', {
    schema: {
      params: IdParams,
      response: { ...errors },
    },
  }, async (request, reply) => {
    await deleteKnowledge(app.db, request.agent, request.params.id)
    return noContent(reply)
  })

  app.post('/api/bots/test', {
    schema: {
      body: BotTestRequestSchema,
      response: { 200: BotTraceSchema, ...errors },
    },
  }, async request => await testMessage(app.db, request.agent, request.body))

  app.post('/api/conversations/:id/suggest-reply', {
    // Each may call the configured provider (its time and its bill): 20 a minute per agent.
    config: {
      rateLimit: {
        max: 20,
        timeWindow: 60_000,
        hook: 'preHandler',
        keyGenerator: request => `suggest|${request.agent.id}`,
      },
    },
    schema: {
      params: IdParams,
      response: {
        200: SuggestionSchema,
        ...errors,
        422: ErrorResponseSchema,
        502: ErrorResponseSchema,
      },
    },
  }, async request => await suggestReply(app.db, request.agent, request.params.id))
}
