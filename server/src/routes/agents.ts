/**
 * `/api/agents`: the team's agents. Any agent may read them; inviting and changing them is for
 * admins, except an agent's own name and availability. Another workspace's ids answer 404. (The
 * password change lives with the other session routes in routes/auth.ts.)
 */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { AgentSchema, InviteAgentSchema, InvitedAgentSchema, UpdateAgentSchema } from '../../../protocol/team.ts'
import { getAgent, inviteAgent, listAgents, updateAgent } from '../services/agents.ts'
import { ErrorResponseSchema, errors } from './schemas.ts'

const AgentIdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'an agent id, or `me` for the caller' }),
})

export async function agentRoutes(app: Api) {
  app.get('/api/agents', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(AgentSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listAgents(app.db, request.agent) }))

  app.get('/api/agents/:id', {
    schema: {
      params: AgentIdParams,
      response: { 200: AgentSchema, ...errors },
    },
  }, async request => await getAgent(app.db, request.agent, request.params.id))

  app.post('/api/agents', {
    schema: {
      description: 'Admins invite an agent. Without `password` the server generates one and answers it once.',
      body: InviteAgentSchema,
      response: { 201: InvitedAgentSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await inviteAgent(app, request.agent, request.body)))

  app.patch('/api/agents/:id', {
    schema: {
      description: 'Admins change anyone; an agent changes only their own `name` and `availability`. Deactivating ends the agent\'s sessions.',
      params: AgentIdParams,
      body: UpdateAgentSchema,
      response: {
        200: AgentSchema,
        ...errors,
        409: ErrorResponseSchema,
        422: ErrorResponseSchema,
      },
    },
  }, async request => await updateAgent(app, request.agent, request.params.id, request.body))
}
