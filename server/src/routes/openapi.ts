/** `/api/openapi.json` (public): the OpenAPI document of every route not hidden (plugins/external/swagger.ts). */
import type { Api } from './schemas.ts'

export async function openapiRoutes(app: Api) {
  app.get('/api/openapi.json', {
    schema: { hide: true },
    config: { public: true },
  }, async () => app.swagger())
}
