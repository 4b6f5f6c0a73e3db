/** `GET /api/sync`: a snapshot, then the changes after a cursor (services/sync.ts). */
import type { Api } from './schemas.ts'
import { SyncQuerySchema, SyncResponseSchema } from '../../../protocol/sync.ts'
import { pull } from '../services/sync.ts'
import { ErrorResponseSchema } from './schemas.ts'

export async function syncRoutes(app: Api) {
  app.get('/api/sync', {
    schema: {
      querystring: SyncQuerySchema,
      response: {
        200: SyncResponseSchema,
        400: ErrorResponseSchema,
        401: ErrorResponseSchema,
        410: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { since, limit = 1000 } = request.query
    const page = await pull(app.db, request.agent, since, limit, app.sequencer)
    // The schema documents the shape; entities inside `data` are already wire objects.
    return reply.serializer(JSON.stringify).send(page)
  })
}
