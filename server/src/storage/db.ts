/**
 * One query layer, two engines: Kysely over SQLite (better-sqlite3, WAL) by default, over
 * PostgreSQL (pg) when DATABASE_URL is set. Nothing outside this file knows which one it got,
 * except through `engine` where SQL genuinely differs (row locking when claiming jobs).
 */
import type { Migration, MigrationProvider } from 'kysely/migration'
import type { Database } from './schema.ts'
import fs from 'node:fs'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresAdapter, PostgresDialect, sql, SqliteDialect } from 'kysely'
import { Migrator } from 'kysely/migration'
import pg from 'pg'
import { migrations } from '../../migrations/index.ts'

export type Engine = 'sqlite' | 'postgres'
export type Db = Kysely<Database>

export interface Storage {
  db: Db
  engine: Engine
  close: () => Promise<void>
}

// BIGINT (int8) and COUNT(*) come back from pg as strings by default; every value we store fits in
// a double (millisecond timestamps, counters), so parse them as numbers on both engines alike.
pg.types.setTypeParser(20, value => Number.parseInt(value, 10))

export interface StorageOptions {
  databaseUrl: string | null
  dataDir: string
  /** SQLite file name under dataDir */
  sqliteFile?: string
  poolSize?: number
  sqliteSynchronous?: 'FULL' | 'NORMAL'
}

export function openStorage(options: StorageOptions): Storage {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 })
    // An idle client's error (e.g. the server restarted) must not crash the process; the pool drops it.
    pool.on('error', () => {})
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
    })
    return {
      db,
      engine: 'postgres',
      close: () => db.destroy(),
    }
  }
  fs.mkdirSync(options.dataDir, { recursive: true })
  const file = path.join(options.dataDir, options.sqliteFile ?? 'wa-inbox.sqlite')
  const sqlite = new SQLite(file)
  // WAL. synchronous=FULL (default) fsyncs every commit, so an acknowledged webhook survives even
  // an OS crash or power loss; NORMAL survives process crashes (SIGKILL) only, and is faster.
  // busy_timeout covers a second process (tools) reading the file.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous ?? 'FULL'}`)
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('cache_size = -32000')
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({
      database: withStatementCache(sqlite),
    }),
  })
  return {
    db,
    engine: 'sqlite',
    close: () => db.destroy(),
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh; preparing was ~15% of the webhook path's
 * CPU. The query layer produces a small set of distinct SQL strings, so keep their prepared
 * statements (bounded, oldest evicted). Safe: Kysely runs one query at a time per connection.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>()
  const prepare = sqlite.prepare.bind(sqlite)
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare')
        return Reflect.get(target, property, receiver)
      return (source: string) => {
        let statement = cache.get(source)
        if (!statement) {
          statement = prepare(source)
          if (cache.size >= max)
            cache.delete(cache.keys().next().value!)
          cache.set(source, statement)
        }
        return statement
      }
    },
  })
}

/** Runs every pending migration (concurrent starters are serialised by Kysely's migration lock). */
export async function migrate(storage: Storage): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {}
      for (const [name, m] of Object.entries(migrations)) {
        out[name] = {
          up: db => m.up(db, storage.engine),
        }
      }
      return out
    },
  }
  // Kysely looks for its bookkeeping tables in every schema; pin them to ours, or a database with
  // another WA Inbox schema (tests, staging beside production) would be mistaken for migrated.
  const migrationTableSchema = storage.engine === 'postgres'
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(storage.db)).rows[0]?.schema
    : undefined
  const migrator = new Migrator({
    db: storage.db,
    provider,
    ...(migrationTableSchema
      ? { migrationTableSchema }
      : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    throw error instanceof Error
      ? error
      : new Error(String(error))
  }
  return (results ?? []).filter(r => r.status === 'Success').map(r => r.migrationName)
}

/**
 * Row locks exist on PostgreSQL only (SQLite's writers are serialised by the database lock).
 * `FOR NO KEY UPDATE`, not `FOR UPDATE`: it does not block the KEY SHARE lock that inserting a
 * row referencing this one takes (a message into a conversation, a label onto a contact), so an
 * agent's action never holds up a webhook. Use as `.$call(lockForUpdate(db))`.
 */
export function lockForUpdate(db: Kysely<Database>) {
  const postgres = isPostgres(db)
  return <Q extends { forNoKeyUpdate: () => Q }>(query: Q): Q => postgres
    ? query.forNoKeyUpdate()
    : query
}

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/** true when the database answers a trivial query (the health check). */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db)
    return true
  }
  catch {
    return false
  }
}
