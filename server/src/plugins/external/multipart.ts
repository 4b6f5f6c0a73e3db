/**
 * Multipart bodies (media uploads), at most one file of `MEDIA_BODY_LIMIT` bytes. Registered only
 * inside the routes that take files (routes/conversations.ts), so every other route keeps
 * answering 415 to a multipart body.
 */
import multipart from '@fastify/multipart'
import fp from 'fastify-plugin'

export default fp(async (app) => {
  await app.register(multipart, {
    limits: { fileSize: app.config.mediaBodyLimit, files: 1, fields: 5 },
  })
}, { name: 'external-multipart' })
