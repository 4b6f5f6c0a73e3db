/** `/api/channels`: the workspace's WhatsApp numbers. Any agent lists them; admins connect one. */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { ChannelSchema, CreateChannelSchema } from '../../../protocol/team.ts'
import { createChannel, listChannels } from '../services/agents.ts'
import { ErrorResponseSchema, errors } from './schemas.ts'

export async function channelRoutes(app: Api) {
  app.get('/api/channels', {
    schema: {
      response: {
        200: Type.Object({
          items: Type.Array(ChannelSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await listChannels(app.db, request.agent) }))

  app.post('/api/channels', {
    schema: {
      description: 'Admins connect a WhatsApp number. Its token and secrets are never served back.',
      body: CreateChannelSchema,
      response: { 201: ChannelSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createChannel(app, request.agent, request.body)))
}
