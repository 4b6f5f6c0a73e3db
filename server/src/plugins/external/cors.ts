/** CORS for the extension's pages: any origin (the bearer token is the credential), preflight cached 10 min. */
import cors from '@fastify/cors'
import fp from 'fastify-plugin'

export default fp(async (app) => {
  await app.register(cors, {
    origin: true,
    methods: [
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ],
    maxAge: 600,
  })
}, { name: 'external-cors' })
