/**
 * Two server processes on one PostgreSQL database, as behind a load balancer: an event committed
 * through one instance reaches a live client connected to the other (LISTEN/NOTIFY), and that
 * client's pull from its own instance sees the change. PostgreSQL only (SQLite is one process).
 */
import type { ChildProcess } from 'node:child_process'
import type { TestDatabase } from '../helper.ts'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { baseEnv, customer, envelope, eventually, freePort, freshDatabase, login, postWebhook, textMessage, WA } from '../helper.ts'
import { apiAs, pullAll } from '../team.ts'
import { openLive } from './client.ts'

interface Instance { url: string, child: ChildProcess, output: string[] }

async function startInstance(database: TestDatabase): Promise<Instance> {
  const port = await freePort()
  const output: string[] = []
  const child = spawn(process.execPath, [
    path.resolve('server/src/server.ts'),
  ], {
    env: {
      ...process.env,
      ...baseEnv(database),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', d => output.push(String(d)))
  child.stderr!.on('data', d => output.push(String(d)))
  const url = `http://127.0.0.1:${port}`
  await eventually(async () => (await fetch(`${url}/api/health`)).ok, 20_000, `instance on ${port} to start: ${output.join('')}`)
  return { url, child, output }
}

let database: TestDatabase
let a: Instance
let b: Instance
beforeAll(async () => {
  database = await freshDatabase()
  ;[a, b] = await Promise.all([
    startInstance(database),
    startInstance(database),
  ])
}, 60_000)
afterAll(async () => {
  for (const instance of [a, b]) {
    if (instance?.child.exitCode === null) {
      instance.child.kill('SIGTERM')
      await new Promise(resolve => instance.child.once('exit', resolve))
    }
  }
  await database?.drop()
})

describe('two server instances on one PostgreSQL database', () => {
  it('delivers a change committed on one instance to a live client of the other', async () => {
    const tokenOnB = await login(b.url)
    const live = await openLive(b.url, tokenOnB)
    const hello = await live.next(m => m.type === 'hello')
    const { cursor } = await pullAll(apiAs(b.url, tokenOnB))

    // The customer's message arrives at instance A.
    const res = await postWebhook(a.url, envelope({
      contacts: [
        customer('40755000001', 'Across Instances'),
      ],
      messages: [
        textMessage('40755000001', 'via A'),
      ],
    }), WA.appSecret)
    expect(res.status).toBe(200)
    const changed = await live.next(m => m.type === 'changed' && m.seq > hello.seq, 5000)
    const pulled = await pullAll(apiAs(b.url, tokenOnB), cursor)
    expect(pulled.changes.filter(c => c.kind === 'message').map(c => c.data.content.body)).toContain('via A')
    expect(Math.max(...pulled.changes.map(c => c.seq))).toBeGreaterThanOrEqual(changed.seq)

    // And an agent's action on A too.
    const conversation = pulled.changes.find(c => c.kind === 'conversation')!
    const tokenOnA = await login(a.url)
    await apiAs(a.url, tokenOnA)(`/api/conversations/${conversation.id}/status`, {
      json: { status: 'closed' },
    })
    await live.next(m => m.type === 'changed' && m.seq > changed.seq, 5000)
    live.close()
  })
})
