import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { TemplateSchema } from '../../../protocol/conversations.ts'
import { AppError } from '../errors.ts'
import { toTemplate } from '../serialize.ts'
import { syncTemplates } from '../services/templates.ts'
import { GraphError } from '../whatsapp/graph-client.ts'

export async function templateRoutes(app: FastifyInstance) {
  app.get('/api/templates', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(TemplateSchema),
        }),
        401: ErrorResponseSchema,
      },
    },
  }, async (request) => {
    const rows = await app.db.selectFrom('templates').selectAll().where('workspace_id', '=', request.agent!.workspace_id).orderBy('name').orderBy('language').execute()
    return {
      items: rows.map(toTemplate),
    }
  })

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
  }, async (request) => {
    if (request.agent!.role !== 'admin')
      throw new AppError(403, 'forbidden', 'only an admin can sync templates')
    const channels = await app.db.selectFrom('channels').select('id').where('workspace_id', '=', request.agent!.workspace_id).execute()
    let synced = 0
    try {
      for (const c of channels) {
        const { count, committed } = await syncTemplates(app.db, app.graph, c.id)
        app.publish(committed)
        synced += count
      }
    }
    catch (error) {
      if (error instanceof GraphError) {
        throw new AppError(502, 'whatsapp_error', `template sync failed: ${error.message}`, {
          details: { code: error.code },
        })
      }
      throw error
    }
    return { synced }
  })
}
