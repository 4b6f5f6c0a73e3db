/** `POST /api/mutations`: the client's queued actions, applied idempotently by mutation id, each answered on its own (services/mutations.ts). */
import type { Api } from './schemas.ts'
import { MutationBatchResultSchema, MutationBatchSchema } from '../../../protocol/sync.ts'
import { applyMutations } from '../services/mutations.ts'
import { ErrorResponseSchema } from './schemas.ts'

export async function mutationRoutes(app: Api) {
  app.post('/api/mutations', {
    schema: {
      body: MutationBatchSchema,
      response: { 200: MutationBatchResultSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
    },
  }, async (request, reply) => {
    const results = await applyMutations(app, request.agent, request.body.mutations, request.log)
    return reply.serializer(JSON.stringify).send({ results })
  })
}
