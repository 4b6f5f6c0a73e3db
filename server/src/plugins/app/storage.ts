/**
 * The database: SQLite by default, PostgreSQL when `DATABASE_URL` is set (storage/db.ts). Opens
 * it, applies pending migrations, creates the first workspace/admin/number from the environment,
 * and decorates `app.storage`, `app.db` and `app.bootstrapped`. Closed last.
 */
import type { BootstrapResult } from '../../services/bootstrap.ts'
import type { Db, Storage } from '../../storage/db.ts'
import fp from 'fastify-plugin'
import { bootstrap } from '../../services/bootstrap.ts'
import { migrate, openStorage } from '../../storage/db.ts'

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage
    db: Db
    /** what the start-up bootstrap found or created (services/bootstrap.ts) */
    bootstrapped: BootstrapResult
  }
}

export default fp(async (app) => {
  const { config } = app
  const storage = openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous })
  app.decorate('storage', storage)
  app.decorate('db', storage.db)
  app.addHook('onClose', async () => {
    await storage.close()
  })

  const applied = await migrate(storage)
  if (applied.length > 0)
    app.log.info({ migrations: applied, db: storage.engine }, 'database migrated')
  const boot = await bootstrap(storage.db, config, Date.now(), storage.engine)
  if (boot.createdAdmin)
    app.log.info({ email: config.adminEmail }, 'created the first admin')
  app.decorate('bootstrapped', boot)
}, { name: 'storage' })
