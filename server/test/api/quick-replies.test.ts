/**
 * Quick replies: every agent reads them, admins manage them, a shortcut is unique per workspace.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let agent: Member

beforeAll(async () => {
  server = await startServer()
  agent = await addAgent(server)
})
afterAll(async () => server.close())

const greeting = { shortcut: 'hello', title: 'Greeting', body: 'Bună ziua! Cu ce vă putem ajuta?' }

describe('quick replies', () => {
  it('are created by admins and read by every agent, sorted by shortcut', async () => {
    const { cursor } = await pullAll(agent.api)
    const res = await server.api('/api/quick-replies', { json: greeting })
    expect(res.status).toBe(201)
    const created = await json(res)
    expect(created).toMatchObject({
      id: expect.any(String),
      ...greeting,
    })
    await server.api('/api/quick-replies', {
      json: { shortcut: 'addr', title: 'Address', body: 'Str. Memorandumului 28, Cluj' },
    })
    const list = await json(await agent.api('/api/quick-replies'))
    expect(list.items.map((q: { shortcut: string }) => q.shortcut)).toEqual(['addr', 'hello'])
    const { changes } = await pullAll(agent.api, cursor)
    expect(changes).toContainEqual(expect.objectContaining({
      kind: 'quick_reply',
      id: created.id,
      op: 'upsert',
      data: expect.objectContaining({ shortcut: 'hello' }),
    }))
  })

  it('refuses agents creating, editing or deleting with 403', async () => {
    const existing = (await json(await agent.api('/api/quick-replies'))).items[0]
    for (const [path, init] of [
      [
        '/api/quick-replies',
        {
          json: { shortcut: 'mine', title: 'Mine', body: 'x' },
        },
      ],
      [
        `/api/quick-replies/${existing.id}`,
        {
          method: 'PATCH',
          json: { title: 'Mine' },
        },
      ],
      [
        `/api/quick-replies/${existing.id}`,
        { method: 'DELETE' },
      ],
    ] as const) {
      const res = await agent.api(path, init)
      expect(res.status).toBe(403)
      expect((await json(res)).error.code).toBe('forbidden')
    }
    expect((await json(await agent.api('/api/quick-replies'))).items).toHaveLength(2)
  })

  it('refuses a shortcut already in use with shortcut_taken, whatever its case', async () => {
    for (const shortcut of ['hello', 'HELLO']) {
      const res = await server.api('/api/quick-replies', {
        json: { ...greeting, shortcut },
      })
      expect(res.status).toBe(409)
      expect((await json(res)).error).toMatchObject({ code: 'shortcut_taken', field: 'shortcut' })
    }
    const addr = (await json(await server.api('/api/quick-replies'))).items.find((q: { shortcut: string }) => q.shortcut === 'addr')
    const rename = await server.api(`/api/quick-replies/${addr.id}`, {
      method: 'PATCH',
      json: { shortcut: 'Hello' },
    })
    expect(rename.status).toBe(409)
    expect((await json(rename)).error.code).toBe('shortcut_taken')
  })

  it('edits and deletes', async () => {
    const addr = (await json(await server.api('/api/quick-replies'))).items.find((q: { shortcut: string }) => q.shortcut === 'addr')
    const res = await server.api(`/api/quick-replies/${addr.id}`, {
      method: 'PATCH',
      json: { shortcut: 'address', body: 'Str. Horea 1, Cluj' },
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({
      id: addr.id,
      shortcut: 'address',
      title: 'Address',
      body: 'Str. Horea 1, Cluj',
    })
    const { cursor } = await pullAll(agent.api)
    expect((await server.api(`/api/quick-replies/${addr.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await json(await agent.api('/api/quick-replies'))).items.map((q: { id: string }) => q.id)).not.toContain(addr.id)
    const { changes } = await pullAll(agent.api, cursor)
    expect(changes).toContainEqual(expect.objectContaining({ kind: 'quick_reply', id: addr.id, op: 'delete' }))
    expect((await server.api(`/api/quick-replies/${addr.id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await server.api(`/api/quick-replies/${addr.id}`, {
      method: 'PATCH',
      json: { title: 'x' },
    })).status).toBe(404)
  })

  it('keeps text verbatim', async () => {
    const body = '<a href="javascript:alert(1)">click</a> & more'
    const res = await server.api('/api/quick-replies', {
      json: { shortcut: 'html', title: '<b>t</b>', body },
    })
    expect(await json(res)).toMatchObject({ title: '<b>t</b>', body })
  })

  it.each([
    [
      'a shortcut with spaces',
      { ...greeting, shortcut: 'two words' },
      'shortcut',
    ],
    [
      'a too-long shortcut',
      {
        ...greeting,
        shortcut: 'x'.repeat(41),
      },
      'shortcut',
    ],
    [
      'an empty title',
      { ...greeting, shortcut: 'ok1', title: '' },
      'title',
    ],
    [
      'a body over 4096 characters',
      {
        ...greeting,
        shortcut: 'ok2',
        body: 'x'.repeat(4097),
      },
      'body',
    ],
    [
      'no body',
      { shortcut: 'ok3', title: 'T' },
      'body',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const res = await server.api('/api/quick-replies', { json: body })
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field })
  })

  it('belong to their workspace: another workspace sees none and gets 404 for their ids', async () => {
    const other = await otherWorkspace(server)
    const ours = (await json(await server.api('/api/quick-replies'))).items[0]
    expect((await json(await other.api('/api/quick-replies'))).items).toEqual([])
    expect((await other.api(`/api/quick-replies/${ours.id}`, {
      method: 'PATCH',
      json: { title: 'Theirs' },
    })).status).toBe(404)
    expect((await other.api(`/api/quick-replies/${ours.id}`, { method: 'DELETE' })).status).toBe(404)
    // the same shortcut is free there
    expect((await other.api('/api/quick-replies', { json: greeting })).status).toBe(201)
  })
})
