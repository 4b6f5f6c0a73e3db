/**
 * `/api/live`: authentication inside the socket, `hello` with the workspace's change number, a
 * `changed` within moments of a commit (a customer's webhook, an agent's action), nothing from
 * other workspaces, and clear refusals.
 */
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIVE_CLOSE_UNAUTHORIZED } from '../../../protocol/sync.ts'
import { json, login, startServer } from '../helper.ts'
import { addAgent, customerSays, otherWorkspace, pullAll } from '../team.ts'
import { openLive } from './client.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => server.close())

describe('live events', () => {
  it('says hello, then changed after a customer\'s message and after a teammate\'s action', async () => {
    const alice = await addAgent(server, { name: 'Alice' })
    const bob = await addAgent(server, { name: 'Bob' })
    const live = await openLive(server.url, alice.token)
    const hello = await live.next(m => m.type === 'hello')
    expect(hello).toMatchObject({ agentId: alice.id, heartbeatMs: 20_000 })
    const { cursor } = await pullAll(alice.api)

    const id = await customerSays(server, '40744000001', 'Live Customer')
    const changed = await live.next(m => m.type === 'changed' && m.seq > hello.seq)
    const pulled = await pullAll(alice.api, cursor)
    expect(pulled.changes.map(c => c.id)).toContain(id)
    expect(Math.max(...pulled.changes.map(c => c.seq))).toBeGreaterThanOrEqual(changed.seq)

    await bob.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: bob.id },
    })
    await live.next(m => m.type === 'changed' && m.seq > changed.seq)
    live.close()
  })

  it('does not tell one workspace about another\'s changes', async () => {
    const outsider = await otherWorkspace(server)
    const live = await openLive(server.url, outsider.token)
    await live.next(m => m.type === 'hello')
    const insider = await openLive(server.url, await login(server.url))
    const insiderHello = await insider.next(m => m.type === 'hello')
    await customerSays(server, '40744000002', 'Someone Else\'s')
    await insider.next(m => m.type === 'changed' && m.seq > insiderHello.seq)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(live.messages.filter(m => m.type === 'changed')).toEqual([])
    live.close()
    insider.close()
  })

  it('answers a ping with a pong', async () => {
    const live = await openLive(server.url, await login(server.url))
    await live.next(m => m.type === 'hello')
    live.send({ type: 'ping' })
    expect(await live.next(m => m.type === 'pong')).toMatchObject({
      at: expect.any(Number),
    })
    live.close()
  })

  it('closes with 4401 on a wrong or revoked token, and 4400 on garbage', async () => {
    const wrong = await openLive(server.url, 'not-a-token')
    expect(await wrong.next(m => m.type === 'error')).toMatchObject({ code: 'unauthorized' })
    expect((await wrong.closed).code).toBe(LIVE_CLOSE_UNAUTHORIZED)

    const token = await login(server.url)
    await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    })
    const revoked = await openLive(server.url, token)
    expect((await revoked.closed).code).toBe(LIVE_CLOSE_UNAUTHORIZED)

    const garbage = await openLive(server.url, null)
    garbage.send('{not json')
    expect((await garbage.closed).code).toBe(4400)
  })

  it('is not reachable as a plain HTTP route without upgrading', async () => {
    const res = await fetch(`${server.url}/api/live`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    await json(res).catch(() => null)
  })
})
