/** `/api/templates`: the WhatsApp message templates of the workspace's numbers; admins sync them from Meta. */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { TemplateSchema } from '../../../protocol/conversations.ts'
import { listTemplates, syncWorkspaceTemplates } from '../services/templates.ts'
import { ErrorResponseSchema } from './schemas.ts'

export async function templateRoutes(app: Api) {
  app.get('/api/templates', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(TemplateSchema),
        }),
        401: ErrorResponseSchema,
      },
    },
  }, async request => ({ items: await listTemplates(app.db, request.agent) }))

  app.post('/api/templates/sync', {
    schema: {
      response: {
        200: Type.Object({
          synced: Type.Integer(),
        }),
        401: ErrorResponseSchema,
        403: ErrorResponseSchema,
        502: ErrorResponseSchema,
      },
    },
  }, async request => ({ synced: await syncWorkspaceTemplates(app, request.agent) }))
}
