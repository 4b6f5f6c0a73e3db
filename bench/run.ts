/**
 * `npm run bench`: the figures the issues ask for, one JSON object per line on stdout.
 * PostgreSQL runs are included when BENCH_DATABASE_URL (default: TEST_DATABASE_URL, then
 * postgres://postgres@127.0.0.1:5432/test) answers; otherwise a `skipped` line says why.
 * BENCH_QUICK=1 runs smaller loads (a smoke test of the benchmarks themselves).
 */
import { benchIngest } from './ingest.ts'
import { emit, postgresAvailable } from './lib.ts'
import { benchOutbound } from './outbound.ts'

const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
const quick = process.env.BENCH_QUICK === '1'
const scale = quick ? 0.1 : 1

async function main() {
  const engines: Array<'sqlite' | 'postgres'> = ['sqlite']
  if (await postgresAvailable(postgresUrl))
    engines.push('postgres')
  else emit({ bench: 'inbound_ingest', engine: 'postgres', skipped: `no PostgreSQL at ${new URL(postgresUrl).host}` })

  for (const engine of engines) {
    const big = engine === 'sqlite' ? 20_000 : 10_000
    await benchIngest(engine, postgresUrl, 50, Math.round(big * scale), 16)
    await benchIngest(engine, postgresUrl, 1, Math.round((engine === 'sqlite' ? 5000 : 3000) * scale), 16)
  }
  for (const engine of engines)
    await benchOutbound(engine, postgresUrl, 200, quick ? 2 : 10, 16)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
