/** The OpenAPI document built from the route schemas (served by routes/openapi.ts). */
import swagger from '@fastify/swagger'
import fp from 'fastify-plugin'

export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      info: { title: 'WA Inbox API', version: '0.1.0', description: 'The WA Inbox server: WhatsApp Cloud API connector and team inbox API.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [
        { bearer: [] },
      ],
    },
  })
}, { name: 'external-swagger' })
