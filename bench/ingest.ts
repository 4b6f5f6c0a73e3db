/**
 * Inbound ingest: signed webhook POSTs (batches of 1 and of 50 messages) against a server in its
 * own process, and the same rows written straight through the engine's driver, so the ratio
 * shows what the server adds (HTTP, signature, parsing, the query layer).
 */
import type { BenchDatabase } from './lib.ts'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import { migrate, openStorage } from '../server/src/storage/db.ts'
import { sign } from '../server/src/whatsapp/signature.ts'
import { metaStringify } from '../simulator/src/meta-json.ts'
import { benchDatabase, emit, percentile, runConcurrent, startServerProcess, WA } from './lib.ts'

const CUSTOMERS = 1000

interface Row { wamid: string, from: string, name: string, body: string, ts: number }

function rows(count: number, tag: string): Row[] {
  const ts = Math.floor(Date.now() / 1000)
  return Array.from({ length: count }, (_, i) => ({
    wamid: `wamid.bench.${tag}.${i}`,
    from: `4072${String(i % CUSTOMERS).padStart(7, '0')}`,
    name: `Client ${i % CUSTOMERS} — Ștefănescu`,
    body: `Bună ziua, mesajul ${i}: când ajunge comanda? 🚚`,
    ts,
  }))
}

function webhookBody(batch: Row[]): string {
  return metaStringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: WA.wabaId,
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: WA.displayPhoneNumber, phone_number_id: WA.phoneNumberId },
          contacts: [...new Map(batch.map(r => [r.from, { profile: { name: r.name }, wa_id: r.from }])).values()],
          messages: batch.map(r => ({ from: r.from, id: r.wamid, timestamp: String(r.ts), type: 'text', text: { body: r.body } })),
        },
      }],
    }],
  })
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size)
    out.push(list.slice(i, i + size))
  return out
}

export async function benchIngest(engine: 'sqlite' | 'postgres', postgresUrl: string, batchSize: number, messages: number, concurrency: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  try {
    const server = await startServerProcess(db, { OUTBOUND_WORKER: '0' })
    const bodies = chunk(rows(messages, `${engine}.${batchSize}`), batchSize).map(webhookBody)
    const signatures = bodies.map(b => sign(b, WA.appSecret))
    const latencies: number[] = []
    let failures = 0
    const wall = await runConcurrent(bodies.length, concurrency, async (i) => {
      const started = performance.now()
      const res = await fetch(`${server.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatures[i]! }, body: bodies[i] })
      await res.arrayBuffer()
      latencies.push(performance.now() - started)
      if (res.status !== 200)
        failures++
    })
    await server.stop()
    latencies.sort((a, b) => a - b)
    const raw = await rawIngest(engine, postgresUrl, batchSize, messages)
    const rate = Math.round(messages / (wall / 1000))
    emit({
      bench: 'inbound_ingest',
      engine,
      batch: batchSize,
      messages,
      posts: bodies.length,
      concurrency,
      failures,
      messagesPerSec: rate,
      rawEngineMessagesPerSec: raw,
      serverShareOfRaw: Math.round((rate / raw) * 100) / 100,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
    })
  }
  finally {
    await db.drop()
  }
}

/**
 * The same rows through the bare driver: per batch one transaction of the statements the server
 * runs per message (contact upsert, conversation upsert, message insert, conversation update).
 */
async function rawIngest(engine: 'sqlite' | 'postgres', postgresUrl: string, batchSize: number, messages: number): Promise<number> {
  const db: BenchDatabase = await benchDatabase(engine, postgresUrl)
  try {
    const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })
    await migrate(storage)
    const now = Date.now()
    const ws = 'ws-bench'
    await storage.db.insertInto('workspaces').values({ id: ws, name: 'bench', created_at: now }).execute()
    await storage.db.insertInto('channels').values({ id: 'ch-bench', workspace_id: ws, phone_number_id: WA.phoneNumberId, waba_id: WA.wabaId, display_phone_number: null, access_token: 'x', app_secret: 'x', verify_token: 'x', throughput_per_second: 80, created_at: now, updated_at: now }).execute()
    await storage.close()
    const batches = chunk(rows(messages, `raw.${engine}.${batchSize}`), batchSize)
    let seq = 0
    const id = () => `raw-${++seq}-${now}`
    if (engine === 'sqlite') {
      const sqlite = new SQLite(`${db.dataDir}/wa-inbox.sqlite`)
      sqlite.pragma('journal_mode = WAL')
      sqlite.pragma('synchronous = NORMAL')
      const insContact = sqlite.prepare('INSERT INTO contacts (id, workspace_id, wa_id, profile_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      const getContact = sqlite.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND wa_id = ?')
      const insConv = sqlite.prepare('INSERT INTO conversations (id, workspace_id, channel_id, contact_id, status, unread_count, created_at, updated_at) VALUES (?, ?, ?, ?, \'open\', 0, ?, ?) ON CONFLICT DO NOTHING')
      const getConv = sqlite.prepare('SELECT id FROM conversations WHERE channel_id = ? AND contact_id = ?')
      const insMsg = sqlite.prepare('INSERT INTO messages (id, workspace_id, conversation_id, channel_id, wamid, direction, type, status, content, raw, timestamp, created_at, updated_at) VALUES (?, ?, ?, ?, ?, \'in\', \'text\', \'delivered\', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      const updConv = sqlite.prepare('UPDATE conversations SET unread_count = unread_count + 1, last_message_at = ?, last_message_preview = ?, last_inbound_at = ?, updated_at = ? WHERE id = ?')
      const write = sqlite.transaction((batch: Row[]) => {
        for (const r of batch) {
          insContact.run(id(), ws, r.from, r.name, now, now)
          const contact = getContact.get(ws, r.from) as { id: string }
          insConv.run(id(), ws, 'ch-bench', contact.id, now, now)
          const conv = getConv.get('ch-bench', contact.id) as { id: string }
          insMsg.run(id(), ws, conv.id, 'ch-bench', r.wamid, JSON.stringify({ body: r.body }), JSON.stringify(r), r.ts * 1000, now, now)
          updConv.run(r.ts * 1000, r.body, r.ts * 1000, now, conv.id)
        }
      })
      const started = performance.now()
      for (const batch of batches)
        write(batch)
      const ms = performance.now() - started
      sqlite.close()
      return Math.round(messages / (ms / 1000))
    }
    const pool = new pg.Pool({ connectionString: db.databaseUrl!, max: 8 })
    const started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      const client = await pool.connect()
      try {
        while (next < batches.length) {
          const batch = batches[next++]!
          await client.query('BEGIN')
          for (const r of batch) {
            await client.query('INSERT INTO contacts (id, workspace_id, wa_id, profile_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING', [id(), ws, r.from, r.name, now])
            const contact = (await client.query('SELECT id FROM contacts WHERE workspace_id = $1 AND wa_id = $2', [ws, r.from])).rows[0]
            await client.query('INSERT INTO conversations (id, workspace_id, channel_id, contact_id, status, unread_count, created_at, updated_at) VALUES ($1, $2, $3, $4, \'open\', 0, $5, $5) ON CONFLICT DO NOTHING', [id(), ws, 'ch-bench', contact.id, now])
            const conv = (await client.query('SELECT id FROM conversations WHERE channel_id = $1 AND contact_id = $2', ['ch-bench', contact.id])).rows[0]
            await client.query('INSERT INTO messages (id, workspace_id, conversation_id, channel_id, wamid, direction, type, status, content, raw, timestamp, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \'in\', \'text\', \'delivered\', $6, $7, $8, $9, $9) ON CONFLICT DO NOTHING', [id(), ws, conv.id, 'ch-bench', r.wamid, JSON.stringify({ body: r.body }), JSON.stringify(r), r.ts * 1000, now])
            await client.query('UPDATE conversations SET unread_count = unread_count + 1, last_message_at = $1, last_message_preview = $2, last_inbound_at = $1, updated_at = $3 WHERE id = $4', [r.ts * 1000, r.body, now, conv.id])
          }
          await client.query('COMMIT')
        }
      }
      finally {
        client.release()
      }
    }))
    const ms = performance.now() - started
    await pool.end()
    return Math.round(messages / (ms / 1000))
  }
  finally {
    await db.drop()
  }
}
