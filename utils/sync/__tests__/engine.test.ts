import type { LiveSocketConstructor } from '..'
import type { SyncEngine } from '../engine'
// @vitest-environment node
// Against a REAL server (server/test/helper.ts: fresh SQLite database, random port), over HTTP and
// Node's WebSocket, into Dexie on fake-indexeddb: the same path the background takes.
import type { TestServer } from './server-fixture'
import type { Conversation } from '~/protocol/conversations'
import type { Message } from '~/protocol/messages'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApiClient } from '../../api/client'
import { AppDB } from '../../db'
import { enqueue } from '../../db/outbox'
import { createSyncEngine } from '../engine'
import { customerSays, eventually, login, restartServer, startServer } from './server-fixture'
import 'fake-indexeddb/auto'

let server: TestServer
let token: string
let db: AppDB
let engines: SyncEngine[]
let dbCount = 0

async function me(): Promise<{ id: string }> {
  return await (await server.api('/api/auth/me')).json() as { id: string }
}

function engineFor(url: string, extra: Partial<Parameters<typeof createSyncEngine>[0]> = {}, fetchImpl?: typeof fetch): SyncEngine {
  const engine = createSyncEngine({
    db,
    api: createApiClient({ serverUrl: url, token, fetch: fetchImpl }),
    baseBackoffMs: 50,
    maxBackoffMs: 500,
    ...extra,
  })
  engines.push(engine)
  return engine
}

beforeEach(async () => {
  server = await startServer()
  token = await login(server.url)
  db = new AppDB(`sync-test-${++dbCount}`)
  engines = []
})

afterEach(async () => {
  for (const engine of engines)
    engine.stop()
  db.close()
  await server.close()
})

describe('pull', () => {
  it('fills the tables from a snapshot: a customer\'s message is a conversation, a contact and a message', async () => {
    const conversationId = await customerSays(server, '40722000001', 'Ana Pop', 'Salut!')
    const engine = engineFor(server.url)
    await engine.pull()

    const conversation = await db.conversations.get(conversationId)
    expect(conversation?.contact.name ?? conversation?.contact.profileName).toBe('Ana Pop')
    await expect(db.contacts.get(conversation!.contactId)).resolves.toMatchObject({ waId: '40722000001' })
    const messages = await db.messages.where('conversationId').equals(conversationId).toArray()
    expect(messages.map(m => m.content.body)).toEqual(['Salut!'])
    const self = await me()
    await expect(db.agents.get(self.id)).resolves.toMatchObject({ id: self.id })
    expect(await db.channels.count()).toBeGreaterThan(0)
    await expect(db.meta.get('syncCursor')).resolves.toMatchObject({
      value: expect.any(String),
    })
    expect(engine.status).toMatchObject({ state: 'idle', error: null, snapshot: null })
    expect(engine.status.lastSyncedAt).toEqual(expect.any(Number))
  })

  it('pages a snapshot (small pages) and then applies incremental changes', async () => {
    const first = await customerSays(server, '40722000002', 'Bogdan')
    const second = await customerSays(server, '40722000003', 'Carmen')
    const progress: number[] = []
    const engine = engineFor(server.url, { pullLimit: 2 })
    engine.subscribe((status) => {
      if (status.snapshot)
        progress.push(status.snapshot.applied)
    })
    await engine.pull()
    expect(progress.length).toBeGreaterThan(1)
    expect(await db.conversations.count()).toBe(2)
    await expect(db.conversations.get(first)).resolves.toMatchObject({ assigneeId: null })

    const self = await me()
    expect((await server.api(`/api/conversations/${first}/assign`, {
      json: { assigneeId: self.id },
    })).status).toBe(200)
    const third = await customerSays(server, '40722000004', 'Dan', 'Hello again')
    const cursorBefore = (await db.meta.get('syncCursor'))?.value
    await engine.pull()

    await expect(db.conversations.get(first)).resolves.toMatchObject({ assigneeId: self.id })
    await expect(db.conversations.get(second)).resolves.toMatchObject({ assigneeId: null })
    expect((await db.messages.where('conversationId').equals(third).toArray()).map(m => m.content.body)).toEqual(['Hello again'])
    expect((await db.meta.get('syncCursor'))?.value).not.toBe(cursorBefore)
  })

  it('recovers by a snapshot when the server answers 410 cursor_expired, keeping the outbox', async () => {
    const conversationId = await customerSays(server, '40722000005', 'Elena')
    // A cursor ahead of the server (as after the server's database was replaced): 410.
    const ahead = btoa(JSON.stringify({ s: 1_000_000 })).replace(/=+$/, '')
    const probe = await server.api(`/api/sync?since=${ahead}`)
    expect(probe.status).toBe(410)
    await db.meta.put({ key: 'syncCursor', value: ahead })
    // Stale local rows a snapshot must replace, and a pending action it must not touch.
    await db.labels.put({
      id: 'stale-label',
      name: 'Gone',
      color: 'red',
      createdAt: 1,
      updatedAt: 1,
    })
    await enqueue(db, 'conversation.markRead', { conversationId })

    await engineFor(server.url).pull()

    await expect(db.conversations.get(conversationId)).resolves.toBeDefined()
    await expect(db.labels.get('stale-label')).resolves.toBeUndefined()
    expect(await db.outbox.count()).toBe(1)
    expect((await db.meta.get('syncCursor'))?.value).not.toBe(ahead)
  })

  it('recovers from a cursor the server never issued', async () => {
    const conversationId = await customerSays(server, '40722000006', 'Florin')
    await db.meta.put({ key: 'syncCursor', value: 'garbage' })
    await engineFor(server.url).pull()
    await expect(db.conversations.get(conversationId)).resolves.toBeDefined()
  })

  it('coalesces concurrent pulls into at most one more', async () => {
    await customerSays(server, '40722000007', 'Gabi')
    let requests = 0
    const counting: typeof fetch = async (input, init) => {
      if (String(input).includes('/api/sync'))
        requests++
      return await fetch(input, init)
    }
    const engine = engineFor(server.url, {}, counting)
    await Promise.all([
      engine.pull(),
      engine.pull(),
      engine.pull(),
      engine.pull(),
    ])
    expect(requests).toBe(2)
    expect(await db.conversations.count()).toBe(1)
  })

  it('reports unauthorized for a revoked token', async () => {
    const engine = createSyncEngine({
      db,
      api: createApiClient({ serverUrl: server.url, token: 'not-a-token' }),
    })
    await expect(engine.pull()).rejects.toMatchObject({ code: 'unauthorized', status: 401 })
    expect(engine.status.state).toBe('unauthorized')
  })
})

describe('push', () => {
  it('sends an assignment, removes the row, and the conversation is updated', async () => {
    const conversationId = await customerSays(server, '40722000010', 'Ioana')
    const engine = engineFor(server.url)
    await engine.pull()
    const self = await me()
    const row = await enqueue(db, 'conversation.assign', { conversationId, assigneeId: self.id }, {
      apply: () => db.conversations.update(conversationId, { assigneeId: self.id }),
      tables: [db.conversations],
    })
    expect(row.state).toBe('queued')
    // the optimistic change is there before the server knows
    await expect(db.conversations.get(conversationId)).resolves.toMatchObject({ assigneeId: self.id })

    await expect(engine.push()).resolves.toBe(1)
    expect(await db.outbox.count()).toBe(0)
    const onServer = await (await server.api(`/api/conversations/${conversationId}`)).json() as Conversation
    expect(onServer.assigneeId).toBe(self.id)

    await engine.pull()
    await expect(db.conversations.get(conversationId)).resolves.toMatchObject({
      assigneeId: self.id,
      assignedAt: expect.any(Number),
    })
  })

  it('marks a mutation the server refuses as failed with its code, and goes on with the next', async () => {
    const conversationId = await customerSays(server, '40722000011', 'Jana')
    const engine = engineFor(server.url)
    const missing = '01900000-0000-7000-8000-000000000000'
    const bad = await enqueue(db, 'conversation.setStatus', { conversationId: missing, status: 'closed' })
    const good = await enqueue(db, 'conversation.setStatus', { conversationId, status: 'closed' })

    await engine.push()
    await expect(db.outbox.get(bad.seq)).resolves.toMatchObject({
      state: 'failed',
      error: { code: 'not_found' },
    })
    await expect(db.outbox.get(good.seq)).resolves.toBeUndefined()
    // the result entity was applied locally at once
    await expect(db.conversations.get(conversationId)).resolves.toMatchObject({ status: 'closed' })

    // a failed row is not retried by later pushes
    await expect(engine.push()).resolves.toBe(0)
    await expect(db.outbox.get(bad.seq)).resolves.toMatchObject({ state: 'failed' })
  })

  it('keeps the row queued while the server is down and sends it once after a restart', async () => {
    const conversationId = await customerSays(server, '40722000012', 'Kora')
    const database = server.database
    const self = await me()
    await server.app.close() // keep the database: the same server comes back on another port
    const downUrl = server.url

    const offline = engineFor(downUrl)
    const row = await enqueue(db, 'conversation.assign', { conversationId, assigneeId: self.id })
    await expect(offline.push()).rejects.toMatchObject({ code: 'offline' })
    await expect(db.outbox.get(row.seq)).resolves.toMatchObject({ state: 'queued' })
    expect(offline.status.state).toBe('offline')

    server = await startServer({ database })
    const online = engineFor(server.url)
    await expect(online.push()).resolves.toBe(1)
    expect(await db.outbox.count()).toBe(0)
    const events = await (await server.api(`/api/conversations/${conversationId}/events`)).json() as { items: Array<{ kind: string }> }
    expect(events.items.filter(e => e.kind === 'assigned')).toHaveLength(1)
  })

  it('resends after a lost answer without a second message (the server dedupes by mutation id)', async () => {
    const conversationId = await customerSays(server, '40722000013', 'Lia')
    let loseNext = true
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (String(input).endsWith('/api/mutations') && loseNext) {
        loseNext = false
        throw new TypeError('fetch failed') // applied on the server, answer lost on the way
      }
      return response
    }
    const engine = engineFor(server.url, {}, lossy)
    await enqueue(db, 'message.send', {
      conversationId,
      message: { clientId: 'client-1', type: 'text', text: 'Răspuns' },
    })

    await expect(engine.push()).rejects.toMatchObject({ code: 'offline' })
    expect(loseNext).toBe(false)
    await expect(engine.push()).resolves.toBe(1)
    expect(await db.outbox.count()).toBe(0)

    const page = await (await server.api(`/api/conversations/${conversationId}/messages`)).json() as { items: Message[] }
    expect(page.items.filter(m => m.direction === 'out')).toHaveLength(1)
    // the sent message (the mutation's result) is in Dexie before any pull
    await expect(db.messages.where('clientId').equals('client-1').count()).resolves.toBe(1)
  })
})

describe('live', () => {
  it('pulls within moments of a webhook, and reconnects after the socket drops', async () => {
    const engine = engineFor(server.url, { WebSocket: WebSocket as unknown as LiveSocketConstructor })
    engine.start()
    await eventually(async () => engine.status.live === 'open' && engine.status.lastSyncedAt !== null, 5000, 'first sync')
    expect(await db.conversations.count()).toBe(0)

    const conversationId = await customerSays(server, '40722000020', 'Mara', 'Live!')
    await eventually(async () => await db.conversations.get(conversationId), 2000, 'the conversation via live')
    await eventually(async () => (await db.messages.where('conversationId').equals(conversationId).count()) === 1, 2000, 'its message')

    // The server goes away and comes back on the same port: the engine reconnects by itself.
    const port = Number(new URL(server.url).port)
    await server.app.close()
    await eventually(async () => engine.status.live !== 'open', 2000, 'the socket to close')
    server = await restartServer(server, port)
    await eventually(async () => engine.status.live === 'open', 5000, 'the reconnect')
    const later = await customerSays(server, '40722000021', 'Nelu', 'Back')
    await eventually(async () => await db.conversations.get(later), 2000, 'a conversation after the reconnect')
  })

  it('stops and reports session_expired when the server refuses the token (4401)', async () => {
    let sockets = 0
    class Counting extends WebSocket {
      constructor(url: string) {
        super(url)
        sockets++
      }
    }
    const engine = createSyncEngine({
      db,
      api: createApiClient({ serverUrl: server.url, token: 'revoked' }),
      WebSocket: Counting as unknown as LiveSocketConstructor,
      baseBackoffMs: 10,
    })
    engines.push(engine)
    engine.start()
    await eventually(async () => engine.status.error?.code === 'session_expired', 5000, 'session_expired')
    expect(engine.status.state).toBe('unauthorized')
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(sockets).toBe(1)
  })
})
