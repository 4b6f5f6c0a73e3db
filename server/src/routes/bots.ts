/**
 * Bots: settings and knowledge base (admins; 403 `forbidden` otherwise), the "test this message"
 * trace (admins), and a suggested reply for any agent who may see the conversation.
 */
import type { FastifyInstance } from 'fastify'
import type { BotSettingsInput, BotTestRequest, CreateKbEntry, ListKbQuery, UpdateKbEntry } from '../../../protocol/bots.ts'
import Type from 'typebox'
import { BotSettingsInputSchema, BotSettingsSchema, BotTestRequestSchema, BotTraceSchema, CreateKbEntrySchema, KbEntrySchema, KbPageSchema, ListKbQuerySchema, SuggestionSchema, UpdateKbEntrySchema } from '../../../protocol/bots.ts'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { suggestReply, testMessage } from '../bots/assist.ts'
import { createKnowledge, deleteKnowledge, listKnowledge, updateKnowledge } from '../bots/knowledge.ts'
import { getSettings, saveSettings } from '../bots/settings.ts'

const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
})
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
}

export async function botRoutes(app: FastifyInstance) {
  app.get('/api/bots', {
    schema: {
      response: { 200: BotSettingsSchema, ...errors },
    },
  }, async request => await getSettings(app.db, request.agent!))

  app.put('/api/bots', {
    schema: {
      body: BotSettingsInputSchema,
      response: { 200: BotSettingsSchema, ...errors },
    },
  }, async request => await saveSettings(app, request.agent!, request.body as BotSettingsInput))

  app.get('/api/bots/knowledge', {
    schema: {
      querystring: ListKbQuerySchema,
      response: { 200: KbPageSchema, ...errors },
    },
  }, async request => await listKnowledge(app.db, request.agent!, request.query as ListKbQuery))

  app.post('/api/bots/knowledge', {
    schema: {
      body: CreateKbEntrySchema,
      response: { 201: KbEntrySchema, ...errors },
    },
  }, async (request, reply) => reply.code(201).send(await createKnowledge(app.db, request.agent!, request.body as CreateKbEntry)))

  app.patch('/api/bots/knowledge/:id', {
    schema: {
      params: IdParams,
      body: UpdateKbEntrySchema,
      response: { 200: KbEntrySchema, ...errors },
    },
  }, async request => await updateKnowledge(app.db, request.agent!, (request.params as { id: string }).id, request.body as UpdateKbEntry))

  app.delete('/api/bots/knowledge/:id', {
    schema: {
      params: IdParams,
      response: { ...errors },
    },
  }, async (request, reply) => {
    await deleteKnowledge(app.db, request.agent!, (request.params as { id: string }).id)
    return reply.code(204).send()
  })

  app.post('/api/bots/test', {
    schema: {
      body: BotTestRequestSchema,
      response: { 200: BotTraceSchema, ...errors },
    },
  }, async request => await testMessage(app.db, request.agent!, request.body as BotTestRequest))

  app.post('/api/conversations/:id/suggest-reply', {
    // Each may call the configured provider (its time and its bill): 20 a minute per agent.
    config: {
      rateLimit: {
        max: 20,
        timeWindow: 60_000,
        hook: 'preHandler',
        keyGenerator: request => `suggest|${request.agent?.id ?? request.ip}`,
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
  }, async request => await suggestReply(app.db, request.agent!, (request.params as { id: string }).id))
}
