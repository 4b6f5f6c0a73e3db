/**
 * Conversations and messages for agents: list, history, send (queued), mark read, media upload
 * and download through the server (agents never see the WhatsApp token). Every query is scoped
 * to the caller's workspace; another workspace's ids answer 404.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { SendMessage } from '../../../protocol/messages.ts'
import multipart from '@fastify/multipart'
import { sql } from 'kysely'
import Type from 'typebox'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { ConversationPageSchema, ConversationSchema } from '../../../protocol/conversations.ts'
import { MEDIA_RULES, mediaKindOf } from '../../../protocol/media.ts'
import { MessagePageSchema, MessageSchema, SendMessageSchema, UploadedMediaSchema } from '../../../protocol/messages.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { decodeCursor, encodeCursor, toConversation, toMessage } from '../serialize.ts'
import { GraphError } from '../whatsapp/graph-client.ts'
import { queueMarkRead, queueMessage } from '../whatsapp/outbound.ts'

const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
})
const errors = { 400: ErrorResponseSchema, 401: ErrorResponseSchema, 404: ErrorResponseSchema }

export async function conversationRoutes(app: FastifyInstance) {
  await app.register(multipart, {
    limits: { fileSize: app.config.mediaBodyLimit, files: 1, fields: 5 },
  })

  app.get('/api/conversations', {
    schema: {
      querystring: Type.Object({
        cursor: Type.Optional(Type.String({ maxLength: 512 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
      }),
      response: { 200: ConversationPageSchema, ...errors },
    },
  }, async (request) => {
    const { cursor, limit = 50 } = request.query as { cursor?: string, limit?: number }
    const after = decodeCursor(cursor)
    if (cursor && !after)
      throw new AppError(400, 'invalid_request', 'cursor: not a cursor this server issued', { field: 'cursor' })
    const activity = sql<number>`coalesce(conversations.last_message_at, conversations.created_at)`
    let query = app.db.selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .selectAll('conversations')
      .select([
        'contacts.wa_id',
        'contacts.user_id',
        'contacts.username',
        'contacts.profile_name',
        'contacts.created_at as contact_created_at',
        'contacts.updated_at as contact_updated_at',
      ])
      .select(activity.as('activity'))
      .where('conversations.workspace_id', '=', request.agent!.workspace_id)
      .orderBy(activity, 'desc')
      .orderBy('conversations.id', 'desc')
      .limit(limit + 1)
    if (after) {
      query = query.where(eb => eb.or([
        eb(activity, '<', after[0]),
        eb.and([
          eb(activity, '=', after[0]),
          eb('conversations.id', '<', after[1]),
        ]),
      ]))
    }
    const rows = await query.execute()
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(r => toConversation(r, {
        id: r.contact_id,
        workspace_id: r.workspace_id,
        wa_id: r.wa_id,
        user_id: r.user_id,
        username: r.username,
        profile_name: r.profile_name,
        created_at: r.contact_created_at,
        updated_at: r.contact_updated_at,
      })),
      nextCursor: rows.length > limit && last
        ? encodeCursor([last.activity, last.id])
        : null,
    }
  })

  app.get('/api/conversations/:id', {
    schema: {
      params: IdParams,
      response: { 200: ConversationSchema, ...errors },
    },
  }, async (request) => {
    const { id } = request.params as { id: string }
    const conversation = await app.db.selectFrom('conversations').selectAll().where('id', '=', id).where('workspace_id', '=', request.agent!.workspace_id).executeTakeFirst()
    if (!conversation)
      throw notFound('conversation')
    const contact = await app.db.selectFrom('contacts').selectAll().where('id', '=', conversation.contact_id).executeTakeFirstOrThrow()
    return toConversation(conversation, contact)
  })

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
    await ownConversation(app, id, request.agent!.workspace_id)
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
    const { message, created } = await queueMessage(app.db, request.agent!.workspace_id, id, request.body as SendMessage)
    if (created)
      app.worker?.wake()
    return reply.code(created ? 201 : 200).send(toMessage(message))
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
    const receiptQueued = await queueMarkRead(app.db, request.agent!.workspace_id, id)
    if (receiptQueued)
      app.worker?.wake()
    return { receiptQueued }
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
    const conversation = await ownConversation(app, id, request.agent!.workspace_id)
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
    const message = await app.db.selectFrom('messages').select(['channel_id', 'content', 'type']).where('id', '=', id).where('workspace_id', '=', request.agent!.workspace_id).executeTakeFirst()
    if (!message)
      throw notFound('message')
    const content = JSON.parse(message.content) as { mediaId?: string, filename?: string }
    if (!content.mediaId)
      throw new AppError(404, 'not_found', 'this message has no media')
    const channel = await app.db.selectFrom('channels').selectAll().where('id', '=', message.channel_id).executeTakeFirstOrThrow()
    return await streamMedia(reply, app, channel, content.mediaId, content.filename ?? null)
  })
}

async function ownConversation(app: FastifyInstance, id: string, workspaceId: string) {
  const conversation = await app.db.selectFrom('conversations').select(['id', 'channel_id', 'workspace_id']).where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (!conversation)
    throw notFound('conversation')
  return conversation
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
