/** `/api/openapi.json`: the OpenAPI document of every route not hidden (plugins/external/swagger.ts). */
import type { FastifyInstance } from 'fastify'

export async function openapiRoutes(app: FastifyInstance) {
  app.get('/api/openapi.json', {
    schema: { hide: true },
    config: { public: true },
  }, async () => app.swagger())
}
