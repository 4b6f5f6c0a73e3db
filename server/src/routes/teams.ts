/** `/api/teams`: any agent reads them; creating, changing and deleting them is for admins. */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { CreateTeamSchema, TeamSchema, UpdateTeamSchema } from '../../../protocol/team.ts'
import { createTeam, deleteTeam, listTeams, updateTeam } from '../services/agents.ts'
import { ErrorResponseSchema, errors, IdParams, noContent } from './schemas.ts'

export async function teamRoutes(app: Api) {
  app.get('/api/teams', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(TeamSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listTeams(app.db, request.agent) }))

  app.post('/api/teams', {
    schema: {
      body: CreateTeamSchema,
      response: { 201: TeamSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createTeam(app, request.agent, request.body)))

  app.patch('/api/teams/:id', {
    schema: {
      description: 'Rename a team and/or replace its members (`agentIds` is the whole new set).',
      params: IdParams,
      body: UpdateTeamSchema,
      response: { 200: TeamSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateTeam(app, request.agent, request.params.id, request.body))

  app.delete('/api/teams/:id', {
    schema: {
      description: 'Deletes the team; its conversations keep their assignee and lose the team.',
      params: IdParams,
      response: {
        204: Type.Null(),
        ...errors,
      },
    },
  }, async (request, reply) => {
    await deleteTeam(app, request.agent, request.params.id)
    return noContent(reply)
  })
}
