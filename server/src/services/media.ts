/**
 * Media through the server (agents never see the WhatsApp token): an upload goes to WhatsApp and
 * is remembered for a later send; a message's media is fetched from WhatsApp on demand.
 */
import type { UploadedMedia } from '../../../protocol/messages.ts'
import type { Db } from '../storage/db.ts'
import type { GraphChannel, GraphClient } from '../whatsapp/graph-client.ts'
import type { SessionAgent } from './sessions.ts'
import { MEDIA_RULES, mediaKindOf } from '../../../protocol/media.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { GraphError } from '../whatsapp/graph-client.ts'
import { visibleConversationRow } from './conversations.ts'

/** The part of an uploaded multipart file we use (@fastify/multipart's `MultipartFile`). */
export interface UploadedFile {
  mimetype: string
  filename?: string
  toBuffer: () => Promise<Buffer>
}

async function checkedBytes(file: UploadedFile): Promise<Buffer> {
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
  return bytes
}

/** Uploads `file` to WhatsApp for a conversation the caller may see (checked before: `visibleConversationRow`). */
export async function uploadMedia(app: { db: Db, graph: GraphClient }, conversation: { workspace_id: string, channel_id: string }, file: UploadedFile): Promise<UploadedMedia> {
  const bytes = await checkedBytes(file)
  const kind = mediaKindOf(file.mimetype)
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
  return {
    id: row.id,
    mimeType: row.mime_type,
    filename: row.filename,
    size: row.size,
  }
}

/** A message's media as WhatsApp serves it; 404 for messages the caller may not see or without media, 410 once WhatsApp forgot it. */
export async function messageMedia(app: { db: Db, graph: GraphClient }, agent: SessionAgent, messageId: string): Promise<{ mimeType: string, filename: string | null, bytes: Buffer }> {
  const message = await app.db.selectFrom('messages').select([
    'channel_id',
    'content',
    'type',
    'conversation_id',
  ]).where('id', '=', messageId).where('workspace_id', '=', agent.workspace_id).executeTakeFirst()
  if (!message)
    throw notFound('message')
  await visibleConversationRow(app.db, agent, message.conversation_id).catch(() => {
    throw notFound('message')
  })
  const content = JSON.parse(message.content) as { mediaId?: string, filename?: string }
  if (!content.mediaId)
    throw new AppError(404, 'not_found', 'this message has no media')
  const channel = await app.db.selectFrom('channels').selectAll().where('id', '=', message.channel_id).executeTakeFirstOrThrow()
  const { mimeType, response } = await download(app.graph, channel, content.mediaId)
  return {
    mimeType,
    filename: content.filename ?? null,
    bytes: Buffer.from(await response.arrayBuffer()),
  }
}

async function download(graph: GraphClient, channel: GraphChannel, mediaId: string) {
  try {
    const info = await graph.getMedia(channel, mediaId)
    const mimeType = info.mimeType || 'application/octet-stream'
    return { mimeType, response: await graph.downloadMedia(channel, info.url) }
  }
  catch (error) {
    if (error instanceof GraphError && (error.httpStatus === 404 || error.httpStatus === 400 || error.code === 100))
      throw new AppError(410, 'media_unavailable', 'WhatsApp no longer has this media (media ids expire after 30 days, inbound media after 7)')
    if (error instanceof GraphError)
      throw new AppError(502, 'whatsapp_error', `WhatsApp media download failed: ${error.message}`)
    throw error
  }
}
