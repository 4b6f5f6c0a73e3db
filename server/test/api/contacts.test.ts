/**
 * Contacts through the API: search by name (word prefix, accents ignored) and phone digits, label
 * filter and paging; edits with validation naming the field; creating a contact from a phone
 * number; what a restricted agent and another workspace may see.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, customerSays, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let stefan: string
let maria: string
let ion: string

async function contactIdOf(waId: string): Promise<string> {
  return (await server.app.db.selectFrom('contacts').select('id').where('wa_id', '=', waId).executeTakeFirstOrThrow()).id
}

async function search(query: string, api: Member['api'] = server.api): Promise<string[]> {
  const res = await api(`/api/contacts?${query}`)
  expect(res.status).toBe(200)
  return (await json(res)).items.map((c: { id: string }) => c.id)
}

beforeAll(async () => {
  server = await startServer()
  await customerSays(server, '40722123456', 'Ștefan Popescu')
  await customerSays(server, '40733000111', 'Maria Ionescu')
  await customerSays(server, '4915112345678', 'Ion Müller')
  stefan = await contactIdOf('40722123456')
  maria = await contactIdOf('40733000111')
  ion = await contactIdOf('4915112345678')
})
afterAll(async () => server.close())

describe('list and search', () => {
  it('lists contacts sorted by name', async () => {
    const res = await server.api('/api/contacts')
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.items.map((c: { profileName: string }) => c.profileName)).toEqual([
      'Ion Müller',
      'Maria Ionescu',
      'Ștefan Popescu',
    ])
    expect(body.nextCursor).toBeNull()
    expect(body.items[2]).toMatchObject({
      id: stefan,
      waId: '40722123456',
      phone: '+40722123456',
      labelIds: [],
      customFields: {},
    })
  })

  it('finds a name by word prefix with accents ignored', async () => {
    expect(await search('q=stefan')).toEqual([stefan])
    expect(await search('q=STEF')).toEqual([stefan])
    expect(await search('q=pop')).toEqual([stefan])
    expect(await search('q=muller')).toEqual([ion])
    // a word prefix, not any substring
    expect(await search('q=escu')).toEqual([])
    // "ion" starts "Ion Müller" and "Ionescu"
    expect((await search('q=ion')).sort()).toEqual([ion, maria].sort())
  })

  it('finds phone digits anywhere, however they are typed', async () => {
    expect(await search('q=0722')).toEqual([stefan])
    expect(await search(`q=${encodeURIComponent('+40 722 123')}`)).toEqual([stefan])
    expect(await search('q=12345')).toEqual(expect.arrayContaining([stefan, ion]))
    expect(await search('q=999999')).toEqual([])
  })

  it('treats LIKE wildcards as text', async () => {
    expect(await search(`q=${encodeURIComponent('%')}`)).toEqual([])
    expect(await search(`q=${encodeURIComponent('_')}`)).toEqual([])
  })

  it('pages with an opaque cursor', async () => {
    const first = await json(await server.api('/api/contacts?limit=2'))
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await json(await server.api(`/api/contacts?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`))
    expect(second.items).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    expect([
      ...first.items,
      ...second.items,
    ].map((c: { id: string }) => c.id)).toEqual([ion, maria, stefan])
    const bad = await server.api('/api/contacts?cursor=nonsense')
    expect(bad.status).toBe(400)
    expect((await json(bad)).error).toMatchObject({ code: 'invalid_request', field: 'cursor' })
  })

  it('filters by label', async () => {
    const label = await json(await server.api('/api/labels', {
      json: { name: 'Filter me' },
    }))
    await server.api(`/api/contacts/${maria}/labels`, {
      json: { labelId: label.id },
    })
    expect(await search(`label=${label.id}`)).toEqual([maria])
    expect(await search(`label=${label.id}&q=stefan`)).toEqual([])
  })
})

describe('one contact', () => {
  it('answers a contact and its conversations', async () => {
    const res = await server.api(`/api/contacts/${stefan}`)
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ id: stefan, profileName: 'Ștefan Popescu' })
    const conversations = await json(await server.api(`/api/contacts/${stefan}/conversations`))
    expect(conversations.items).toHaveLength(1)
    expect(conversations.items[0]).toMatchObject({
      contactId: stefan,
      status: 'open',
      lastMessagePreview: 'Bună ziua!',
      contact: { id: stefan },
    })
  })

  it('answers 404 for an unknown id', async () => {
    for (const path of ['/api/contacts/nope', '/api/contacts/nope/conversations', '/api/contacts/nope/notes']) {
      const res = await server.api(path)
      expect(res.status).toBe(404)
      expect((await json(res)).error.code).toBe('not_found')
    }
  })
})

describe('edit', () => {
  it('edits fields, custom fields and toggles, and search follows', async () => {
    const res = await server.api(`/api/contacts/${maria}`, {
      method: 'PATCH',
      json: {
        name: 'Mărioara Vasilescu',
        email: 'maria@example.com',
        phone: '+40 (744) 555-666',
        language: 'ro',
        customFields: { city: 'Cluj', tier: 'gold' },
        aiBot: true,
        replyBot: true,
        blocked: true,
      },
    })
    expect(res.status).toBe(200)
    const contact = await json(res)
    expect(contact).toMatchObject({
      id: maria,
      name: 'Mărioara Vasilescu',
      profileName: 'Maria Ionescu',
      email: 'maria@example.com',
      phone: '+40744555666',
      waId: '40733000111',
      language: 'ro',
      customFields: { city: 'Cluj', tier: 'gold' },
      aiBot: true,
      replyBot: true,
      blocked: true,
    })
    expect(contact.updatedAt).toBeGreaterThan(contact.createdAt - 1)
    expect(await search('q=marioara')).toEqual([maria])
    expect(await search('q=vasil')).toEqual([maria])
    expect(await search('q=0744555')).toEqual([maria])
    expect(await search('q=0733000')).toEqual([maria]) // the WhatsApp number still matches
    expect(await search('q=maria%40example')).toEqual([maria])
  })

  it('replaces custom fields, dropping keys set to ""', async () => {
    const res = await server.api(`/api/contacts/${maria}`, {
      method: 'PATCH',
      json: {
        customFields: { city: 'Iași', tier: '' },
      },
    })
    expect((await json(res)).customFields).toEqual({ city: 'Iași' })
    const cleared = await server.api(`/api/contacts/${maria}`, {
      method: 'PATCH',
      json: {
        name: null,
        email: null,
        phone: null,
        aiBot: false,
        blocked: false,
      },
    })
    expect(await json(cleared)).toMatchObject({
      name: null,
      email: null,
      phone: '+40733000111',
      aiBot: false,
      replyBot: true,
      blocked: false,
      customFields: { city: 'Iași' },
    })
  })

  it('clears a field given as "" like null', async () => {
    await server.api(`/api/contacts/${ion}`, {
      method: 'PATCH',
      json: { name: 'Ion', email: 'ion@example.com' },
    })
    const res = await server.api(`/api/contacts/${ion}`, {
      method: 'PATCH',
      json: { name: '', email: '' },
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({ name: null, email: null, profileName: 'Ion Müller' })
  })

  it('stores and returns text verbatim', async () => {
    const name = '<script>alert("x")</script> & \'Ana\''
    const res = await server.api(`/api/contacts/${ion}`, {
      method: 'PATCH',
      json: { name },
    })
    expect(res.status).toBe(200)
    expect((await json(res)).name).toBe(name)
    expect((await json(await server.api(`/api/contacts/${ion}`))).name).toBe(name)
    const raw = await (await server.api(`/api/contacts/${ion}`)).text()
    expect(raw).toContain('<script>')
  })

  it.each([
    [
      'a bad email',
      { email: 'not-an-email' },
      'email',
    ],
    [
      'a too-long name',
      {
        name: 'x'.repeat(121),
      },
      'name',
    ],
    [
      'a blank custom field key',
      {
        customFields: { '': 'v' },
      },
      'customFields',
    ],
    [
      'a phone with letters',
      { phone: '+40 abc' },
      'phone',
    ],
    [
      'a phone with too few digits',
      { phone: '12-34' },
      'phone',
    ],
    [
      'a bad language tag',
      { language: 'english!' },
      'language',
    ],
    [
      'a non-boolean toggle',
      { aiBot: 'maybe' },
      'aiBot',
    ],
    [
      'a too-long custom field value',
      {
        customFields: {
          a: 'x'.repeat(1001),
        },
      },
      'customFields',
    ],
    [
      'a too-long custom field key',
      {
        customFields: { ['k'.repeat(61)]: 'v' },
      },
      'customFields',
    ],
    [
      'an unknown field',
      { nickname: 'x' },
      'nickname',
    ],
    ['nothing', {}, undefined],
  ])('refuses %s with 400 naming the field', async (_, patch, field) => {
    const res = await server.api(`/api/contacts/${stefan}`, { method: 'PATCH', json: patch })
    expect(res.status).toBe(400)
    const body = await json(res)
    expect(body.error.code).toBe('invalid_request')
    if (field)
      expect(body.error.field).toContain(field)
  })

  it('records the edit for sync', async () => {
    const { cursor } = await pullAll(server.api)
    await server.api(`/api/contacts/${stefan}`, {
      method: 'PATCH',
      json: { language: 'en-GB' },
    })
    const { changes } = await pullAll(server.api, cursor)
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'contact',
        id: stefan,
        op: 'upsert',
        data: expect.objectContaining({ language: 'en-GB' }),
      }),
    ])
  })
})

describe('create from a phone number', () => {
  it('creates the contact with an empty open conversation', async () => {
    const { cursor } = await pullAll(server.api)
    const res = await server.api('/api/contacts', {
      json: { phone: '+40 755 000 001', name: 'Dan Nou' },
    })
    expect(res.status).toBe(201)
    const { contact, conversation } = await json(res)
    expect(contact).toMatchObject({ waId: '40755000001', phone: '+40755000001', name: 'Dan Nou' })
    expect(conversation).toMatchObject({
      contactId: contact.id,
      status: 'open',
      lastMessageAt: null,
      unreadCount: 0,
      assigneeId: null,
      contact: { id: contact.id },
    })
    expect(await search('q=dan')).toEqual([contact.id])
    expect(await search('q=0755000')).toEqual([contact.id])
    const { changes } = await pullAll(server.api, cursor)
    expect(changes.map(c => `${c.kind}:${c.id}`).sort()).toEqual([`contact:${contact.id}`, `conversation:${conversation.id}`].sort())

    // The customer answering lands in the same contact and conversation.
    const conversationId = await customerSays(server, '40755000001', 'Dan')
    expect(conversationId).toBe(conversation.id)
  })

  it('refuses a number that already has a contact with contact_exists', async () => {
    const res = await server.api('/api/contacts', {
      json: { phone: '+40722123456' },
    })
    expect(res.status).toBe(409)
    expect((await json(res)).error).toMatchObject({
      code: 'contact_exists',
      field: 'phone',
      details: { contactId: stefan },
    })
  })

  it.each([
    [
      'too few digits',
      { phone: '1234567' },
      'phone',
    ],
    [
      'letters',
      { phone: 'call me' },
      'phone',
    ],
    [
      'no phone',
      { name: 'X' },
      'phone',
    ],
  ])('refuses %s with 400', async (_, body, field) => {
    const res = await server.api('/api/contacts', { json: body })
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field })
  })

  it('refuses another workspace\'s channel with 404', async () => {
    const res = await server.api('/api/contacts', {
      json: { phone: '+40755000002', channelId: 'no-such-channel' },
    })
    expect(res.status).toBe(404)
    expect((await json(res)).error).toMatchObject({ code: 'not_found', field: 'channelId' })
  })
})

describe('restricted agents', () => {
  it('see a contact only through a conversation assigned to them', async () => {
    const agent = await addAgent(server, { restricted: true, name: 'Restricted Rita' })
    expect((await agent.api(`/api/contacts/${stefan}`)).status).toBe(404)
    expect((await agent.api(`/api/contacts/${stefan}/conversations`)).status).toBe(404)
    expect((await agent.api(`/api/contacts/${stefan}/notes`)).status).toBe(404)
    expect((await agent.api(`/api/contacts/${stefan}`, {
      method: 'PATCH',
      json: { name: 'x' },
    })).status).toBe(404)
    expect(await search('q=stefan', agent.api)).toEqual([])

    const conversationId = await customerSays(server, '40722123456', 'Ștefan Popescu', 'again')
    const assign = await server.api(`/api/conversations/${conversationId}/assign`, {
      json: { assigneeId: agent.id },
    })
    expect(assign.status).toBe(200)

    expect((await agent.api(`/api/contacts/${stefan}`)).status).toBe(200)
    expect(await search('q=stefan', agent.api)).toEqual([stefan])
    expect(await search('', agent.api)).toEqual([stefan])
    const conversations = await json(await agent.api(`/api/contacts/${stefan}/conversations`))
    expect(conversations.items.map((c: { id: string }) => c.id)).toEqual([conversationId])
  })

  it('get the conversation of a contact they create assigned to them', async () => {
    const agent = await addAgent(server, { restricted: true })
    const res = await agent.api('/api/contacts', {
      json: { phone: '+40755000099' },
    })
    expect(res.status).toBe(201)
    const { contact, conversation } = await json(res)
    expect(conversation.assigneeId).toBe(agent.id)
    expect((await agent.api(`/api/contacts/${contact.id}`)).status).toBe(200)
  })
})

describe('another workspace', () => {
  it('cannot see or change this workspace\'s contacts (404, never 403)', async () => {
    const other = await otherWorkspace(server)
    expect((await json(await other.api('/api/contacts'))).items).toEqual([])
    for (const [path, init] of [
      [`/api/contacts/${stefan}`, {}],
      [`/api/contacts/${stefan}/conversations`, {}],
      [`/api/contacts/${stefan}/notes`, {}],
      [
        `/api/contacts/${stefan}`,
        {
          method: 'PATCH',
          json: { name: 'Hacked' },
        },
      ],
      [
        `/api/contacts/${stefan}/labels`,
        {
          json: { name: 'Hacked' },
        },
      ],
      [
        `/api/contacts/${stefan}/notes`,
        {
          json: { body: 'Hacked' },
        },
      ],
    ] as const) {
      const res = await other.api(path, init)
      expect(res.status).toBe(404)
      expect((await json(res)).error.code).toBe('not_found')
    }
    expect((await json(await server.api(`/api/contacts/${stefan}`))).name).not.toBe('Hacked')
  })

  it('has no WhatsApp number to create a contact on', async () => {
    const other = await otherWorkspace(server)
    const res = await other.api('/api/contacts', {
      json: { phone: '+40722123456' },
    })
    expect(res.status).toBe(422)
    expect((await json(res)).error.code).toBe('channel_not_configured')
  })
})

describe('openapi', () => {
  it('documents the routes', async () => {
    const doc = await json(await fetch(`${server.url}/api/openapi.json`))
    for (const path of [
      '/api/contacts',
      '/api/contacts/{id}',
      '/api/contacts/{id}/labels/{labelId}',
      '/api/labels/{id}',
      '/api/notes/{id}',
      '/api/notifications/{id}/read',
      '/api/quick-replies/{id}',
    ])
      expect(doc.paths).toHaveProperty([path])
  })
})
