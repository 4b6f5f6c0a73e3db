/**
 * `/api/messages/:id/media`: a message's media, fetched from WhatsApp for an agent who may see the
 * conversation. Served bytes are the customer's: never let a browser run them as a page of ours.
 */
import type { Api } from './schemas.ts'
import { messageMedia } from '../services/media.ts'
import { IdParams } from './schemas.ts'

const INLINE_TYPES = /^(?:image\/(?:jpeg|png|webp)|audio\/|video\/)/

export async function messageRoutes(app: Api) {
  app.get('/api/messages/:id/media', {
    schema: {
      params: IdParams,
      produces: ['application/octet-stream'],
    },
  }, async (request, reply) => {
    const { mimeType, filename, bytes } = await messageMedia(app, request.agent, request.params.id)
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
    return reply.send(bytes)
  })
}
