/**
 * The team API: agents, teams and WhatsApp numbers (channels). Any agent may read them; changing
 * them is for admins, except an agent's own name and availability. Every query is scoped to the
 * caller's workspace; another workspace's ids answer 404. (The password change lives with the
 * other session routes in routes/auth.ts.)
 */
import type { FastifyInstance } from 'fastify'
import type { CreateChannel, CreateTeam, InviteAgent, UpdateAgent, UpdateTeam } from '../../../protocol/team.ts'
import Type from 'typebox'
import { ErrorResponseSchema, IdSchema } from '../../../protocol/common.ts'
import { AgentSchema, ChannelSchema, CreateChannelSchema, CreateTeamSchema, InviteAgentSchema, InvitedAgentSchema, TeamSchema, UpdateAgentSchema, UpdateTeamSchema } from '../../../protocol/team.ts'
import { createChannel, createTeam, deleteTeam, getAgent, inviteAgent, listAgents, listChannels, listTeams, updateAgent, updateTeam } from '../services/agents.ts'

const IdParams = Type.Object({
  id: IdSchema,
})
const AgentIdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'an agent id, or `me` for the caller' }),
})
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
}

export async function agentRoutes(app: FastifyInstance) {
  app.get('/api/agents', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(AgentSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listAgents(app.db, request.agent!) }))

  app.get('/api/agents/:id', {
    schema: {
      params: AgentIdParams,
      response: { 200: AgentSchema, ...errors },
    },
  }, async request => await getAgent(app.db, request.agent!, (request.params as { id: string }).id))

  app.post('/api/agents', {
    schema: {
      description: 'Admins invite an agent. Without `password` the server generates one and answers it once.',
      body: InviteAgentSchema,
      response: { 201: InvitedAgentSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await inviteAgent(app, request.agent!, request.body as InviteAgent)))

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
  }, async request => await updateAgent(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateAgent))

  app.get('/api/teams', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(TeamSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listTeams(app.db, request.agent!) }))

  app.post('/api/teams', {
    schema: {
      body: CreateTeamSchema,
      response: { 201: TeamSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createTeam(app, request.agent!, request.body as CreateTeam)))

  app.patch('/api/teams/:id', {
    schema: {
      description: 'Rename a team and/or replace its members (`agentIds` is the whole new set).',
      params: IdParams,
      body: UpdateTeamSchema,
      response: { 200: TeamSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateTeam(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateTeam))

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
    await deleteTeam(app, request.agent!, (request.params as { id: string }).id)
    return reply.code(204).send()
  })

  app.get('/api/channels', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(ChannelSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listChannels(app.db, request.agent!) }))

  app.post('/api/channels', {
    schema: {
      description: 'Admins connect a WhatsApp number. Its token and secrets are never served back.',
      body: CreateChannelSchema,
      response: { 201: ChannelSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createChannel(app, request.agent!, request.body as CreateChannel)))
}
