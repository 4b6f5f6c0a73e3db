import { openStorage } from '../server/src/storage/db.ts'
/**
 * Outbound send throughput: agents' messages queued through the API, sent by the worker to the
 * simulator over HTTP, each counted once Meta returned its wamid. The per-number limit is raised
 * to 1,000/s on both sides (Meta's default is 80/s) so the figure shows the pipeline, not the cap.
 */
import { startSimulator } from '../simulator/src/index.ts'
import { benchDatabase, emit, percentile, runConcurrent, startServerProcess, WA } from './lib.ts'

export async function benchOutbound(engine: 'sqlite' | 'postgres', postgresUrl: string, customers: number, perCustomer: number, concurrency: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  const sim = await startSimulator({
    appSecret: WA.appSecret,
    accessToken: WA.accessToken,
    wabaId: WA.wabaId,
    phoneNumberId: WA.phoneNumberId,
    displayPhoneNumber: WA.displayPhoneNumber,
    throughputPerSecond: 1000,
    statusDelaysMs: { sent: 20, delivered: 50, read: null },
    batch: { maxItems: 50, maxDelayMs: 20 },
    maxConcurrentDeliveries: 4,
  })
  const server = await startServerProcess(db, { WHATSAPP_GRAPH_URL: sim.url, WHATSAPP_THROUGHPUT: '1000' })
  sim.setWebhookUrl(`${server.url}/webhooks/whatsapp`)
  const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, poolSize: 2 })
  try {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password' }),
    })
    const { token } = await login.json() as { token: string }
    const auth = { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }
    for (let i = 0; i < customers; i++)
      await sim.receive({ waId: `4075${String(i).padStart(7, '0')}`, name: `Client ${i}` }, { type: 'text', body: 'Salut!' })
    await sim.flush()
    let conversations: string[] = []
    for (let tries = 0; tries < 200 && conversations.length < customers; tries++) {
      conversations = (await storage.db.selectFrom('conversations').select('id').execute()).map(r => r.id)
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    const total = customers * perCustomer
    const queueLatencies: number[] = []
    const started = performance.now()
    await runConcurrent(total, concurrency, async (i) => {
      const t = performance.now()
      const res = await fetch(`${server.url}/api/conversations/${conversations[i % customers]}/messages`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ clientId: `bench-${i}`, type: 'text', text: `Răspuns ${i}` }),
      })
      await res.arrayBuffer()
      queueLatencies.push(performance.now() - t)
    })
    const queuedMs = performance.now() - started
    let sent = 0
    while (sent < total && performance.now() - started < 120_000) {
      const row = await storage.db.selectFrom('messages').select(eb => eb.fn.countAll<number>().as('n')).where('direction', '=', 'out').where('wamid', 'is not', null).executeTakeFirstOrThrow()
      sent = Number(row.n)
      if (sent < total)
        await new Promise(resolve => setTimeout(resolve, 20))
    }
    const ms = performance.now() - started
    queueLatencies.sort((a, b) => a - b)
    emit({
      bench: 'outbound_send',
      engine,
      messages: total,
      recipients: customers,
      sent,
      sendsPerSec: Math.round(sent / (ms / 1000)),
      queueRequestsPerSec: Math.round(total / (queuedMs / 1000)),
      queueP50Ms: percentile(queueLatencies, 50),
      queueP99Ms: percentile(queueLatencies, 99),
      throughputLimitPerSec: 1000,
    })
  }
  finally {
    await storage.close()
    await server.stop()
    await sim.close()
    await db.drop()
  }
}
