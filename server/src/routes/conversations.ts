/**
 * `/api/conversations` for agents: list, history, send (queued), mark read, assign, media upload.
 * Every query is scoped to the caller's workspace; another workspace's ids answer 404. (A bot's
 * suggested reply, `/api/conversations/:id/suggest-reply`, is a bots route: routes/bots.ts.)
 */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { AssignSchema, BulkConversationsSchema, BulkResultSchema, ConversationEventSchema, ConversationPageSchema, ConversationSchema, ListConversationsQuerySchema, SetStatusSchema, SetTeamSchema } from '../../../protocol/conversations.ts'
import { MessagePageSchema, MessageSchema, SendMessageSchema, UploadedMediaSchema } from '../../../protocol/messages.ts'
import { AppError } from '../errors.ts'
import multipart from '../plugins/external/multipart.ts'
import { bulkUpdate, conversationEvents, getConversation, listConversations, markRead, markUnread, sendMessage, updateConversation, visibleConversationRow } from '../services/conversations.ts'
import { uploadMedia } from '../services/media.ts'
import { listMessages } from '../services/messages.ts'
import { ErrorResponseSchema, errors, IdParams } from './schemas.ts'

export async function conversationRoutes(app: Api) {
  // Multipart parsing for this file's routes only: elsewhere a multipart body answers 415.
  await app.register(multipart)
  stateRoutes(app)
  historyRoutes(app)
}

/** Listing, assignment, team, status, unread, bulk changes. */
function stateRoutes(app: Api) {
  app.get('/api/conversations', {
    schema: {
      querystring: ListConversationsQuerySchema,
      response: { 200: ConversationPageSchema, ...errors },
    },
  }, async request => await listConversations(app.db, request.agent, request.query))

  app.get('/api/conversations/:id', {
    schema: {
      params: IdParams,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await getConversation(app.db, request.agent, request.params.id))

  app.get('/api/conversations/:id/events', {
    schema: {
      params: IdParams,
      response: {
        200: Type.Object({
          items: Type.Array(ConversationEventSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await conversationEvents(app.db, request.agent, request.params.id) }))

  app.post('/api/conversations/:id/assign', {
    schema: {
      params: IdParams,
      body: AssignSchema,
      response: { 200: ConversationSchema, ...errors, 422: ErrorResponseSchema },
    },
  }, async request => await updateConversation(app, request.agent, request.params.id, { assigneeId: request.body.assigneeId }))

  app.post('/api/conversations/:id/team', {
    schema: {
      params: IdParams,
      body: SetTeamSchema,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await updateConversation(app, request.agent, request.params.id, { teamId: request.body.teamId }))

  app.post('/api/conversations/:id/status', {
    schema: {
      params: IdParams,
      body: SetStatusSchema,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await updateConversation(app, request.agent, request.params.id, { status: request.body.status, snoozedUntil: request.body.snoozedUntil ?? null }))

  app.post('/api/conversations/:id/unread', {
    schema: {
      params: IdParams,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await markUnread(app, request.agent, request.params.id))

  app.post('/api/conversations/bulk', {
    schema: {
      body: BulkConversationsSchema,
      response: { 200: BulkResultSchema, ...errors, 422: ErrorResponseSchema },
    },
  }, async request => await bulkUpdate(app, request.agent, request.body))
}

/** History, sending, read receipts, media upload. */
function historyRoutes(app: Api) {
  app.get('/api/conversations/:id/messages', {
    schema: {
      params: IdParams,
      querystring: Type.Object({
        before: Type.Optional(Type.String({ maxLength: 512 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
      response: { 200: MessagePageSchema, ...errors },
    },
  }, async request => await listMessages(app.db, request.agent, request.params.id, { before: request.query.before, limit: request.query.limit ?? 50 }))

  app.post('/api/conversations/:id/messages', {
    schema: {
      params: IdParams,
      body: SendMessageSchema,
      response: {
        200: MessageSchema,
        201: MessageSchema,
        ...errors,
        409: ErrorResponseSchema,
        422: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { message, created } = await sendMessage(app, request.agent, request.params.id, request.body)
    return reply.code(created ? 201 : 200).send(message)
  })

  app.post('/api/conversations/:id/read', {
    schema: {
      params: IdParams,
      response: {
        200: Type.Object({
          receiptQueued: Type.Boolean(),
        }),
        ...errors,
      },
    },
  }, async request => await markRead(app, request.agent, request.params.id))

  app.post('/api/conversations/:id/media', {
    schema: {
      params: IdParams,
      consumes: ['multipart/form-data'],
      response: {
        201: UploadedMediaSchema,
        ...errors,
        413: ErrorResponseSchema,
        502: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const conversation = await visibleConversationRow(app.db, request.agent, request.params.id)
    if (!request.isMultipart())
      throw new AppError(415, 'unsupported_media_type', 'send the file as multipart/form-data with a "file" field')
    const file = await request.file()
    if (!file)
      throw new AppError(400, 'invalid_request', 'file: missing', { field: 'file' })
    return reply.code(201).send(await uploadMedia(app, conversation, file))
  })
}
