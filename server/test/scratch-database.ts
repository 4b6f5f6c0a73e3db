/**
 * A throw-away database for tests and benchmarks: a temp folder for SQLite, or a fresh schema in
 * PostgreSQL (selected through the connection's search_path). `drop` removes either.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface ScratchDatabase {
  engine: 'sqlite' | 'postgres'
  /** null for SQLite */
  databaseUrl: string | null
  dataDir: string
  drop: () => Promise<void>
}

export async function scratchDatabase(engine: 'sqlite' | 'postgres', postgresUrl: string, prefix = 't'): Promise<ScratchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `wa-inbox-${prefix}-`))
  if (engine === 'sqlite') {
    return {
      engine,
      databaseUrl: null,
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: postgresUrl })
    await client.connect()
    try {
      await client.query(statement)
    }
    finally {
      await client.end()
    }
  }
  await admin(`CREATE SCHEMA ${schema}`)
  const url = new URL(postgresUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    engine,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
