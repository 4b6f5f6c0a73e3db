/**
 * Standalone start (`npm run server`): configuration from the environment only, graceful close on
 * SIGINT/SIGTERM (stop accepting, finish in-flight requests and sends, close the database).
 */
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'

async function main() {
  let config
  try {
    config = loadConfig()
  }
  catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const app = await buildApp({ config })
  await app.listen({ port: config.port, host: config.host })
  app.log.info({ db: app.storage.engine, url: config.publicUrl }, 'WA Inbox server ready')
  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing)
        return
      closing = true
      app.log.info({ signal }, 'shutting down')
      app.close().then(() => process.exit(0), () => process.exit(1))
    })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
