import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { HealthSchema } from '../../../protocol/common.ts'

export async function healthRoutes(app: FastifyInstance) {
  app.get('/api/health', {
    schema: {
      security: [],
      response: { 200: HealthSchema, 503: HealthSchema },
    },
    config: { public: true },
  }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db)
      return { status: 'ok' as const, db: app.storage.engine }
    }
    catch {
      return reply.code(503).send({ status: 'degraded' as const, db: app.storage.engine })
    }
  })
}
