/**
 * The team API from the outside: inviting agents (a generated password shown once), who may
 * change what, the last active admin, deactivation ending sessions, password changes, channels
 * without their secrets, workspace isolation, and every change reaching `/api/sync`.
 */
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newId } from '../../src/ids.ts'
import { hashPassword } from '../../src/services/passwords.ts'
import { ADMIN, json, login, startServer, WA } from '../helper.ts'

type Api = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => server.close())

let n = 0
const uniqueEmail = (name: string) => `${name.toLowerCase()}-${++n}@example.com`

/** An authenticated fetch with this token. */
function as(token: string): Api {
  return async (path, init = {}) => {
    const { json: body, ...rest } = init
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(rest.headers as Record<string, string> | undefined) }
    if (body !== undefined)
      headers['content-type'] = 'application/json'
    return await fetch(`${server.url}${path}`, {
      ...rest,
      headers,
      ...(body !== undefined
        ? {
            body: JSON.stringify(body),
            method: rest.method ?? 'POST',
          }
        : {}),
    })
  }
}

interface Member { id: string, email: string, password: string, token: string, api: Api }

async function invite(fields: { name?: string, role?: 'admin' | 'agent', password?: string } = {}): Promise<Member> {
  const name = fields.name ?? 'Agent'
  const email = uniqueEmail(name)
  const password = fields.password ?? 'a long enough password'
  const res = await server.api('/api/agents', {
    json: {
      email,
      name,
      password,
      ...(fields.role
        ? { role: fields.role }
        : {}),
    },
  })
  expect(res.status).toBe(201)
  const { agent } = await json(res)
  const token = await login(server.url, email, password)
  return {
    id: agent.id,
    email,
    password,
    token,
    api: as(token),
  }
}

async function patch(api: Api, path: string, body: unknown): Promise<Response> {
  return await api(path, { method: 'PATCH', json: body })
}

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status)
  const { error } = await json(res)
  expect(error.code).toBe(code)
  if (field)
    expect(error.field).toBe(field)
}

interface Change { seq: number, kind: string, id: string, op: 'upsert' | 'delete', data?: any }

/** Pulls until caught up: from a snapshot when `since` is absent. */
async function pullAll(api: Api, since?: string): Promise<{ changes: Change[], cursor: string }> {
  const changes: Change[] = []
  let cursor = since
  for (let i = 0; i < 100; i++) {
    const res = await api(`/api/sync${cursor
      ? `?since=${encodeURIComponent(cursor)}`
      : ''}`)
    expect(res.status).toBe(200)
    const page = await json(res)
    changes.push(...page.changes)
    cursor = page.cursor
    if (!page.hasMore && !page.snapshot)
      return { changes, cursor: cursor! }
  }
  throw new Error('sync never caught up')
}

/** A second workspace with its own admin, inserted directly. */
async function otherWorkspace(): Promise<{ workspaceId: string, adminId: string, api: Api }> {
  const now = Date.now()
  const workspaceId = newId()
  const adminId = newId()
  const email = uniqueEmail('other-admin')
  await server.app.db.insertInto('workspaces').values({ id: workspaceId, name: 'Other team', created_at: now }).execute()
  await server.app.db.insertInto('agents').values({
    id: adminId,
    workspace_id: workspaceId,
    email,
    name: 'Other Admin',
    role: 'admin',
    password_hash: await hashPassword('other admin password'),
    active: 1,
    created_at: now,
    updated_at: now,
  }).execute()
  return {
    workspaceId,
    adminId,
    api: as(await login(server.url, email, 'other admin password')),
  }
}

async function adminId(): Promise<string> {
  return (await json(await server.api('/api/agents/me'))).id
}

describe('inviting agents', () => {
  it('generates a strong password when none is given, answers it once, and it signs in', async () => {
    const email = uniqueEmail('Gen')
    const res = await server.api('/api/agents', {
      json: {
        email: `  ${email.toUpperCase()}`.trim(),
        name: '  Gene  ',
      },
    })
    expect(res.status).toBe(201)
    const body = await json(res)
    expect(body.agent).toMatchObject({
      email,
      name: 'Gene',
      role: 'agent',
      active: true,
      restricted: false,
      availability: 'offline',
      teamIds: [],
    })
    expect(body.password).toMatch(/^[\w-]{20,}$/)
    expect(body.agent).not.toHaveProperty('password')
    const token = await login(server.url, email, body.password)
    const me = await json(await as(token)('/api/auth/me'))
    expect(me.id).toBe(body.agent.id)
    // Shown once: reading the agent again never shows it, nor anything of its hash.
    const again = await json(await server.api(`/api/agents/${body.agent.id}`))
    expect(JSON.stringify(again)).not.toContain(body.password)
    expect(again).not.toHaveProperty('password_hash')
    const list = await json(await server.api('/api/agents'))
    expect(list.items.map((a: any) => a.id)).toContain(body.agent.id)
    expect(JSON.stringify(list)).not.toContain('scrypt$')
  })

  it('invites straight into teams, restricted, and refuses a team of no one\'s', async () => {
    const team = await json(await server.api('/api/teams', {
      json: { name: `Invitees ${++n}` },
    }))
    const res = await server.api('/api/agents', {
      json: {
        email: uniqueEmail('Teamed'),
        name: 'Teamed',
        restricted: true,
        teamIds: [team.id],
      },
    })
    expect(res.status).toBe(201)
    const { agent } = await json(res)
    expect(agent).toMatchObject({
      restricted: true,
      teamIds: [team.id],
    })
    expect((await json(await server.api('/api/teams'))).items.find((t: any) => t.id === team.id).agentIds).toEqual([agent.id])
    const refused = await server.api('/api/agents', {
      json: {
        email: uniqueEmail('Lost'),
        name: 'Lost',
        teamIds: ['nope'],
      },
    })
    await expectError(refused, 404, 'not_found', 'teamIds')
  })

  it('does not answer a password it was given', async () => {
    const res = await server.api('/api/agents', {
      json: {
        email: uniqueEmail('Given'),
        name: 'Given',
        password: 'chosen by the admin',
        role: 'admin',
      },
    })
    expect(res.status).toBe(201)
    const body = await json(res)
    expect(body).not.toHaveProperty('password')
    expect(body.agent.role).toBe('admin')
  })

  it('refuses an email already in use, whatever its case, with 409 email_taken', async () => {
    const member = await invite({ name: 'Dup' })
    const res = await server.api('/api/agents', {
      json: {
        email: member.email.toUpperCase(),
        name: 'Dup again',
      },
    })
    await expectError(res, 409, 'email_taken', 'email')
    const admin = await server.api('/api/agents', {
      json: { email: ADMIN.email, name: 'Admin again' },
    })
    await expectError(admin, 409, 'email_taken', 'email')
  })

  it.each([
    [
      'a malformed email',
      { email: 'not-an-email', name: 'X' },
      'email',
    ],
    [
      'a name over the limit',
      {
        email: 'long@example.com',
        name: 'n'.repeat(121),
      },
      'name',
    ],
    [
      'a blank name',
      { email: 'blank@example.com', name: '   ' },
      'name',
    ],
    [
      'a short password',
      { email: 'short@example.com', name: 'X', password: 'short' },
      'password',
    ],
    [
      'an unknown role',
      { email: 'role@example.com', name: 'X', role: 'owner' },
      'role',
    ],
    [
      'an unknown field',
      { email: 'field@example.com', name: 'X', salary: 1 },
      'salary',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    await expectError(await server.api('/api/agents', { json: body }), 400, 'invalid_request', field)
  })

  it('is for admins only', async () => {
    const member = await invite({ name: 'Plain' })
    await expectError(await member.api('/api/agents', {
      json: {
        email: uniqueEmail('Sneaky'),
        name: 'Sneaky',
      },
    }), 403, 'forbidden')
  })
})

describe('changing agents', () => {
  it('lets an agent change their own name and availability (as `me` or by id), and stores when', async () => {
    const member = await invite({ name: 'Self' })
    const before = Date.now()
    const res = await patch(member.api, '/api/agents/me', { name: 'Self Renamed', availability: 'online' })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: member.id, name: 'Self Renamed', availability: 'online' })
    const row = await server.app.db.selectFrom('agents').select(['availability_at']).where('id', '=', member.id).executeTakeFirstOrThrow()
    expect(row.availability_at).toBeGreaterThanOrEqual(before)
    const byId = await patch(member.api, `/api/agents/${member.id}`, { availability: 'away' })
    expect((await json(byId)).availability).toBe('away')
    expect((await json(await server.api(`/api/agents/${member.id}`))).availability).toBe('away')
  })

  it('refuses an agent changing their own role, email, restrictions or teams, and anyone else', async () => {
    const member = await invite({ name: 'Limited' })
    const other = await invite({ name: 'Other' })
    for (const body of [
      { role: 'admin' },
      {
        email: uniqueEmail('x'),
      },
      { restricted: true },
      { active: false },
      { teamIds: [] },
      { name: 'Ok', role: 'admin' },
    ])
      await expectError(await patch(member.api, '/api/agents/me', body), 403, 'forbidden')
    await expectError(await patch(member.api, `/api/agents/${other.id}`, { name: 'Hacked' }), 403, 'forbidden')
    const me = await json(await member.api('/api/agents/me'))
    expect(me).toMatchObject({ role: 'agent', name: 'Limited' })
  })

  it('lets an admin change anyone: name, email, role, restriction, availability', async () => {
    const member = await invite({ name: 'Managed' })
    const email = uniqueEmail('Moved')
    const res = await patch(server.api, `/api/agents/${member.id}`, {
      name: 'Managed Too',
      email: email.toUpperCase(),
      role: 'admin',
      restricted: true,
      availability: 'online',
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({
      name: 'Managed Too',
      email,
      role: 'admin',
      restricted: true,
      availability: 'online',
    })
    expect((await json(await member.api('/api/auth/me'))).role).toBe('admin')
    await login(server.url, email, member.password)
  })

  it('refuses an email another agent uses with 409', async () => {
    const a = await invite({ name: 'Ea' })
    const b = await invite({ name: 'Eb' })
    await expectError(await patch(server.api, `/api/agents/${b.id}`, { email: a.email }), 409, 'email_taken', 'email')
  })

  it('refuses an empty patch and an unknown agent', async () => {
    await expectError(await patch(server.api, '/api/agents/me', {}), 400, 'invalid_request')
    await expectError(await patch(server.api, '/api/agents/nope', { name: 'X' }), 404, 'not_found')
    await expectError(await server.api('/api/agents/nope'), 404, 'not_found')
  })

  it('never leaves the workspace without an active admin', async () => {
    const fresh = await startServer()
    try {
      const admin = await json(await fresh.api('/api/agents/me'))
      await expectError(await fresh.api('/api/agents/me', {
        method: 'PATCH',
        json: { role: 'agent' },
      }), 422, 'last_admin')
      await expectError(await fresh.api(`/api/agents/${admin.id}`, {
        method: 'PATCH',
        json: { active: false },
      }), 422, 'last_admin')
      // A second admin who is deactivated does not count.
      const second = await json(await fresh.api('/api/agents', {
        json: {
          email: 'second@example.com',
          name: 'Second',
          role: 'admin',
          password: 'second admin pass',
        },
      }))
      expect((await fresh.api(`/api/agents/${second.agent.id}`, {
        method: 'PATCH',
        json: { active: false },
      })).status).toBe(200)
      await expectError(await fresh.api('/api/agents/me', {
        method: 'PATCH',
        json: { role: 'agent' },
      }), 422, 'last_admin')
      // Once the second is active again, either may step down, but not both.
      expect((await fresh.api(`/api/agents/${second.agent.id}`, {
        method: 'PATCH',
        json: { active: true },
      })).status).toBe(200)
      const demoted = await fresh.api('/api/agents/me', {
        method: 'PATCH',
        json: { role: 'agent' },
      })
      expect(demoted.status).toBe(200)
      expect((await json(demoted)).role).toBe('agent')
      const secondApi = async (path: string, body: unknown) => await fetch(`${fresh.url}${path}`, {
        method: 'PATCH',
        headers: { 'authorization': `Bearer ${await login(fresh.url, 'second@example.com', 'second admin pass')}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      await expectError(await secondApi('/api/agents/me', { role: 'agent' }), 422, 'last_admin')
      await expectError(await secondApi('/api/agents/me', { active: false }), 422, 'last_admin')
      const admins = await fresh.app.db.selectFrom('agents').select('id').where('role', '=', 'admin').where('active', '=', 1).execute()
      expect(admins).toHaveLength(1)
    }
    finally {
      await fresh.close()
    }
  })

  it('keeps an admin when two admins demote each other at once', async () => {
    const fresh = await startServer()
    try {
      const first = await json(await fresh.api('/api/agents/me'))
      const second = await json(await fresh.api('/api/agents', {
        json: {
          email: 'racer@example.com',
          name: 'Racer',
          role: 'admin',
          password: 'racer password',
        },
      }))
      const secondToken = await login(fresh.url, 'racer@example.com', 'racer password')
      const demote = (token: string | null, id: string) => token
        ? fetch(`${fresh.url}/api/agents/${id}`, {
            method: 'PATCH',
            headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ role: 'agent' }),
          })
        : fresh.api(`/api/agents/${id}`, {
            method: 'PATCH',
            json: { role: 'agent' },
          })
      const results = await Promise.all([
        demote(null, second.agent.id),
        demote(secondToken, first.id),
      ])
      // The loser is refused: 422 when it checked after the winner, 403 when it was already demoted.
      const statuses = results.map(r => r.status).sort()
      expect(statuses[0]).toBe(200)
      expect([403, 422]).toContain(statuses[1])
      const admins = await fresh.app.db.selectFrom('agents').select('id').where('role', '=', 'admin').where('active', '=', 1).execute()
      expect(admins).toHaveLength(1)
    }
    finally {
      await fresh.close()
    }
  })
})

describe('deactivation', () => {
  it('ends the agent\'s sessions at once and refuses their login, but keeps their conversations assigned', async () => {
    const member = await invite({ name: 'Leaving' })
    const second = as(await login(server.url, member.email, member.password))
    expect((await member.api('/api/auth/me')).status).toBe(200)
    const res = await patch(server.api, `/api/agents/${member.id}`, { active: false })
    expect(res.status).toBe(200)
    expect((await json(res)).active).toBe(false)
    await expectError(await member.api('/api/auth/me'), 401, 'unauthorized')
    await expectError(await second('/api/conversations'), 401, 'unauthorized')
    const refused = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: member.email, password: member.password }),
    })
    await expectError(refused, 401, 'invalid_credentials')
    const sessions = await server.app.db.selectFrom('sessions').select('revoked_at').where('agent_id', '=', member.id).execute()
    expect(sessions.every(s => s.revoked_at !== null)).toBe(true)
    // Still listed (history names them), and reactivation lets them sign in again.
    expect((await json(await server.api('/api/agents'))).items.find((a: any) => a.id === member.id).active).toBe(false)
    expect((await patch(server.api, `/api/agents/${member.id}`, { active: true })).status).toBe(200)
    await login(server.url, member.email, member.password)
  })
})

describe('password change', () => {
  it('keeps the current session, revokes every other one, and the new password signs in', async () => {
    const member = await invite({ name: 'Rotating' })
    const other = as(await login(server.url, member.email, member.password))
    const res = await member.api('/api/auth/password', {
      json: { currentPassword: member.password, newPassword: 'a brand new password' },
    })
    expect(res.status).toBe(204)
    expect((await member.api('/api/auth/me')).status).toBe(200)
    await expectError(await other('/api/auth/me'), 401, 'unauthorized')
    await login(server.url, member.email, 'a brand new password')
    const old = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: member.email, password: member.password }),
    })
    await expectError(old, 401, 'invalid_credentials')
  })

  it('refuses a wrong current password with 403 wrong_password and changes nothing', async () => {
    const member = await invite({ name: 'Wrong' })
    const other = as(await login(server.url, member.email, member.password))
    await expectError(await member.api('/api/auth/password', {
      json: { currentPassword: 'not it at all', newPassword: 'a brand new password' },
    }), 403, 'wrong_password', 'currentPassword')
    expect((await other('/api/auth/me')).status).toBe(200)
    await login(server.url, member.email, member.password)
  })

  it.each([
    [
      'a short new password',
      { currentPassword: 'x', newPassword: 'short' },
      'newPassword',
    ],
    [
      'an overlong new password',
      {
        currentPassword: 'x',
        newPassword: 'p'.repeat(1025),
      },
      'newPassword',
    ],
    [
      'no current password',
      { newPassword: 'long enough password' },
      'currentPassword',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    await expectError(await server.api('/api/auth/password', { json: body }), 400, 'invalid_request', field)
  })

  it('needs a session', async () => {
    const res = await fetch(`${server.url}/api/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: ADMIN.password, newPassword: 'whatever password' }),
    })
    await expectError(res, 401, 'unauthorized')
  })
})

describe('channels', () => {
  const number = (phoneNumberId: string) => ({
    phoneNumberId,
    wabaId: '102290129340399',
    accessToken: 'EAAG-secret-token-value',
    appSecret: 'second-app-secret',
    verifyToken: 'second-verify-token',
    displayPhoneNumber: '15550001111',
  })

  it('lists the workspace\'s numbers to any agent, never their secrets', async () => {
    const member = await invite({ name: 'Viewer' })
    const res = await member.api('/api/channels')
    expect(res.status).toBe(200)
    const { items } = await json(res)
    expect(items.find((c: any) => c.phoneNumberId === WA.phoneNumberId)).toMatchObject({ displayPhoneNumber: WA.displayPhoneNumber })
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual([
        'createdAt',
        'displayPhoneNumber',
        'id',
        'phoneNumberId',
      ])
    }
    const text = JSON.stringify(items)
    for (const secret of [WA.accessToken, WA.appSecret, WA.verifyToken])
      expect(text).not.toContain(secret)
  })

  it('lets an admin add a number: answered without secrets, and its webhooks verify at once', async () => {
    const res = await server.api('/api/channels', {
      json: number('209000000000001'),
    })
    expect(res.status).toBe(201)
    const channel = await json(res)
    expect(channel).toMatchObject({ phoneNumberId: '209000000000001', displayPhoneNumber: '15550001111' })
    expect(Object.keys(channel).sort()).toEqual([
      'createdAt',
      'displayPhoneNumber',
      'id',
      'phoneNumberId',
    ])
    expect(JSON.stringify(channel)).not.toContain('secret')
    const stored = await server.app.db.selectFrom('channels').selectAll().where('id', '=', channel.id).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ access_token: 'EAAG-secret-token-value', app_secret: 'second-app-secret', throughput_per_second: server.config.throughputPerSecond })
    expect(server.app.channels.byPhoneNumberId('209000000000001')?.id).toBe(channel.id)
    const handshake = await fetch(`${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=second-verify-token&hub.challenge=42`)
    expect(await handshake.text()).toBe('42')
    expect((await json(await server.api('/api/channels'))).items.map((c: any) => c.id)).toContain(channel.id)
  })

  it('refuses a number already connected with 409 naming phoneNumberId', async () => {
    await expectError(await server.api('/api/channels', {
      json: number(WA.phoneNumberId),
    }), 409, 'phone_number_taken', 'phoneNumberId')
  })

  it.each([
    [
      'a non-numeric phoneNumberId',
      {
        ...number('1'),
        phoneNumberId: 'abc',
      },
      'phoneNumberId',
    ],
    [
      'a missing appSecret',
      {
        ...number('1'),
        appSecret: undefined,
      },
      'appSecret',
    ],
    [
      'a token with whitespace',
      {
        ...number('1'),
        accessToken: 'EAAG token',
      },
      'accessToken',
    ],
    [
      'an overlong token',
      {
        ...number('1'),
        accessToken: 'x'.repeat(4097),
      },
      'accessToken',
    ],
    [
      'a throughput of 0',
      {
        ...number('1'),
        throughputPerSecond: 0,
      },
      'throughputPerSecond',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    await expectError(await server.api('/api/channels', { json: body }), 400, 'invalid_request', field)
  })

  it('is for admins only', async () => {
    const member = await invite({ name: 'NotAdmin' })
    await expectError(await member.api('/api/channels', {
      json: number('209000000000002'),
    }), 403, 'forbidden')
    expect(server.app.channels.byPhoneNumberId('209000000000002')).toBeUndefined()
  })
})

describe('workspaces', () => {
  it('answers another workspace\'s agents with 404, and lists only its own', async () => {
    const other = await otherWorkspace()
    const member = await invite({ name: 'Insider' })
    await expectError(await other.api(`/api/agents/${member.id}`), 404, 'not_found')
    await expectError(await patch(other.api, `/api/agents/${member.id}`, { active: false }), 404, 'not_found')
    expect((await member.api('/api/auth/me')).status).toBe(200)
    await expectError(await server.api(`/api/agents/${other.adminId}`), 404, 'not_found')
    const theirs = (await json(await other.api('/api/agents'))).items
    expect(theirs.map((a: any) => a.id)).toEqual([other.adminId])
    expect((await json(await other.api('/api/channels'))).items).toEqual([])
    // Being the last admin of their own workspace is judged there, not across workspaces.
    await expectError(await patch(other.api, '/api/agents/me', { role: 'agent' }), 422, 'last_admin')
    // A team of this workspace cannot be given to an agent there.
    const team = await json(await server.api('/api/teams', {
      json: { name: `Local ${++n}` },
    }))
    await expectError(await patch(other.api, '/api/agents/me', {
      teamIds: [team.id],
    }), 404, 'not_found', 'teamIds')
  })
})

describe('sync and mutations', () => {
  it('serves agent changes after a cursor', async () => {
    const member = await invite({ name: 'Synced' })
    const { cursor } = await pullAll(member.api)
    const invited = await json(await server.api('/api/agents', {
      json: {
        email: uniqueEmail('Newcomer'),
        name: 'Newcomer',
      },
    }))
    await patch(server.api, `/api/agents/${member.id}`, { name: 'Synced Renamed' })
    const { changes } = await pullAll(member.api, cursor)
    const agents = changes.filter(c => c.kind === 'agent')
    expect(agents.find(c => c.id === invited.agent.id)?.data).toMatchObject({ name: 'Newcomer' })
    expect(agents.find(c => c.id === member.id)?.data).toMatchObject({ name: 'Synced Renamed' })
    expect(JSON.stringify(changes)).not.toContain('password')
  })

  it('serves a new channel after a cursor, without secrets', async () => {
    const member = await invite({ name: 'ChannelWatcher' })
    const { cursor } = await pullAll(member.api)
    const channel = await json(await server.api('/api/channels', {
      json: {
        phoneNumberId: '209000000000003',
        wabaId: '1',
        accessToken: 'tok-3',
        appSecret: 'sec-3',
        verifyToken: 'ver-3',
      },
    }))
    const { changes } = await pullAll(member.api, cursor)
    const change = changes.find(c => c.kind === 'channel' && c.id === channel.id)
    expect(change?.data).toMatchObject({ phoneNumberId: '209000000000003', displayPhoneNumber: null })
    expect(JSON.stringify(changes)).not.toContain('sec-3')
  })

  it('sets the caller\'s availability through agent.setAvailability, idempotently', async () => {
    const member = await invite({ name: 'Mutator' })
    const { cursor } = await pullAll(member.api)
    const batch = {
      mutations: [
        {
          id: 'avail-1',
          type: 'agent.setAvailability',
          args: { availability: 'online' },
        },
      ],
    }
    const res = await member.api('/api/mutations', { json: batch })
    expect(res.status).toBe(200)
    const { results } = await json(res)
    expect(results[0]).toMatchObject({
      id: 'avail-1',
      ok: true,
      result: { id: member.id, availability: 'online' },
    })
    const { changes } = await pullAll(member.api, cursor)
    expect(changes.filter(c => c.kind === 'agent' && c.id === member.id).at(-1)?.data.availability).toBe('online')
    await patch(member.api, '/api/agents/me', { availability: 'away' })
    const replay = await json(await member.api('/api/mutations', { json: batch }))
    expect(replay.results[0]).toMatchObject({ ok: true })
    expect((await json(await member.api('/api/agents/me'))).availability).toBe('away')
    const bad = await json(await member.api('/api/mutations', {
      json: {
        mutations: [
          {
            id: 'avail-2',
            type: 'agent.setAvailability',
            args: { availability: 'busy' },
          },
        ],
      },
    }))
    expect(bad.results[0]).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
  })

  it('serves nothing when a patch changes nothing', async () => {
    const id = await adminId()
    const me = await json(await server.api('/api/agents/me'))
    const { cursor } = await pullAll(server.api)
    expect((await patch(server.api, `/api/agents/${id}`, { name: me.name })).status).toBe(200)
    const { changes } = await pullAll(server.api, cursor)
    expect(changes.filter(c => c.kind === 'agent' && c.id === id)).toEqual([])
  })
})

describe('openAPI', () => {
  it('documents the team routes', async () => {
    const doc = await json(await fetch(`${server.url}/api/openapi.json`))
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/agents',
      '/api/agents/{id}',
      '/api/teams',
      '/api/teams/{id}',
      '/api/channels',
      '/api/auth/password',
    ]))
    expect(doc.paths['/api/agents/{id}'].patch.requestBody).toBeDefined()
    expect(doc.paths['/api/channels'].post.responses['409']).toBeDefined()
  })
})
