/** `/api/labels`: the workspace's labels. Any agent reads them; changing them is for admins (403 `forbidden`). */
import type { Api } from './schemas.ts'
import { CreateLabelSchema, LabelListSchema, LabelSchema, UpdateLabelSchema } from '../../../protocol/contacts.ts'
import { createLabel, deleteLabel, listLabels, updateLabel } from '../services/labels.ts'
import { ErrorResponseSchema, errors, IdParams, noContent, NoContent } from './schemas.ts'

export async function labelRoutes(app: Api) {
  app.get('/api/labels', {
    schema: {
      response: { 200: LabelListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listLabels(app.db, request.agent) }))

  app.post('/api/labels', {
    schema: {
      body: CreateLabelSchema,
      response: {
        200: LabelSchema,
        201: LabelSchema,
        ...errors,
        409: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { label, created } = await createLabel(app, request.agent, request.body)
    return reply.code(created ? 201 : 200).send(label)
  })

  app.patch('/api/labels/:id', {
    schema: {
      params: IdParams,
      body: UpdateLabelSchema,
      response: { 200: LabelSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateLabel(app, request.agent, request.params.id, request.body))

  app.delete('/api/labels/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteLabel(app, request.agent, request.params.id)
    return noContent(reply)
  })
}
