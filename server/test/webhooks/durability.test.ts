/**
 * An acknowledged webhook is never lost, and a failed one leaves nothing half-stored: Meta
 * redelivers anything not answered 200 (reference §1.3), so a partial batch would duplicate.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { baseEnv, customer, engine, envelope, freePort, freshDatabase, json, metaJson, postWebhook, startServer, textMessage, WA } from '../helper.ts'

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.reverse())
    await c()
})

describe('a database failure mid-batch', () => {
  it('answers 500, stores nothing of the batch, and the redelivery stores it once', async () => {
    const server = await startServer()
    cleanups.push(() => server.close())
    const db = server.app.db
    // A real failure inside the transaction, on the third insert of the batch.
    if (engine === 'sqlite') {
      await sql`CREATE TRIGGER fail_batch BEFORE INSERT ON messages WHEN NEW.wamid = 'wamid.FAIL' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(db)
    }
    else {
      await sql`CREATE FUNCTION fail_batch() RETURNS trigger AS $$ BEGIN IF NEW.wamid = 'wamid.FAIL' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(db)
      await sql`CREATE TRIGGER fail_batch BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION fail_batch()`.execute(db)
    }
    const first = textMessage('40733000001', 'unu')
    const second = textMessage('40733000002', 'doi')
    const third = {
      ...textMessage('40733000001', 'trei'),
      id: 'wamid.FAIL',
    }
    const payload = envelope(
      {
        contacts: [
          customer('40733000001', 'Dana'),
        ],
        messages: [first],
      },
      {
        contacts: [
          customer('40733000002', 'Emil'),
        ],
        messages: [second],
      },
      {
        contacts: [
          customer('40733000001', 'Dana'),
        ],
        messages: [third],
      },
    )
    const res = await server.webhook(payload)
    expect(res.status).toBe(500)
    const body = await json(res)
    expect(body.error.code).toBe('internal_error')
    expect(JSON.stringify(body)).not.toContain('injected failure') // no internals leak
    const count = async (table: 'messages' | 'contacts' | 'conversations') => Number((await db.selectFrom(table).select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    expect(await count('messages')).toBe(0)
    expect(await count('contacts')).toBe(0)
    expect(await count('conversations')).toBe(0)

    // The server keeps serving, and Meta's redelivery lands once the cause is gone.
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200)
    await sql`DROP TRIGGER fail_batch${engine === 'postgres'
      ? sql` ON messages`
      : sql``}`.execute(db)
    expect((await server.webhook(payload)).status).toBe(200)
    expect((await server.webhook(payload)).status).toBe(200)
    expect(await count('messages')).toBe(3)
    expect(await count('contacts')).toBe(2)
    const dana = await db.selectFrom('conversations').innerJoin('contacts', 'contacts.id', 'conversations.contact_id').select('unread_count').where('wa_id', '=', '40733000001').executeTakeFirstOrThrow()
    expect(dana.unread_count).toBe(2)
  })
})

function startChild(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [
    path.resolve('server/src/server.ts'),
  ], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 20_000
    const poll = async () => {
      if (child.exitCode !== null)
        return reject(new Error(`server exited early (${child.exitCode}): ${stderr}`))
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`)
        if (res.ok)
          return resolve(child)
      }
      catch {}
      if (Date.now() > deadline)
        return reject(new Error(`server did not start: ${stderr}`))
      setTimeout(poll, 50)
    }
    poll()
  })
}

describe('sIGKILL during a burst of webhooks', () => {
  it('keeps every webhook answered 200, and redelivery of all of them creates no duplicates', async () => {
    const database = await freshDatabase()
    cleanups.push(() => database.drop())
    const port = await freePort()
    const env = baseEnv(database, { OUTBOUND_WORKER: '0' })
    const url = `http://127.0.0.1:${port}`
    let child = await startChild(env, port)

    // 600 POSTs of 5 messages each from 50 customers, 16 in flight.
    const bodies = Array.from({ length: 600 }, (_, i) => {
      const from = `4074400${String(i % 50).padStart(4, '0')}`
      return metaJson(envelope({
        contacts: [
          customer(from, `Client ${i % 50}`),
        ],
        messages: Array.from({ length: 5 }, (_, k) => textMessage(from, `mesaj ${i}.${k} — ă î ș ț`)),
      }))
    })
    const acknowledged = new Set<number>()
    const failed = new Set<number>()
    let next = 0
    let killed = false
    const worker = async () => {
      while (next < bodies.length) {
        const i = next++
        try {
          const res = await postWebhook(url, bodies[i], WA.appSecret)
          await res.arrayBuffer()
          if (res.status === 200)
            acknowledged.add(i)
          else failed.add(i)
        }
        catch {
          failed.add(i)
        }
        if (!killed && acknowledged.size >= 150) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    expect(killed).toBe(true)
    expect(acknowledged.size).toBeGreaterThanOrEqual(150)
    expect(failed.size).toBeGreaterThan(0)
    if (child.exitCode === null && child.signalCode === null)
      await new Promise(resolve => child.once('exit', resolve))

    child = await startChild(env, port)
    try {
      const storage = (await import('../../src/storage/db.ts')).openStorage({ databaseUrl: database.databaseUrl, dataDir: database.dataDir })
      try {
        const wamids = new Set((await storage.db.selectFrom('messages').select('wamid').execute()).map(r => r.wamid))
        for (const i of acknowledged) {
          for (const m of JSON.parse(bodies[i]!).entry[0].changes[0].value.messages)
            expect(wamids.has(m.id)).toBe(true)
        }
        // Meta redelivers what was not acknowledged; we also redeliver everything once more.
        for (const i of [
          ...failed,
          ...acknowledged,
        ]) {
          const res = await postWebhook(url, bodies[i], WA.appSecret)
          expect(res.status).toBe(200)
        }
        const total = await storage.db.selectFrom('messages').select(eb => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.count<number>('wamid').distinct().as('distinct'),
        ]).executeTakeFirstOrThrow()
        expect(Number(total.n)).toBe(600 * 5)
        expect(Number(total.distinct)).toBe(600 * 5)
        const unread = await storage.db.selectFrom('conversations').select(eb => eb.fn.sum<number>('unread_count').as('sum')).executeTakeFirstOrThrow()
        expect(Number(unread.sum)).toBe(600 * 5)
        expect(Number((await storage.db.selectFrom('contacts').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(50)
      }
      finally {
        await storage.close()
      }
    }
    finally {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
    }
  }, 120_000)
})
