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
    entry: [
      {
        id: WA.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: WA.displayPhoneNumber, phone_number_id: WA.phoneNumberId },
              contacts: [
                ...new Map(batch.map(r => [
                  r.from,
                  {
                    profile: { name: r.name },
                    wa_id: r.from,
                  },
                ])).values(),
              ],
              messages: batch.map(r => ({
                from: r.from,
                id: r.wamid,
                timestamp: String(r.ts),
                type: 'text',
                text: { body: r.body },
              })),
            },
          },
        ],
      },
    ],
  })
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size)
    out.push(list.slice(i, i + size))
  return out
}

/**
 * Open loop: POSTs start on a fixed schedule (`rate` messages/s) whatever the answers do, as
 * Meta's deliveries would; returns the ack latencies. Bounded: at most `seconds` of schedule.
 */
async function paced(url: string, bodies: string[], signatures: string[], postsPerSec: number): Promise<{ latencies: number[], failures: number, wallMs: number }> {
  const latencies: number[] = []
  let failures = 0
  const started = performance.now()
  const inFlight: Promise<void>[] = []
  for (let i = 0; i < bodies.length; i++) {
    const due = started + (i * 1000) / postsPerSec
    const wait = due - performance.now()
    if (wait > 0)
      await new Promise(resolve => setTimeout(resolve, wait))
    const t = performance.now()
    inFlight.push(fetch(`${url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatures[i]! },
      body: bodies[i],
    }).then(async (res) => {
      await res.arrayBuffer()
      latencies.push(performance.now() - t)
      if (res.status !== 200)
        failures++
    }, () => {
      failures++
    }))
  }
  await Promise.all(inFlight)
  return {
    latencies: latencies.sort((a, b) => a - b),
    failures,
    wallMs: performance.now() - started,
  }
}

export async function benchIngest(engine: 'sqlite' | 'postgres', postgresUrl: string, batchSize: number, messages: number, concurrency: number, targetPerSec: number, pacedSeconds: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  try {
    const server = await startServerProcess(db, { OUTBOUND_WORKER: '0' })
    const bodies = chunk(rows(messages, `${engine}.${batchSize}`), batchSize).map(webhookBody)
    const signatures = bodies.map(b => sign(b, WA.appSecret))
    const latencies: number[] = []
    let failures = 0
    const wall = await runConcurrent(bodies.length, concurrency, async (i) => {
      const started = performance.now()
      const res = await fetch(`${server.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatures[i]! },
        body: bodies[i],
      })
      await res.arrayBuffer()
      latencies.push(performance.now() - started)
      if (res.status !== 200)
        failures++
    })
    // Then the ack latency at the target rate, on the same (now non-empty) database.
    const pacedPosts = Math.max(1, Math.round((targetPerSec * pacedSeconds) / batchSize))
    const pacedBodies = chunk(rows(pacedPosts * batchSize, `${engine}.${batchSize}.paced`), batchSize).map(webhookBody)
    const pacedRun = await paced(server.url, pacedBodies, pacedBodies.map(b => sign(b, WA.appSecret)), targetPerSec / batchSize)
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
      saturatedAckP50Ms: percentile(latencies, 50),
      saturatedAckP99Ms: percentile(latencies, 99),
    })
    emit({
      bench: 'webhook_ack_at_target_rate',
      engine,
      batch: batchSize,
      offeredMessagesPerSec: targetPerSec,
      achievedMessagesPerSec: Math.round((pacedPosts * batchSize) / (pacedRun.wallMs / 1000)),
      posts: pacedPosts,
      failures: pacedRun.failures,
      ackP50Ms: percentile(pacedRun.latencies, 50),
      ackP99Ms: percentile(pacedRun.latencies, 99),
      ackMaxMs: percentile(pacedRun.latencies, 100),
    })
  }
  finally {
    await db.drop()
  }
}

/**
 * The same rows through the bare driver, no server: per batch one transaction of the statements
 * the server's ingest issues (multi-row contact and conversation upserts with lookups, one
 * multi-row message insert, one conversation UPDATE … FROM VALUES), prepared once.
 */
async function rawIngest(engine: 'sqlite' | 'postgres', postgresUrl: string, batchSize: number, messages: number): Promise<number> {
  const db: BenchDatabase = await benchDatabase(engine, postgresUrl)
  try {
    const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })
    await migrate(storage)
    const now = Date.now()
    const ws = 'ws-bench'
    await storage.db.insertInto('workspaces').values({ id: ws, name: 'bench', created_at: now }).execute()
    await storage.db.insertInto('channels').values({
      id: 'ch-bench',
      workspace_id: ws,
      phone_number_id: WA.phoneNumberId,
      waba_id: WA.wabaId,
      display_phone_number: null,
      access_token: 'x',
      app_secret: 'x',
      verify_token: 'x',
      throughput_per_second: 80,
      created_at: now,
      updated_at: now,
    }).execute()
    await storage.close()
    const batches = chunk(rows(messages, `raw.${engine}.${batchSize}`), batchSize)
    let seq = 0
    const id = () => `raw-${String(++seq).padStart(9, '0')}-${now}`
    // Placeholders: `?` for SQLite, `$n` for PostgreSQL.
    const ph = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => (engine === 'sqlite'
      ? '?'
      : `$${offset + i + 1}`))
    const tuples = (count: number, width: number) => Array.from({ length: count }, (_, r) => `(${ph(width, r * width).join(', ')})`).join(', ')
    const statements = (batch: Row[]) => {
      const customers = [
        ...new Map(batch.map(r => [r.from, r])).values(),
      ].sort((a, b) => a.from.localeCompare(b.from))
      return {
        customers,
        insertContacts: [
          `INSERT INTO contacts (id, workspace_id, wa_id, profile_name, created_at, updated_at) VALUES ${tuples(customers.length, 6)} ON CONFLICT DO NOTHING`,
          customers.flatMap(c => [
            id(),
            ws,
            c.from,
            c.name,
            now,
            now,
          ]),
        ] as const,
        selectContacts: [
          `SELECT id, wa_id FROM contacts WHERE workspace_id = ${ph(1)[0]} AND wa_id IN (${ph(customers.length, 1).join(', ')})`,
          [
            ws,
            ...customers.map(c => c.from),
          ],
        ] as const,
      }
    }
    const insertConversations = (contactIds: string[]) => [
      `INSERT INTO conversations (id, workspace_id, channel_id, contact_id, status, unread_count, created_at, updated_at) VALUES ${Array.from({ length: contactIds.length }, (_, r) => `(${ph(4, r * 6).join(', ')}, 'open', 0, ${ph(2, r * 6 + 4).join(', ')})`).join(', ')} ON CONFLICT DO NOTHING`,
      contactIds.flatMap(c => [
        id(),
        ws,
        'ch-bench',
        c,
        now,
        now,
      ]),
    ] as const
    const selectConversations = (contactIds: string[]) => [
      `SELECT id, contact_id FROM conversations WHERE channel_id = ${ph(1)[0]} AND contact_id IN (${ph(contactIds.length, 1).join(', ')})`,
      ['ch-bench', ...contactIds],
    ] as const
    const insertMessages = (batch: Row[], conv: (r: Row) => string) => [
      `INSERT INTO messages (id, workspace_id, conversation_id, channel_id, wamid, direction, type, status, content, raw, timestamp, created_at, updated_at, delivered_at) VALUES ${Array.from({ length: batch.length }, (_, r) => `(${ph(5, r * 11).join(', ')}, 'in', 'text', 'delivered', ${ph(6, r * 11 + 5).join(', ')})`).join(', ')} ON CONFLICT DO NOTHING RETURNING wamid`,
      batch.flatMap(r => [
        id(),
        ws,
        conv(r),
        'ch-bench',
        r.wamid,
        JSON.stringify({ body: r.body }),
        JSON.stringify(r),
        r.ts * 1000,
        now,
        now,
        now,
      ]),
    ] as const
    const updateConversations = (deltas: Array<[string, number, number, string]>) => [
      `UPDATE conversations SET unread_count = conversations.unread_count + d.column2, last_inbound_at = d.column3, last_message_at = d.column3, last_message_preview = d.column4, updated_at = d.column3 FROM (VALUES ${Array.from({ length: deltas.length }, (_, r) => `(${ph(1, r * 4)[0]}, CAST(${ph(1, r * 4 + 1)[0]} AS integer), CAST(${ph(1, r * 4 + 2)[0]} AS bigint), CAST(${ph(1, r * 4 + 3)[0]} AS text))`).join(', ')}) AS d WHERE conversations.id = d.column1`,
      deltas.flat(),
    ] as const
    const deltasOf = (batch: Row[], conv: (r: Row) => string) => {
      const map = new Map<string, [string, number, number, string]>()
      for (const r of batch) {
        const c = conv(r)
        const d = map.get(c) ?? [c, 0, 0, '']
        map.set(c, [c, d[1] + 1, r.ts * 1000, r.body])
      }
      return [
        ...map.values(),
      ].sort((a, b) => a[0].localeCompare(b[0]))
    }

    if (engine === 'sqlite') {
      const sqlite = new SQLite(`${db.dataDir}/wa-inbox.sqlite`)
      sqlite.pragma('journal_mode = WAL')
      sqlite.pragma('synchronous = FULL') // as the server's default
      const cache = new Map<string, SQLite.Statement>()
      const prep = (q: string) => cache.get(q) ?? cache.set(q, sqlite.prepare(q)).get(q)!
      const write = sqlite.transaction((batch: Row[]) => {
        const st = statements(batch)
        prep(st.insertContacts[0]).run(...st.insertContacts[1])
        const contacts = new Map((prep(st.selectContacts[0]).all(...st.selectContacts[1]) as Array<{ id: string, wa_id: string }>).map(c => [c.wa_id, c.id]))
        const contactIds = st.customers.map(c => contacts.get(c.from)!).sort()
        const ic = insertConversations(contactIds)
        prep(ic[0]).run(...ic[1])
        const sc = selectConversations(contactIds)
        const convs = new Map((prep(sc[0]).all(...sc[1]) as Array<{ id: string, contact_id: string }>).map(c => [c.contact_id, c.id]))
        const conv = (r: Row) => convs.get(contacts.get(r.from)!)!
        const im = insertMessages(batch, conv)
        prep(im[0]).all(...im[1])
        const uc = updateConversations(deltasOf(batch, conv))
        prep(uc[0]).run(...uc[1])
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
          const st = statements(batch)
          await client.query(st.insertContacts[0], [...st.insertContacts[1]])
          const contacts = new Map((await client.query(st.selectContacts[0], [...st.selectContacts[1]])).rows.map(c => [c.wa_id, c.id]))
          const contactIds = st.customers.map(c => contacts.get(c.from)!).sort()
          const ic = insertConversations(contactIds)
          await client.query(ic[0], [...ic[1]])
          const sc = selectConversations(contactIds)
          const convs = new Map((await client.query(sc[0], [...sc[1]])).rows.map(c => [c.contact_id, c.id]))
          const conv = (r: Row) => convs.get(contacts.get(r.from)!)!
          const im = insertMessages(batch, conv)
          await client.query(im[0], [...im[1]])
          const deltas = deltasOf(batch, conv)
          await client.query(`SELECT id FROM conversations WHERE id IN (${ph(deltas.length).join(', ')}) ORDER BY id FOR UPDATE`, deltas.map(d => d[0]))
          const uc = updateConversations(deltas)
          await client.query(uc[0], [...uc[1]])
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
