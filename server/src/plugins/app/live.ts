/**
 * The change log's numbering and its live fan-out. `app.sequencer` numbers committed changes per
 * workspace (services/sequencer.ts); `app.live` tells every subscribed socket, on every instance,
 * that there is something to pull (services/live.ts); `app.publish` is what services call after a
 * commit that recorded changes.
 */
import type { Committed } from '../../services/changes.ts'
import type { LiveHub } from '../../services/live.ts'
import type { Sequencer } from '../../services/sequencer.ts'
import fp from 'fastify-plugin'
import { createLiveHub } from '../../services/live.ts'
import { createSequencer } from '../../services/sequencer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub
    sequencer: Sequencer
    /** Call after a commit that recorded changes: they get numbered, then every live client of those workspaces (on every instance) is told to pull. */
    publish: (committed: Committed[]) => void
  }
}

export default fp(async (app) => {
  const live = createLiveHub({ databaseUrl: app.config.databaseUrl, log: app.log })
  const sequencer = createSequencer({
    db: app.storage.db,
    engine: app.storage.engine,
    log: app.log,
    onSequenced: events => live.publish(events),
  })
  app.decorate('live', live)
  app.decorate('sequencer', sequencer)
  app.decorate('publish', (committed: Committed[]) => {
    const numbered = committed.filter((c): c is Required<Committed> => c.seq !== undefined)
    if (numbered.length > 0)
      live.publish(numbered)
    if (numbered.length < committed.length)
      sequencer.wake()
  })
  app.addHook('onReady', async () => {
    await live.ready()
    sequencer.start()
  })
  app.addHook('onClose', async () => {
    await sequencer.stop()
    await live.close()
  })
}, {
  name: 'live',
  dependencies: ['storage'],
})
