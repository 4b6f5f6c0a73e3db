/** `/api/workspace`: the caller's workspace, read by every agent, settings changed by admins (403 `forbidden` otherwise). */
import type { Api } from './schemas.ts'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { UpdateWorkspaceSchema, WorkspaceSchema } from '../../../protocol/workspace.ts'
import { getWorkspace, updateWorkspace } from '../services/workspace.ts'

export async function workspaceRoutes(app: Api) {
  app.get('/api/workspace', {
    schema: {
      response: { 200: WorkspaceSchema, 401: ErrorResponseSchema, 404: ErrorResponseSchema },
    },
  }, async request => await getWorkspace(app.db, request.agent))

  app.patch('/api/workspace', {
    schema: {
      body: UpdateWorkspaceSchema,
      response: {
        200: WorkspaceSchema,
        400: ErrorResponseSchema,
        401: ErrorResponseSchema,
        403: ErrorResponseSchema,
        404: ErrorResponseSchema,
      },
    },
  }, async request => await updateWorkspace(app, request.agent, request.body))
}
