/** `/api/quick-replies`: canned answers agents insert in the composer. */
import type { Api } from './schemas.ts'
import { CreateQuickReplySchema, QuickReplyListSchema, QuickReplySchema, UpdateQuickReplySchema } from '../../../protocol/contacts.ts'
import { createQuickReply, deleteQuickReply, listQuickReplies, updateQuickReply } from '../services/quick-replies.ts'
import { ErrorResponseSchema, errors, IdParams, noContent, NoContent } from './schemas.ts'

export async function quickReplyRoutes(app: Api) {
  app.get('/api/quick-replies', {
    schema: {
      response: { 200: QuickReplyListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listQuickReplies(app.db, request.agent) }))

  app.post('/api/quick-replies', {
    schema: {
      body: CreateQuickReplySchema,
      response: { 201: QuickReplySchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createQuickReply(app, request.agent, request.body)))

  app.patch('/api/quick-replies/:id', {
    schema: {
      params: IdParams,
      body: UpdateQuickReplySchema,
      response: { 200: QuickReplySchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateQuickReply(app, request.agent, request.params.id, request.body))

  app.delete('/api/quick-replies/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteQuickReply(app, request.agent, request.params.id)
    return noContent(reply)
  })
}
