/** Shared pieces of the benchmarks: a server in its own process, load with bounded concurrency, percentiles. */
import type { ChildProcess } from 'node:child_process'
import type { ScratchDatabase } from '../server/test/scratch-database.ts'
import { spawn } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { scratchDatabase } from '../server/test/scratch-database.ts'

export const WA = {
  appSecret: 'bench-app-secret',
  verifyToken: 'bench-verify-token',
  accessToken: 'bench-access-token',
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '15550783881',
}

export function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0)
    return 0
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return Math.round(sorted[i]! * 100) / 100
}

export type BenchDatabase = ScratchDatabase

export async function benchDatabase(engine: 'sqlite' | 'postgres', postgresUrl: string): Promise<BenchDatabase> {
  return await scratchDatabase(engine, postgresUrl, 'bench')
}

export async function postgresAvailable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    return true
  }
  catch {
    return false
  }
}

export interface ServerProcess { url: string, child: ChildProcess, stop: () => Promise<void> }

export async function startServerProcess(db: BenchDatabase, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = 21000 + Math.floor(Math.random() * 20000)
  const child = spawn(process.execPath, [
    ...(process.env.BENCH_NODE_ARGS
      ? process.env.BENCH_NODE_ARGS.split(' ')
      : []),
    path.resolve('server/src/server.ts'),
  ], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: db.dataDir,
      ...(db.databaseUrl
        ? { DATABASE_URL: db.databaseUrl }
        : { DATABASE_URL: '' }),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      ADMIN_EMAIL: 'bench@example.com',
      ADMIN_PASSWORD: 'bench-password',
      WHATSAPP_APP_SECRET: WA.appSecret,
      WHATSAPP_VERIFY_TOKEN: WA.verifyToken,
      WHATSAPP_ACCESS_TOKEN: WA.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId,
      WHATSAPP_BUSINESS_ACCOUNT_ID: WA.wabaId,
      WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9',
      SYNC_TEMPLATES_ON_START: '0',
      ...env,
    },
    stdio: [
      'ignore',
      process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore',
      'inherit',
    ],
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${url}/api/health`)).ok)
        break
    }
    catch {}
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return {
    url,
    child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null)
        return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    }),
  }
}

/** Runs `task(i)` for i in [0, count) with `concurrency` in flight; returns wall time in ms. */
export async function runConcurrent(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count)
      await task(next++)
  }))
  return performance.now() - started
}
