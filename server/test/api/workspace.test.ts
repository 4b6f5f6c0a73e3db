/**
 * Workspace settings: every agent reads them, admins change them (the default country national
 * phone numbers are read in), and every agent's sync receives the change (kind `workspace`).
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

function patch(defaultCountry: unknown) {
  return {
    method: 'PATCH',
    json: {
      settings: { defaultCountry },
    },
  }
}

describe('workspace settings', () => {
  it('are read by every agent', async () => {
    const res = await agent.api('/api/workspace')
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({
      id: agent.workspaceId,
      name: expect.any(String),
      settings: expect.any(Object),
    })
  })

  it('an admin sets the default country, and every agent\'s sync delivers it', async () => {
    const { cursor } = await pullAll(agent.api)
    const res = await server.api('/api/workspace', patch('RO'))
    expect(res.status).toBe(200)
    expect((await json(res)).settings).toMatchObject({ defaultCountry: 'RO' })
    expect((await json(await agent.api('/api/workspace'))).settings.defaultCountry).toBe('RO')
    const { changes, cursor: after } = await pullAll(agent.api, cursor)
    expect(changes).toContainEqual(expect.objectContaining({
      kind: 'workspace',
      id: agent.workspaceId,
      op: 'upsert',
      data: expect.objectContaining({
        settings: expect.objectContaining({ defaultCountry: 'RO' }),
      }),
    }))
    // The same value again changes nothing (no change-log entry).
    expect((await server.api('/api/workspace', patch('RO'))).status).toBe(200)
    expect((await pullAll(agent.api, after)).changes.filter((c: { kind: string }) => c.kind === 'workspace')).toEqual([])
  })

  it.each([null, ''])('%j clears it', async (value) => {
    await server.api('/api/workspace', patch('RO'))
    const res = await server.api('/api/workspace', patch(value))
    expect(res.status).toBe(200)
    expect((await json(res)).settings.defaultCountry).toBeUndefined()
    await server.api('/api/workspace', patch('GB'))
  })

  it('refuses agents with 403 forbidden and changes nothing', async () => {
    const res = await agent.api('/api/workspace', patch('US'))
    expect(res.status).toBe(403)
    expect((await json(res)).error.code).toBe('forbidden')
    expect((await json(await agent.api('/api/workspace'))).settings.defaultCountry).toBe('GB')
  })

  it.each([
    ['lower case', 'ro'],
    ['three letters', 'ROU'],
    ['not a country', 'ZZ'],
    ['no phone numbers', 'AQ'],
    ['a number', 40],
  ])('refuses an invalid country (%s) with 400 invalid_request', async (_what, value) => {
    const res = await server.api('/api/workspace', patch(value))
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('invalid_request')
  })

  it('refuses unknown settings and an empty patch', async () => {
    expect((await server.api('/api/workspace', {
      method: 'PATCH',
      json: {
        settings: { theme: 'dark' },
      },
    })).status).toBe(400)
    expect((await server.api('/api/workspace', {
      method: 'PATCH',
      json: { settings: {} },
    })).status).toBe(400)
    expect((await server.api('/api/workspace', { method: 'PATCH', json: {} })).status).toBe(400)
  })

  it('is scoped to the caller\'s workspace', async () => {
    const other = await otherWorkspace(server)
    expect((await other.api('/api/workspace', patch('US'))).status).toBe(200)
    expect((await json(await agent.api('/api/workspace'))).settings.defaultCountry).toBe('GB')
    expect((await json(await other.api('/api/workspace'))).settings.defaultCountry).toBe('US')
  })

  it('needs a session', async () => {
    expect((await fetch(`${server.url}/api/workspace`)).status).toBe(401)
  })
})
