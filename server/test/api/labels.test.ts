/**
 * Labels: any agent creates them (also on the fly by name when labelling a contact), one per name
 * case-insensitively; admins rename and delete them, and deleting takes the label off every contact.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, customerSays, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let agent: Member
let ana: string
let bogdan: string

async function contactIdOf(waId: string): Promise<string> {
  return (await server.app.db.selectFrom('contacts').select('id').where('wa_id', '=', waId).executeTakeFirstOrThrow()).id
}

async function labelNames(): Promise<string[]> {
  return (await json(await server.api('/api/labels'))).items.map((l: { name: string }) => l.name)
}

beforeAll(async () => {
  server = await startServer()
  agent = await addAgent(server)
  await customerSays(server, '40711000001', 'Ana')
  await customerSays(server, '40711000002', 'Bogdan')
  ana = await contactIdOf('40711000001')
  bogdan = await contactIdOf('40711000002')
})
afterAll(async () => server.close())

describe('create', () => {
  it('lets any agent create a label, and answers the existing one for the same name', async () => {
    const res = await agent.api('/api/labels', {
      json: { name: 'VIP', color: 'amber' },
    })
    expect(res.status).toBe(201)
    const vip = await json(res)
    expect(vip).toMatchObject({
      id: expect.any(String),
      name: 'VIP',
      color: 'amber',
    })
    const again = await server.api('/api/labels', {
      json: { name: '  vip ', color: 'red' },
    })
    expect(again.status).toBe(200)
    expect(await json(again)).toEqual(vip)
    expect((await labelNames()).filter(n => n.toLowerCase() === 'vip')).toEqual(['VIP'])
  })

  it('gives a new label the default colour', async () => {
    const res = await agent.api('/api/labels', {
      json: { name: 'Returning' },
    })
    expect(await json(res)).toMatchObject({ name: 'Returning', color: 'gray' })
  })

  it('is idempotent by client id', async () => {
    const first = await agent.api('/api/labels', {
      json: { id: 'client-label-1', name: 'Wholesale', color: 'blue' },
    })
    expect(first.status).toBe(201)
    expect((await json(first)).id).toBe('client-label-1')
    const retry = await agent.api('/api/labels', {
      json: { id: 'client-label-1', name: 'Wholesale', color: 'blue' },
    })
    expect(retry.status).toBe(200)
    expect((await json(retry)).id).toBe('client-label-1')
    expect((await labelNames()).filter(n => n === 'Wholesale')).toHaveLength(1)
  })

  it.each([
    [
      'no name',
      { color: 'red' },
      'name',
    ],
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
      'a too-long name',
      {
        name: 'x'.repeat(61),
      },
      'name',
    ],
    [
      'an unknown colour',
      { name: 'Odd', color: 'chartreuse' },
      'color',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const res = await agent.api('/api/labels', { json: body })
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field })
  })

  it('keeps a name verbatim', async () => {
    const res = await agent.api('/api/labels', {
      json: { name: '<b>Hot</b> & "new"' },
    })
    expect((await json(res)).name).toBe('<b>Hot</b> & "new"')
  })
})

describe('on contacts', () => {
  it('adds a label by name, creating it on the fly, case-insensitively and only once', async () => {
    const before = (await labelNames()).length
    const res = await agent.api(`/api/contacts/${ana}/labels`, {
      json: { name: 'Needs follow-up', color: 'orange' },
    })
    expect(res.status).toBe(200)
    const contact = await json(res)
    const labels = (await json(await server.api('/api/labels'))).items
    const created = labels.find((l: { name: string }) => l.name === 'Needs follow-up')
    expect(created).toMatchObject({ color: 'orange' })
    expect(contact.labelIds).toEqual([created.id])
    // the same name differently written: the same label, on another contact
    const other = await json(await agent.api(`/api/contacts/${bogdan}/labels`, {
      json: { name: 'NEEDS FOLLOW-UP' },
    }))
    expect(other.labelIds).toEqual([created.id])
    expect((await labelNames()).length).toBe(before + 1)
  })

  it('adds by id; adding twice and removing an absent label are no-ops', async () => {
    const vip = (await json(await server.api('/api/labels'))).items.find((l: { name: string }) => l.name === 'VIP')
    const once = await json(await agent.api(`/api/contacts/${ana}/labels`, {
      json: { labelId: vip.id },
    }))
    expect(once.labelIds).toContain(vip.id)
    const twice = await agent.api(`/api/contacts/${ana}/labels`, {
      json: { labelId: vip.id },
    })
    expect(twice.status).toBe(200)
    expect((await json(twice)).labelIds.filter((id: string) => id === vip.id)).toHaveLength(1)
    const removed = await agent.api(`/api/contacts/${ana}/labels/${vip.id}`, { method: 'DELETE' })
    expect(removed.status).toBe(200)
    expect((await json(removed)).labelIds).not.toContain(vip.id)
    const again = await agent.api(`/api/contacts/${ana}/labels/${vip.id}`, { method: 'DELETE' })
    expect(again.status).toBe(200)
    expect((await json(again)).labelIds).not.toContain(vip.id)
  })

  it('refuses an unknown label id with 404 and a body without id or name with 400', async () => {
    const unknown = await agent.api(`/api/contacts/${ana}/labels`, {
      json: { labelId: 'nope' },
    })
    expect(unknown.status).toBe(404)
    expect((await json(unknown)).error).toMatchObject({ code: 'not_found', field: 'labelId' })
    expect((await agent.api(`/api/contacts/${ana}/labels/nope`, { method: 'DELETE' })).status).toBe(404)
    const empty = await agent.api(`/api/contacts/${ana}/labels`, {
      json: { color: 'red' },
    })
    expect(empty.status).toBe(400)
    expect((await json(empty)).error).toMatchObject({ code: 'invalid_request', field: 'labelId' })
  })

  it('records label and contact changes for sync', async () => {
    const { cursor } = await pullAll(agent.api)
    await agent.api(`/api/contacts/${bogdan}/labels`, {
      json: { name: 'Brand new' },
    })
    const { changes } = await pullAll(agent.api, cursor)
    const label = changes.find(c => c.kind === 'label')
    expect(label).toMatchObject({
      op: 'upsert',
      data: { name: 'Brand new' },
    })
    expect(changes.find(c => c.kind === 'contact')).toMatchObject({
      id: bogdan,
      op: 'upsert',
      data: {
        labelIds: expect.arrayContaining([label!.id]),
      },
    })
  })
})

describe('admin only', () => {
  it('refuses agents renaming or deleting with 403', async () => {
    const label = await json(await agent.api('/api/labels', {
      json: { name: 'Agent made' },
    }))
    const rename = await agent.api(`/api/labels/${label.id}`, {
      method: 'PATCH',
      json: { name: 'Renamed' },
    })
    expect(rename.status).toBe(403)
    expect((await json(rename)).error.code).toBe('forbidden')
    const remove = await agent.api(`/api/labels/${label.id}`, { method: 'DELETE' })
    expect(remove.status).toBe(403)
    expect(await labelNames()).toContain('Agent made')
  })

  it('renames and recolours; a name another label has is name_taken', async () => {
    const label = await json(await server.api('/api/labels', {
      json: { name: 'Lead' },
    }))
    const res = await server.api(`/api/labels/${label.id}`, {
      method: 'PATCH',
      json: { name: 'Hot lead', color: 'red' },
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: label.id, name: 'Hot lead', color: 'red' })
    const caseOnly = await server.api(`/api/labels/${label.id}`, {
      method: 'PATCH',
      json: { name: 'HOT LEAD' },
    })
    expect(caseOnly.status).toBe(200)
    expect((await json(caseOnly)).name).toBe('HOT LEAD')
    const clash = await server.api(`/api/labels/${label.id}`, {
      method: 'PATCH',
      json: { name: 'vip' },
    })
    expect(clash.status).toBe(409)
    expect((await json(clash)).error).toMatchObject({ code: 'name_taken', field: 'name' })
    expect((await server.api('/api/labels/nope', {
      method: 'PATCH',
      json: { name: 'x' },
    })).status).toBe(404)
  })

  it('deletes a label and takes it off every contact', async () => {
    const label = await json(await server.api('/api/labels', {
      json: { name: 'Doomed' },
    }))
    await agent.api(`/api/contacts/${ana}/labels`, {
      json: { labelId: label.id },
    })
    await agent.api(`/api/contacts/${bogdan}/labels`, {
      json: { labelId: label.id },
    })
    const { cursor } = await pullAll(agent.api)
    const res = await server.api(`/api/labels/${label.id}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(await labelNames()).not.toContain('Doomed')
    for (const id of [ana, bogdan])
      expect((await json(await server.api(`/api/contacts/${id}`))).labelIds).not.toContain(label.id)
    expect((await json(await server.api(`/api/contacts?label=${label.id}`))).items).toEqual([])
    const { changes } = await pullAll(agent.api, cursor)
    expect(changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'label', id: label.id, op: 'delete' }),
      expect.objectContaining({ kind: 'contact', id: ana, op: 'upsert' }),
      expect.objectContaining({ kind: 'contact', id: bogdan, op: 'upsert' }),
    ]))
    expect((await server.api(`/api/labels/${label.id}`, { method: 'DELETE' })).status).toBe(404)
  })
})

describe('another workspace', () => {
  it('sees none of these labels and gets 404 for their ids', async () => {
    const other = await otherWorkspace(server)
    const label = (await json(await server.api('/api/labels'))).items[0]
    expect((await json(await other.api('/api/labels'))).items).toEqual([])
    expect((await other.api(`/api/labels/${label.id}`, {
      method: 'PATCH',
      json: { name: 'Mine' },
    })).status).toBe(404)
    expect((await other.api(`/api/labels/${label.id}`, { method: 'DELETE' })).status).toBe(404)
    // Its own label of the same name is a different label.
    const own = await other.api('/api/labels', {
      json: { name: label.name },
    })
    expect(own.status).toBe(201)
    const theirs = await json(own)
    expect(theirs.id).not.toBe(label.id)
    // A client id already taken elsewhere is neither answered with the other workspace's label
    // nor refused (which would confirm it exists): the label is made under a fresh id.
    const taken = await other.api('/api/labels', {
      json: { id: label.id, name: 'Sneaky' },
    })
    expect(taken.status).toBe(201)
    const sneaky = await json(taken)
    expect(sneaky).toMatchObject({ name: 'Sneaky' })
    expect(sneaky.id).not.toBe(label.id)
    expect((await json(await server.api(`/api/labels`))).items.find((l: any) => l.id === label.id).name).toBe(label.name)
    // Nor can this workspace use the other's label on its contacts.
    expect((await server.api(`/api/contacts/${ana}/labels`, {
      json: { labelId: theirs.id },
    })).status).toBe(404)
    expect((await server.api(`/api/contacts/${ana}/labels/${theirs.id}`, { method: 'DELETE' })).status).toBe(404)
  })
})
