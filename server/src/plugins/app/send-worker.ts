/**
 * The outbound worker (whatsapp/worker.ts): sends queued messages to WhatsApp within the number's
 * throughput, retries, sweeps stale statuses. `app.worker` is null when `OUTBOUND_WORKER=0`.
 */
import type { OutboundWorker } from '../../whatsapp/worker.ts'
import fp from 'fastify-plugin'
import { createOutboundWorker } from '../../whatsapp/worker.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** the outbound worker (null when OUTBOUND_WORKER=0) */
    worker: OutboundWorker | null
  }
}

export default fp(async (app) => {
  const { config } = app
  const worker = config.worker
    ? createOutboundWorker({
        storage: app.storage,
        graph: app.graph,
        log: app.log,
        throughputPerSecond: config.throughputPerSecond,
        pairIntervalMs: config.pairIntervalMs,
        pairBurst: config.pairBurst,
        statusSweepIntervalMs: config.statusSweepIntervalMs,
        onChange: committed => app.publish(committed),
      })
    : null
  app.decorate('worker', worker)
  app.addHook('onReady', async () => {
    worker?.start()
  })
  app.addHook('onClose', async () => {
    await worker?.stop()
  })
}, {
  name: 'send-worker',
  dependencies: ['storage', 'whatsapp', 'live'],
})
