/** `/api/health` (public): 200 while the database answers, 503 `degraded` otherwise. */
import type { Api } from './schemas.ts'
import { HealthSchema } from '../../../protocol/common.ts'
import { isReachable } from '../storage/db.ts'

export async function healthRoutes(app: Api) {
  app.get('/api/health', {
    schema: {
      security: [],
      response: { 200: HealthSchema, 503: HealthSchema },
    },
    config: { public: true },
  }, async (_request, reply) => {
    if (await isReachable(app.db))
      return { status: 'ok' as const, db: app.storage.engine }
    return reply.code(503).send({ status: 'degraded' as const, db: app.storage.engine })
  })
}
