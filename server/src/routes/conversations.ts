/**
 * Conversations and messages for agents: list, history, send (queued), mark read, media upload
 * and download through the server (agents never see the WhatsApp token). Every query is scoped
 * to the caller's workspace; another workspace's ids answer 404.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Assign, BulkConversations, ListConversationsQuery, SetStatus, SetTeam } from '../../../protocol/conversations.ts'
import type { SendMessage } from '../../../protocol/messages.ts'
import Type from 'typebox'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { AssignSchema, BulkConversationsSchema, BulkResultSchema, ConversationEventSchema, ConversationPageSchema, ConversationSchema, ListConversationsQuerySchema, SetStatusSchema, SetTeamSchema } from '../../../protocol/conversations.ts'
import { MEDIA_RULES, mediaKindOf } from '../../../protocol/media.ts'
import { MessagePageSchema, MessageSchema, SendMessageSchema, UploadedMediaSchema } from '../../../protocol/messages.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import multipart from '../plugins/external/multipart.ts'
import { decodeCursor, encodeCursor, toMessage } from '../serialize.ts'
import { bulkUpdate, conversationEvents, getConversation, listConversations, markRead, markUnread, sendMessage, updateConversation, visibleConversationRow } from '../services/conversations.ts'
import { GraphError } from '../whatsapp/graph-client.ts'

const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
})
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
}

export async function conversationRoutes(app: FastifyInstance) {
  await app.register(multipart)

  app.get('/api/conversations', {
    schema: {
      querystring: ListConversationsQuerySchema,
      response: { 200: ConversationPageSchema, ...errors },
    },
  }, async request => await listConversations(app.db, request.agent!, request.query as ListConversationsQuery))

  app.get('/api/conversations/:id', {
    schema: {
      params: IdParams,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await getConversation(app.db, request.agent!, (request.params as { id: string }).id))

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
  }, async request => ({ items: await conversationEvents(app.db, request.agent!, (request.params as { id: string }).id) }))

  app.post('/api/conversations/:id/assign', {
    schema: {
      params: IdParams,
      body: AssignSchema,
      response: { 200: ConversationSchema, ...errors, 422: ErrorResponseSchema },
    },
  }, async request => await updateConversation(app, request.agent!, (request.params as { id: string }).id, { assigneeId: (request.body as Assign).assigneeId }))

  app.post('/api/conversations/:id/team', {
    schema: {
      params: IdParams,
      body: SetTeamSchema,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await updateConversation(app, request.agent!, (request.params as { id: string }).id, { teamId: (request.body as SetTeam).teamId }))

  app.post('/api/conversations/:id/status', {
    schema: {
      params: IdParams,
      body: SetStatusSchema,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async (request) => {
    const body = request.body as SetStatus
    return await updateConversation(app, request.agent!, (request.params as { id: string }).id, { status: body.status, snoozedUntil: body.snoozedUntil ?? null })
  })

  app.post('/api/conversations/:id/unread', {
    schema: {
      params: IdParams,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async request => await markUnread(app, request.agent!, (request.params as { id: string }).id))

  app.post('/api/conversations/bulk', {
    schema: {
      body: BulkConversationsSchema,
      response: { 200: BulkResultSchema, ...errors, 422: ErrorResponseSchema },
    },
  }, async request => await bulkUpdate(app, request.agent!, request.body as BulkConversations))

  app.get('/api/conversations/:id/messages', {
    schema: {
      params: IdParams,
      querystring: Type.Object({
        before: Type.Optional(Type.String({ maxLength: 512 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
      response: { 200: MessagePageSchema, ...errors },
    },
  }, async (request) => {
    const { id } = request.params as { id: string }
    const { before, limit = 50 } = request.query as { before?: string, limit?: number }
    await visibleConversationRow(app.db, request.agent!, id)
    const cursor = decodeCursor(before)
    if (before && !cursor)
      throw new AppError(400, 'invalid_request', 'before: not a cursor this server issued', { field: 'before' })
    let query = app.db.selectFrom('messages').selectAll().where('conversation_id', '=', id).orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit + 1)
    if (cursor) {
      query = query.where(eb => eb.or([
        eb('timestamp', '<', cursor[0]),
        eb.and([
          eb('timestamp', '=', cursor[0]),
          eb('id', '<', cursor[1]),
        ]),
      ]))
    }
    const rows = await query.execute()
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(toMessage),
      nextCursor: rows.length > limit && last
        ? encodeCursor([last.timestamp, last.id])
        : null,
    }
  })

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
    const { id } = request.params as { id: string }
    const { message, created } = await sendMessage(app, request.agent!, id, request.body as SendMessage)
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
  }, async (request) => {
    const { id } = request.params as { id: string }
    return await markRead(app, request.agent!, id)
  })

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
    const { id } = request.params as { id: string }
    const conversation = await visibleConversationRow(app.db, request.agent!, id)
    if (!request.isMultipart())
      throw new AppError(415, 'unsupported_media_type', 'send the file as multipart/form-data with a "file" field')
    const file = await request.file()
    if (!file)
      throw new AppError(400, 'invalid_request', 'file: missing', { field: 'file' })
    const kind = mediaKindOf(file.mimetype)
    if (!kind) {
      await file.toBuffer().catch(() => {})
      throw new AppError(415, 'media_type_unsupported', `WhatsApp does not accept ${file.mimetype}`, { field: 'file' })
    }
    const bytes = await file.toBuffer()
    if (bytes.length > MEDIA_RULES[kind].maxBytes) {
      throw new AppError(413, 'media_too_large', `${kind} files may be at most ${MEDIA_RULES[kind].maxBytes} bytes`, {
        field: 'file',
        details: { maxBytes: MEDIA_RULES[kind].maxBytes },
      })
    }
    if (bytes.length === 0)
      throw new AppError(400, 'invalid_request', 'file: empty', { field: 'file' })
    const channel = await app.db.selectFrom('channels').selectAll().where('id', '=', conversation.channel_id).executeTakeFirstOrThrow()
    const filename = file.filename
      ? file.filename.slice(0, 240)
      : null
    let metaMediaId: string
    try {
      metaMediaId = await app.graph.uploadMedia(channel, { bytes, mimeType: file.mimetype, filename: filename ?? `${kind}` })
    }
    catch (error) {
      if (error instanceof GraphError) {
        throw new AppError(502, 'whatsapp_error', `WhatsApp refused the upload: ${error.message}`, {
          details: { code: error.code, title: error.title },
        })
      }
      throw error
    }
    const row = {
      id: newId(),
      workspace_id: conversation.workspace_id,
      channel_id: channel.id,
      meta_media_id: metaMediaId,
      mime_type: file.mimetype,
      filename,
      size: bytes.length,
      created_at: Date.now(),
    }
    await app.db.insertInto('media').values(row).execute()
    return reply.code(201).send({
      id: row.id,
      mimeType: row.mime_type,
      filename: row.filename,
      size: row.size,
    })
  })

  app.get('/api/messages/:id/media', {
    schema: {
      params: IdParams,
      produces: ['application/octet-stream'],
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const message = await app.db.selectFrom('messages').select([
      'channel_id',
      'content',
      'type',
      'conversation_id',
    ]).where('id', '=', id).where('workspace_id', '=', request.agent!.workspace_id).executeTakeFirst()
    if (!message)
      throw notFound('message')
    await visibleConversationRow(app.db, request.agent!, message.conversation_id).catch(() => {
      throw notFound('message')
    })
    const content = JSON.parse(message.content) as { mediaId?: string, filename?: string }
    if (!content.mediaId)
      throw new AppError(404, 'not_found', 'this message has no media')
    const channel = await app.db.selectFrom('channels').selectAll().where('id', '=', message.channel_id).executeTakeFirstOrThrow()
    return await streamMedia(reply, app, channel, content.mediaId, content.filename ?? null)
  })
}

const INLINE_TYPES = /^(?:image\/(?:jpeg|png|webp)|audio\/|video\/)/

async function streamMedia(reply: FastifyReply, app: FastifyInstance, channel: { phone_number_id: string, waba_id: string, access_token: string }, mediaId: string, filename: string | null) {
  let response: Response
  let mimeType: string
  try {
    const info = await app.graph.getMedia(channel, mediaId)
    mimeType = info.mimeType || 'application/octet-stream'
    response = await app.graph.downloadMedia(channel, info.url)
  }
  catch (error) {
    if (error instanceof GraphError && (error.httpStatus === 404 || error.httpStatus === 400 || error.code === 100))
      throw new AppError(410, 'media_unavailable', 'WhatsApp no longer has this media (media ids expire after 30 days, inbound media after 7)')
    if (error instanceof GraphError)
      throw new AppError(502, 'whatsapp_error', `WhatsApp media download failed: ${error.message}`)
    throw error
  }
  // Served bytes are the customer's: never let a browser run them as a page of ours.
  reply.header('content-type', mimeType)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('content-security-policy', 'sandbox; default-src \'none\'')
  reply.header('cache-control', 'private, max-age=3600')
  const disposition = INLINE_TYPES.test(mimeType)
    ? 'inline'
    : 'attachment'
  reply.header('content-disposition', filename
    ? `${disposition}; filename*=UTF-8''${encodeURIComponent(filename)}`
    : disposition)
  // No upstream content-length: fetch may have decoded a compressed body; Fastify sets the real one.
  return reply.send(Buffer.from(await response.arrayBuffer()))
}
