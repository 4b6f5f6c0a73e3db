// @vitest-environment node
// The background's runner against a REAL server: sync starts with a session, another agent's
// sign-in wipes the previous agent's data first, and a revoked token marks the session expired.
import type { LiveSocketConstructor } from '..'
import type { Session } from '../../session'
import type { SessionSource, SyncRunner } from '../runner'
import type { TestServer } from './server-fixture'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppDB } from '../../db'
import { enqueue } from '../../db/outbox'
import { createSyncRunner } from '../runner'
import { customerSays, eventually, startServer } from './server-fixture'
import 'fake-indexeddb/auto'

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' }

let server: TestServer
let db: AppDB
let runner: SyncRunner
let dbCount = 0

/** An in-memory session store with the shape of the extension's storage item. */
function memorySessions(initial: Session | null) {
  let value = initial
  const listeners = new Set<(s: Session | null) => void>()
  const source: SessionSource = {
    get: async () => value,
    watch: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return {
    source,
    set(next: Session | null) {
      value = next
      for (const l of listeners) l(next)
    },
    get value() {
      return value
    },
  }
}

async function sessionFor(email: string, password: string): Promise<Session> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  const body = await res.json() as { token: string, agent: Session['agent'] }
  return {
    serverUrl: server.url,
    token: body.token,
    agent: body.agent,
    signedInAt: Date.now(),
  }
}

beforeEach(async () => {
  server = await startServer()
  db = new AppDB(`runner-test-${++dbCount}`)
})
afterEach(async () => {
  runner?.stop()
  db.close()
  await server.close()
})

describe('the sync runner', () => {
  it('syncs while signed in, and wipes the previous agent\'s data when another signs in', async () => {
    const conversationId = await customerSays(server, '40722000101', 'Runner Customer')
    const admin = await sessionFor(ADMIN.email, ADMIN.password)
    const sessions = memorySessions(admin)
    const expired: string[] = []
    runner = createSyncRunner({
      db,
      sessions: sessions.source,
      WebSocket: WebSocket as unknown as LiveSocketConstructor,
      onExpired: token => void expired.push(token),
    })
    await runner.start()
    await eventually(async () => await db.conversations.get(conversationId), 5000, 'the snapshot')
    // Something queued by this agent must not be pushed as someone else.
    await enqueue(db, 'conversation.setStatus', { conversationId, status: 'closed' }, { id: 'left-behind' })
    runner.engine!.stop()

    // Another agent, with nothing visible to them (restricted), signs in on this browser.
    const invited = await (await server.api('/api/agents', {
      json: {
        email: 'other@example.com',
        name: 'Other',
        password: 'other-password',
        restricted: true,
      },
    })).json() as { agent: { id: string } }
    expect(invited.agent.id).toBeTruthy()
    sessions.set(await sessionFor('other@example.com', 'other-password'))
    await eventually(async () => (await db.meta.get('syncOwner'))?.value === `${server.url}|${invited.agent.id}`, 5000, 'the new owner')
    await eventually(async () => (await db.agents.count()) > 0, 5000, 'the new snapshot')
    expect(await db.conversations.get(conversationId)).toBeUndefined()
    expect(await db.outbox.count()).toBe(0)
    const seen = await (await server.api(`/api/conversations/${conversationId}`)).json() as { status: string }
    expect(seen.status).toBe('open')
    expect(expired).toEqual([])
  })

  it('stops and reports the token expired when the server revokes it', async () => {
    const admin = await sessionFor(ADMIN.email, ADMIN.password)
    const sessions = memorySessions(admin)
    const expired: string[] = []
    runner = createSyncRunner({
      db,
      sessions: sessions.source,
      WebSocket: WebSocket as unknown as LiveSocketConstructor,
      onExpired: token => void expired.push(token),
    })
    await runner.start()
    await eventually(async () => (await db.agents.count()) > 0, 5000, 'the snapshot')
    await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
    })
    // The next change makes the engine pull with the revoked token.
    await customerSays(server, '40722000102', 'After Revocation')
    await eventually(async () => expired.length > 0, 5000, 'the expiry')
    expect(expired[0]).toBe(admin.token)
  })

  it('does nothing without a session or with an expired one', async () => {
    const sessions = memorySessions(null)
    runner = createSyncRunner({
      db,
      sessions: sessions.source,
      onExpired: () => {},
    })
    await runner.start()
    expect(runner.engine).toBeNull()
    const admin = await sessionFor(ADMIN.email, ADMIN.password)
    sessions.set({ ...admin, expired: true })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(runner.engine).toBeNull()
    expect(await db.conversations.count()).toBe(0)
  })
})
