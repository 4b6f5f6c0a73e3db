/**
 * The server as a Fastify app: storage (SQLite or PostgreSQL), the WhatsApp connector (webhooks
 * in, outbound worker out) and the API. `buildApp` is what tests and `server.ts` start. Shape of
 * fastify/demo: third-party plugins (plugins/external), then ours (plugins/app), then the routes.
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from './config.ts'
import type { GraphClient } from './whatsapp/graph-client.ts'
import Fastify, { LogController } from 'fastify'
import auth from './plugins/app/auth.ts'
import bots from './plugins/app/bots.ts'
import errorHandler from './plugins/app/error-handler.ts'
import gracefulClose from './plugins/app/graceful-close.ts'
import housekeeping from './plugins/app/housekeeping.ts'
import live from './plugins/app/live.ts'
import sendWorker from './plugins/app/send-worker.ts'
import storage from './plugins/app/storage.ts'
import whatsapp from './plugins/app/whatsapp.ts'
import cors from './plugins/external/cors.ts'
import rateLimit from './plugins/external/rate-limit.ts'
import swagger from './plugins/external/swagger.ts'
import websocket from './plugins/external/websocket.ts'
import { routes } from './routes/index.ts'

export interface BuildOptions {
  config: Config
  /** pino options, or false for silence (tests) */
  logger?: boolean | Record<string, unknown>
  graph?: GraphClient
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

function logger(options: BuildOptions) {
  if (options.logger === false)
    return false
  return {
    level: options.config.logLevel,
    redact: ['req.headers.authorization', 'req.headers["x-hub-signature-256"]'],
    serializers: {
      // The handshake carries the verify token in its query string: never log query strings.
      req: (req: { method: string, url: string, ip: string }) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
    },
    ...(typeof options.logger === 'object'
      ? options.logger
      : {}),
  }
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger(options),
    bodyLimit: 1024 * 1024,
    // Meta asks for an answer within seconds; a stuck request must not hold a socket forever.
    requestTimeout: 60_000,
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        allErrors: false,
        discriminator: true,
      },
    },
  })
  app.decorate('config', options.config)
  // First, so its preClose hook runs before @fastify/websocket's (which waits for live sockets).
  await app.register(gracefulClose)

  await app.register(cors)
  await app.register(swagger)
  await app.register(websocket)
  await app.register(rateLimit)

  // In dependency order; they close in reverse (timers first, the database last).
  await app.register(storage)
  await app.register(live)
  await app.register(whatsapp, { graph: options.graph })
  await app.register(sendWorker)
  await app.register(bots)
  await app.register(housekeeping)
  await app.register(auth)
  await app.register(errorHandler)

  await app.register(routes)
  return app
}
