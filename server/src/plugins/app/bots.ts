/** The bots' runner (bots/runner.ts): decides queued bot jobs and sends their replies. `app.bots` is null when `BOTS=0`. */
import type { BotRunner } from '../../bots/runner.ts'
import fp from 'fastify-plugin'
import { createBotRunner } from '../../bots/runner.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** the bots' runner (null when BOTS=0) */
    bots: BotRunner | null
  }
}

export default fp(async (app) => {
  const bots = app.config.bots
    ? createBotRunner({
        db: app.storage.db,
        engine: app.storage.engine,
        log: app.log,
        publish: committed => app.publish(committed),
        wakeWorker: () => app.worker?.wake(),
      })
    : null
  app.decorate('bots', bots)
  app.addHook('onReady', async () => {
    bots?.start()
  })
  app.addHook('onClose', async () => {
    await bots?.stop()
  })
}, {
  name: 'bots',
  dependencies: ['storage', 'live', 'send-worker'],
})
