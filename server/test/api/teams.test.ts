/**
 * Teams from the outside: create, rename and replace members (admins only), names unique per
 * workspace whatever their case, members that must be agents of the workspace, deletion clearing
 * conversations' team with a recorded move, and every change reaching `/api/sync`.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam, customerSays, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let alice: Member
let bob: Member
let adminId: string
beforeAll(async () => {
  server = await startServer()
  alice = await addAgent(server, { name: 'Alice' })
  bob = await addAgent(server, { name: 'Bob' })
  adminId = (await json(await server.api('/api/agents/me'))).id
})
afterAll(async () => server.close())

let n = 0
const teamName = (base: string) => `${base} ${++n}`
let phone = 40_744_200_000
const nextPhone = () => String(++phone)

async function createTeam(body: { name: string, agentIds?: string[] }) {
  const res = await server.api('/api/teams', { json: body })
  expect(res.status).toBe(201)
  return await json(res)
}

async function patchTeam(id: string, body: unknown, api = server.api) {
  return await api(`/api/teams/${id}`, { method: 'PATCH', json: body })
}

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status)
  const { error } = await json(res)
  expect(error.code).toBe(code)
  if (field)
    expect(error.field).toBe(field)
}

describe('creating teams', () => {
  it('creates a team with members, seen by every agent and on each member', async () => {
    const name = teamName('Sales')
    const team = await createTeam({
      name: `  ${name}  `,
      agentIds: [alice.id, bob.id, alice.id],
    })
    expect(team).toMatchObject({
      name,
      agentIds: [alice.id, bob.id].sort(),
    })
    const listed = await json(await alice.api('/api/teams'))
    expect(listed.items.find((t: any) => t.id === team.id)).toMatchObject({ name })
    expect((await json(await alice.api('/api/agents/me'))).teamIds).toContain(team.id)
  })

  it('refuses a name another team has, whatever its case, with 409 name_taken', async () => {
    const name = teamName('Support')
    await createTeam({ name })
    await expectError(await server.api('/api/teams', {
      json: {
        name: name.toUpperCase(),
      },
    }), 409, 'name_taken', 'name')
    await expectError(await server.api('/api/teams', {
      json: { name: ` ${name.toLowerCase()} ` },
    }), 409, 'name_taken', 'name')
  })

  it('refuses members that are not agents of the workspace with 404 naming agentIds', async () => {
    const outsider = await otherWorkspace(server)
    await expectError(await server.api('/api/teams', {
      json: {
        name: teamName('Mixed'),
        agentIds: [alice.id, outsider.id],
      },
    }), 404, 'not_found', 'agentIds')
    await expectError(await server.api('/api/teams', {
      json: {
        name: teamName('Ghosts'),
        agentIds: ['nobody'],
      },
    }), 404, 'not_found', 'agentIds')
    const names: string[] = (await json(await server.api('/api/teams'))).items.map((t: any) => t.name)
    expect(names.filter(name => /^(?:Mixed|Ghosts)/.test(name))).toEqual([])
  })

  it.each([
    ['no name', {}, 'name'],
    [
      'an empty name',
      { name: '' },
      'name',
    ],
    [
      'a blank name',
      { name: '   ' },
      'name',
    ],
    [
      'a name over 80 characters',
      {
        name: 't'.repeat(81),
      },
      'name',
    ],
    [
      'an unknown field',
      { name: 'Ok', color: 'red' },
      'color',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    await expectError(await server.api('/api/teams', { json: body }), 400, 'invalid_request', field)
  })

  it('is for admins only', async () => {
    await expectError(await alice.api('/api/teams', {
      json: {
        name: teamName('Rogue'),
      },
    }), 403, 'forbidden')
  })
})

describe('changing teams', () => {
  it('renames a team and replaces its members', async () => {
    const team = await createTeam({
      name: teamName('Billing'),
      agentIds: [alice.id],
    })
    const name = teamName('Invoices')
    const res = await patchTeam(team.id, {
      name,
      agentIds: [bob.id],
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({
      id: team.id,
      name,
      agentIds: [bob.id],
    })
    expect((await json(await alice.api('/api/agents/me'))).teamIds).not.toContain(team.id)
    expect((await json(await bob.api('/api/agents/me'))).teamIds).toContain(team.id)
    const cleared = await json(await patchTeam(team.id, { agentIds: [] }))
    expect(cleared.agentIds).toEqual([])
  })

  it('may change only the case of its own name, but not take another team\'s', async () => {
    const team = await createTeam({
      name: teamName('vip'),
    })
    const upper = team.name.toUpperCase()
    expect((await json(await patchTeam(team.id, { name: upper }))).name).toBe(upper)
    const other = await createTeam({
      name: teamName('Other'),
    })
    await expectError(await patchTeam(team.id, {
      name: other.name.toLowerCase(),
    }), 409, 'name_taken', 'name')
  })

  it('refuses unknown members, an empty patch, and an unknown team', async () => {
    const team = await createTeam({
      name: teamName('Strict'),
    })
    await expectError(await patchTeam(team.id, {
      agentIds: ['nobody'],
    }), 404, 'not_found', 'agentIds')
    await expectError(await patchTeam(team.id, {}), 400, 'invalid_request')
    await expectError(await patchTeam('nope', { name: 'X' }), 404, 'not_found')
  })

  it('lets an admin set an agent\'s teams from the agent side', async () => {
    const a = await createTeam({
      name: teamName('Side A'),
    })
    const b = await createTeam({
      name: teamName('Side B'),
    })
    const res = await server.api(`/api/agents/${alice.id}`, {
      method: 'PATCH',
      json: {
        teamIds: [a.id, b.id],
      },
    })
    expect(res.status).toBe(200)
    expect((await json(res)).teamIds).toEqual(expect.arrayContaining([a.id, b.id]))
    const teams = (await json(await server.api('/api/teams'))).items
    expect(teams.find((t: any) => t.id === a.id).agentIds).toContain(alice.id)
    const back = await json(await server.api(`/api/agents/${alice.id}`, {
      method: 'PATCH',
      json: {
        teamIds: [b.id],
      },
    }))
    expect(back.teamIds).not.toContain(a.id)
    await expectError(await server.api(`/api/agents/${alice.id}`, {
      method: 'PATCH',
      json: {
        teamIds: ['nope'],
      },
    }), 404, 'not_found', 'teamIds')
  })

  it('is for admins only', async () => {
    const team = await createTeam({
      name: teamName('Locked'),
    })
    await expectError(await patchTeam(team.id, {
      name: teamName('Mine'),
    }, alice.api), 403, 'forbidden')
    await expectError(await alice.api(`/api/teams/${team.id}`, { method: 'DELETE' }), 403, 'forbidden')
    expect((await json(await server.api('/api/teams'))).items.map((t: any) => t.id)).toContain(team.id)
  })
})

describe('deleting teams', () => {
  it('removes the team and its memberships, and clears it from conversations with a recorded move', async () => {
    const team = await createTeam({
      name: teamName('Doomed'),
      agentIds: [alice.id],
    })
    const kept = await createTeam({
      name: teamName('Kept'),
    })
    const first = await customerSays(server, nextPhone(), 'Team Customer 1')
    const second = await customerSays(server, nextPhone(), 'Team Customer 2')
    const untouched = await customerSays(server, nextPhone(), 'Team Customer 3')
    for (const id of [first, second]) {
      expect((await server.api(`/api/conversations/${id}/team`, {
        json: { teamId: team.id },
      })).status).toBe(200)
    }
    await server.api(`/api/conversations/${untouched}/team`, {
      json: { teamId: kept.id },
    })
    await server.api(`/api/conversations/${first}/assign`, {
      json: { assigneeId: bob.id },
    })

    const res = await server.api(`/api/teams/${team.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect((await json(await server.api('/api/teams'))).items.map((t: any) => t.id)).not.toContain(team.id)
    expect((await json(await alice.api('/api/agents/me'))).teamIds).not.toContain(team.id)
    const members = await server.app.db.selectFrom('team_members').select('agent_id').where('team_id', '=', team.id).execute()
    expect(members).toEqual([])

    const one = await json(await server.api(`/api/conversations/${first}`))
    expect(one).toMatchObject({ teamId: null, assigneeId: bob.id }) // the assignee stays
    expect((await json(await server.api(`/api/conversations/${second}`))).teamId).toBeNull()
    expect((await json(await server.api(`/api/conversations/${untouched}`))).teamId).toBe(kept.id)
    const events = await server.app.db.selectFrom('conversation_events').selectAll().where('conversation_id', 'in', [first, second]).where('kind', '=', 'team').where('to_value', 'is', null).execute()
    expect(events).toHaveLength(2)
    expect(events.every(e => e.actor_id === adminId && e.from_value === team.id)).toBe(true)

    await expectError(await server.api(`/api/teams/${team.id}`, { method: 'DELETE' }), 404, 'not_found')
    await expectError(await patchTeam(team.id, { name: 'Back' }), 404, 'not_found')
  })

  it('serves the deletion, the members and the conversations through sync', async () => {
    const restricted = await addAgent(server, { name: 'Restricted', restricted: true })
    const team = await createTeam({
      name: teamName('Synced'),
      agentIds: [alice.id, restricted.id],
    })
    const conversation = await customerSays(server, nextPhone(), 'Synced Customer')
    await server.api(`/api/conversations/${conversation}/team`, {
      json: { teamId: team.id },
    })
    // The restricted member sees the conversation only through the team.
    expect((await restricted.api(`/api/conversations/${conversation}`)).status).toBe(200)
    const { cursor } = await pullAll(alice.api)
    const { cursor: restrictedCursor } = await pullAll(restricted.api)

    expect((await server.api(`/api/teams/${team.id}`, { method: 'DELETE' })).status).toBe(204)

    const { changes } = await pullAll(alice.api, cursor)
    expect(changes.find(c => c.kind === 'team' && c.id === team.id)).toMatchObject({ op: 'delete' })
    const aliceChange = changes.find(c => c.kind === 'agent' && c.id === alice.id)
    expect(aliceChange?.data.teamIds).not.toContain(team.id)
    expect(changes.find(c => c.kind === 'conversation' && c.id === conversation)).toMatchObject({
      op: 'upsert',
      data: { teamId: null },
    })
    // For the restricted member what they may see changed wholesale: their sync restarts with a
    // new snapshot (reset) that no longer holds the conversation.
    const first = await json(await restricted.api(`/api/sync?since=${encodeURIComponent(restrictedCursor)}`))
    expect(first.reset).toBe(true)
    const theirs = await pullAll(restricted.api, restrictedCursor)
    expect(theirs.changes.find(c => c.kind === 'conversation' && c.id === conversation)).toBeUndefined()
    expect((await restricted.api(`/api/conversations/${conversation}`)).status).toBe(404)
  })

  it('serves creation, renames and member changes through sync', async () => {
    const { cursor } = await pullAll(bob.api)
    const team = await createTeam({
      name: teamName('Fresh'),
      agentIds: [alice.id],
    })
    const renamed = teamName('Renamed')
    await patchTeam(team.id, {
      name: renamed,
      agentIds: [bob.id],
    })
    const { changes } = await pullAll(bob.api, cursor)
    expect(changes.filter(c => c.kind === 'team' && c.id === team.id).at(-1)?.data).toMatchObject({
      name: renamed,
      agentIds: [bob.id],
    })
    expect(changes.filter(c => c.kind === 'agent' && c.id === alice.id).at(-1)?.data.teamIds).not.toContain(team.id)
    expect(changes.filter(c => c.kind === 'agent' && c.id === bob.id).at(-1)?.data.teamIds).toContain(team.id)
  })
})

describe('workspaces', () => {
  it('answers another workspace\'s teams with 404 and lists only its own', async () => {
    const outsider = await otherWorkspace(server)
    const ours = await createTeam({
      name: teamName('Ours'),
    })
    const theirs = await addTeam(server, 'Theirs', outsider.workspaceId)
    await expectError(await patchTeam(ours.id, { name: 'Taken over' }, outsider.api), 404, 'not_found')
    await expectError(await outsider.api(`/api/teams/${ours.id}`, { method: 'DELETE' }), 404, 'not_found')
    await expectError(await patchTeam(theirs, { name: 'Ours now' }), 404, 'not_found')
    await expectError(await server.api(`/api/teams/${theirs}`, { method: 'DELETE' }), 404, 'not_found')
    expect((await json(await outsider.api('/api/teams'))).items.map((t: any) => t.id)).toEqual([theirs])
    expect((await json(await server.api('/api/teams'))).items.map((t: any) => t.id)).not.toContain(theirs)
    // Names are unique per workspace only.
    const same = await outsider.api('/api/teams', {
      json: { name: ours.name },
    })
    expect(same.status).toBe(201)
    // Their agents cannot join our teams, nor ours theirs.
    await expectError(await patchTeam(ours.id, {
      agentIds: [outsider.id],
    }), 404, 'not_found', 'agentIds')
    await expectError(await patchTeam(theirs, {
      agentIds: [alice.id],
    }, outsider.api), 404, 'not_found', 'agentIds')
  })
})
