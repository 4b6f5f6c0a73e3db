/**
 * The server as a Fastify app: storage (SQLite or PostgreSQL), the WhatsApp connector (webhooks
 * in, outbound worker out) and the API. `buildApp` is what tests and `server.ts` start.
 */
import type { FastifyError, FastifyInstance } from 'fastify'
import type { BotRunner } from './bots/runner.ts'
import type { Config } from './config.ts'
import type { Committed } from './services/changes.ts'
import type { GraphClient } from './whatsapp/graph-client.ts'
import type { OutboundWorker } from './whatsapp/worker.ts'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import websocket from '@fastify/websocket'
import Fastify, { LogController } from 'fastify'
import { createBotRunner, pruneBotJobs } from './bots/runner.ts'
import { AppError } from './errors.ts'
import { refreshAllFacts } from './reports/index.ts'
import { agentRoutes } from './routes/agents.ts'
import { authRoutes } from './routes/auth.ts'
import { botRoutes } from './routes/bots.ts'
import { contactRoutes } from './routes/contacts.ts'
import { conversationRoutes } from './routes/conversations.ts'
import { healthRoutes } from './routes/health.ts'
import { liveRoutes } from './routes/live.ts'
import { reportRoutes } from './routes/reports.ts'
import { syncRoutes } from './routes/sync.ts'
import { templateRoutes } from './routes/templates.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { workspaceRoutes } from './routes/workspace.ts'
import { bootstrap } from './services/bootstrap.ts'
import { pruneChanges } from './services/changes.ts'
import { createChannelRegistry } from './services/channels.ts'
import { reopenDueSnoozes } from './services/conversations.ts'
import { createLiveHub } from './services/live.ts'
import { createSequencer } from './services/sequencer.ts'
import { authenticate } from './services/sessions.ts'
import { syncAllTemplates } from './services/templates.ts'
import { migrate, openStorage } from './storage/db.ts'
import { createGraphClient } from './whatsapp/graph-client.ts'
import { createOutboundWorker } from './whatsapp/worker.ts'

export interface BuildOptions {
  config: Config
  /** pino options, or false for silence (tests) */
  logger?: boolean | Record<string, unknown>
  graph?: GraphClient
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    storage: import('./storage/db.ts').Storage
    db: import('./storage/db.ts').Db
    channels: import('./services/channels.ts').ChannelRegistry
    graph: GraphClient
    worker: OutboundWorker | null
    /** the bots' runner (null when BOTS=0) */
    bots: BotRunner | null
    live: import('./services/live.ts').LiveHub
    sequencer: import('./services/sequencer.ts').Sequencer
    /** Call after a commit that recorded changes: they get numbered, then every live client of those workspaces (on every instance) is told to pull. */
    publish: (committed: Committed[]) => void
  }
  interface FastifyRequest {
    agent: import('./services/sessions.ts').SessionAgent | null
  }
}

// `/api/live` authenticates inside the socket: browsers cannot set headers on a WebSocket.
const PUBLIC_ROUTES = new Set([
  '/api/health',
  '/api/auth/login',
  '/api/openapi.json',
  '/api/live',
])

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: options.logger === false
      ? false
      : {
          level: config.logLevel,
          redact: ['req.headers.authorization', 'req.headers["x-hub-signature-256"]'],
          serializers: {
            // The handshake carries the verify token in its query string: never log query strings.
            req: req => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }),
          },
          ...(typeof options.logger === 'object'
            ? options.logger
            : {}),
        },
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

  const storage = openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous })
  app.decorate('storage', storage)
  app.decorate('db', storage.db)
  app.decorate('config', config)
  app.decorate('live', createLiveHub({ databaseUrl: config.databaseUrl, log: app.log }))
  app.decorate('sequencer', createSequencer({
    db: storage.db,
    engine: storage.engine,
    log: app.log,
    onSequenced: events => app.live.publish(events),
  }))
  app.decorate('publish', (committed: Committed[]) => {
    const numbered = committed.filter((c): c is Required<Committed> => c.seq !== undefined)
    if (numbered.length > 0)
      app.live.publish(numbered)
    if (numbered.length < committed.length)
      app.sequencer.wake()
  })
  // Graceful close: in-flight requests may finish, but keep-alive sockets (Meta's, the
  // simulator's) that go idle after Node's one-time idle sweep would hold close() open until
  // keepAliveTimeout (72 s). Keep sweeping idle sockets; after 5 s close whatever is left (an
  // unanswered webhook is redelivered by Meta and deduplicated by wamid).
  app.addHook('preClose', (done) => {
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
    const force = setTimeout(() => app.server.closeAllConnections(), 5000)
    app.server.once('close', () => {
      clearInterval(sweep)
      clearTimeout(force)
    })
    sweep.unref()
    force.unref()
    done()
  })
  let snoozeTimer: NodeJS.Timeout | undefined
  let pruneTimer: NodeJS.Timeout | undefined
  let reportsTimer: NodeJS.Timeout | undefined
  let reportsRefresh: Promise<unknown> | null = null
  app.addHook('onClose', async () => {
    clearInterval(snoozeTimer)
    clearInterval(pruneTimer)
    clearInterval(reportsTimer)
    await reportsRefresh
    await app.bots?.stop()
    await app.worker?.stop()
    await app.sequencer.stop()
    await app.live.close()
    await storage.close()
  })

  const applied = await migrate(storage)
  if (applied.length > 0)
    app.log.info({ migrations: applied, db: storage.engine }, 'database migrated')
  const boot = await bootstrap(storage.db, config, Date.now(), storage.engine)
  if (boot.createdAdmin)
    app.log.info({ email: config.adminEmail }, 'created the first admin')

  app.decorate('channels', await createChannelRegistry(storage.db))
  app.decorate('graph', options.graph ?? createGraphClient({ graphUrl: config.graphUrl, apiVersion: config.apiVersion }))
  app.decorate('worker', config.worker
    ? createOutboundWorker({
        storage,
        graph: app.graph,
        log: app.log,
        throughputPerSecond: config.throughputPerSecond,
        pairIntervalMs: config.pairIntervalMs,
        pairBurst: config.pairBurst,
        statusSweepIntervalMs: config.statusSweepIntervalMs,
        onChange: committed => app.publish(committed),
      })
    : null)

  app.decorate('bots', config.bots
    ? createBotRunner({
        db: storage.db,
        engine: storage.engine,
        log: app.log,
        publish: committed => app.publish(committed),
        wakeWorker: () => app.worker?.wake(),
      })
    : null)

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

  app.decorateRequest('agent', null)
  app.addHook('onRequest', async (request) => {
    // Decide on the route that matched, not the raw URL: `/%61pi/…` routes to `/api/…` too.
    const path = request.routeOptions.url
    if (!path || !path.startsWith('/api/') || PUBLIC_ROUTES.has(path) || request.method === 'OPTIONS')
      return
    const header = request.headers.authorization
    const token = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : null
    const agent = token
      ? await authenticate(app.db, token)
      : null
    if (!agent)
      throw new AppError(401, 'unauthorized', token ? 'the session has expired or was revoked' : 'missing bearer token')
    request.agent = agent
  })

  app.setErrorHandler((error: FastifyError & { validation?: Array<{ instancePath?: string, params?: Record<string, unknown> }> }, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.statusCode).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.field
            ? { field: error.field }
            : {}),
          ...(error.details !== undefined
            ? { details: error.details }
            : {}),
        },
      })
    }
    if (error.validation) {
      const first = error.validation[0]
      const missing = first?.params?.missingProperty ?? first?.params?.tag ?? first?.params?.additionalProperty
      const field = [
        first?.instancePath?.replace(/^\//, '').replace(/\//g, '.'),
        missing,
      ].filter(Boolean).join('.') || undefined
      return reply.code(400).send({
        error: {
          code: 'invalid_request',
          message: error.message,
          ...(field
            ? { field }
            : {}),
        },
      })
    }
    const known: Record<string, [number, string]> = {
      FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
      FST_REQ_FILE_TOO_LARGE: [413, 'media_too_large'],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
      FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
      FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
      FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
    }
    const mapped = error.code ? known[error.code] : undefined
    if (mapped) {
      return reply.code(mapped[0]).send({
        error: { code: mapped[1], message: error.message },
      })
    }
    if (error.statusCode === 429) {
      return reply.code(429).send({
        error: { code: 'rate_limited', message: 'too many requests, try again later' },
      })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({
        error: { code: 'invalid_request', message: error.message },
      })
    }
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({
      error: { code: 'internal_error', message: 'internal error; the request was not applied' },
    })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    })
  })

  await app.register(healthRoutes)
  await app.register(webhookRoutes)
  await app.register(authRoutes)
  await app.register(websocket, {
    options: { maxPayload: 64 * 1024 },
  })
  await app.register(conversationRoutes)
  await app.register(templateRoutes)
  await app.register(agentRoutes)
  await app.register(contactRoutes)
  await app.register(syncRoutes)
  await app.register(liveRoutes)
  await app.register(reportRoutes)
  await app.register(workspaceRoutes)
  await app.register(botRoutes)
  app.get('/api/openapi.json', {
    schema: { hide: true },
  }, async () => app.swagger())

  // Snoozed conversations whose time has come reopen (and every agent hears it).
  snoozeTimer = setInterval(() => {
    reopenDueSnoozes(app.db, Date.now()).then(app.publish, err => app.log.warn({ err }, 'reopening snoozed conversations failed'))
  }, config.snoozeSweepMs)
  snoozeTimer.unref()
  // The change log keeps `changesRetentionDays`; older cursors get cursor_expired and resnapshot.
  pruneTimer = setInterval(() => {
    pruneChanges(app.db, Date.now() - config.changesRetentionDays * 24 * 60 * 60 * 1000).catch(err => app.log.warn({ err }, 'pruning the change log failed'))
    pruneBotJobs(app.db, Date.now() - 7 * 24 * 60 * 60 * 1000).catch(err => app.log.warn({ err }, 'pruning decided bot jobs failed'))
  }, 10 * 60 * 1000)
  pruneTimer.unref()
  // Report facts follow the recorded history in the background for workspaces that use reports,
  // so a report rarely has to wait for its refresh (services/reports-facts.ts); one at a time.
  reportsTimer = setInterval(() => {
    if (reportsRefresh)
      return
    reportsRefresh = refreshAllFacts(app.db)
      .catch(err => app.log.warn({ err }, 'refreshing report facts failed'))
      .finally(() => {
        reportsRefresh = null
      })
  }, config.reportsRefreshMs)
  reportsTimer.unref()

  app.addHook('onReady', async () => {
    await app.live.ready()
    app.sequencer.start()
    app.worker?.start()
    app.bots?.start()
    if (config.syncTemplatesOnStart && boot.channelId) {
      // Non-blocking: the inbox works without templates; sending one reports template_not_found.
      syncAllTemplates(app.db, app.graph, app.publish).then(
        n => app.log.info({ templates: n }, 'templates synced'),
        err => app.log.warn({ err: err.message }, 'template sync failed'),
      )
    }
  })
  return app
}
