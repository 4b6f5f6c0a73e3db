/**
 * The team's conversations over HTTP: views, filters, search, assignment with its history,
 * status (open / snoozed / closed) and reopening, per-agent read state, bulk actions, and the
 * visibility rule for restricted agents.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam, customerSays, otherWorkspace } from '../team.ts'

let server: TestServer
let alice: Member
let bob: Member
beforeAll(async () => {
  server = await startServer()
  alice = await addAgent(server, { name: 'Alice' })
  bob = await addAgent(server, { name: 'Bob' })
})
afterAll(async () => server.close())

let phone = 40_722_100_000
const nextPhone = () => String(++phone)

async function list(member: Member | TestServer, query = '') {
  const res = await member.api(`/api/conversations${query}`)
  expect(res.status).toBe(200)
  return await json(res)
}
const ids = (page: { items: Array<{ id: string }> }) => page.items.map(c => c.id)

describe('views and assignment', () => {
  it('puts a new chat in Unassigned, moves it to the assignee\'s Mine, and records who did it', async () => {
    const id = await customerSays(server, nextPhone(), 'Maria Ionescu')
    expect(ids(await list(alice, '?view=unassigned'))).toContain(id)
    expect(ids(await list(alice, '?view=mine'))).not.toContain(id)

    const assigned = await json(await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: alice.id },
    }))
    expect(assigned.assigneeId).toBe(alice.id)
    expect(assigned.assignedAt).toBeGreaterThan(0)
    expect(ids(await list(alice, '?view=mine'))).toContain(id)
    expect(ids(await list(bob, '?view=mine'))).not.toContain(id)
    expect(ids(await list(alice, '?view=unassigned'))).not.toContain(id)

    // Reassign (by an admin) and unassign (by the new assignee).
    expect((await json(await server.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: bob.id },
    }))).assigneeId).toBe(bob.id)
    expect((await json(await bob.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: null },
    }))).assigneeId).toBeNull()

    const events = (await json(await alice.api(`/api/conversations/${id}/events`))).items
    expect(events.map((e: any) => [e.kind, e.actorId, e.from, e.to])).toEqual([
      ['assigned', alice.id, null, alice.id],
      [
        'assigned',
        expect.any(String),
        alice.id,
        bob.id,
      ],
      ['assigned', bob.id, bob.id, null],
    ])
    expect(events.every((e: any) => e.createdAt > 0)).toBe(true)
  })

  it('does not record an assignment that changes nothing', async () => {
    const id = await customerSays(server, nextPhone(), 'Same Assignee')
    await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: alice.id },
    })
    await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: alice.id },
    })
    expect((await json(await alice.api(`/api/conversations/${id}/events`))).items).toHaveLength(1)
  })

  it('refuses an unknown or deactivated assignee, naming the field', async () => {
    const id = await customerSays(server, nextPhone(), 'Nobody')
    const unknown = await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: '018f0000-0000-7000-8000-000000000000' },
    })
    expect(unknown.status).toBe(404)
    expect((await json(unknown)).error).toMatchObject({ code: 'not_found', field: 'assigneeId' })
    const gone = await addAgent(server)
    await server.app.db.updateTable('agents').set({ active: 0 }).where('id', '=', gone.id).execute()
    const inactive = await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: gone.id },
    })
    expect(inactive.status).toBe(422)
    expect((await json(inactive)).error.code).toBe('agent_inactive')
    const invalid = await alice.api(`/api/conversations/${id}/assign`, {
      json: { assignee: alice.id },
    })
    expect(invalid.status).toBe(400)
  })

  it('sorts by last activity and pages with a cursor without gaps or repeats', async () => {
    const base = Date.now() - 3_600_000
    const created: string[] = []
    for (let i = 0; i < 7; i++)
      created.push(await customerSays(server, nextPhone(), `Paging ${i}`, 'hi', base + i * 60_000))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: any = await list(alice, `?status=all&limit=3${cursor
        ? `&cursor=${cursor}`
        : ''}`)
      seen.push(...ids(page))
      cursor = page.nextCursor
    } while (cursor)
    expect(new Set(seen).size).toBe(seen.length)
    const order = seen.filter(id => created.includes(id))
    expect(order).toEqual([...created].reverse())
    const bad = await alice.api('/api/conversations?cursor=nonsense')
    expect(bad.status).toBe(400)
    expect((await json(bad)).error.field).toBe('cursor')
  })
})

describe('search and filters', () => {
  it('finds a contact by name prefix, accents ignored, and by phone digits anywhere', async () => {
    const id = await customerSays(server, '40722555123', 'Ștefan Popescu')
    expect(ids(await list(alice, '?q=stefan'))).toContain(id)
    expect(ids(await list(alice, '?q=Pope'))).toContain(id)
    expect(ids(await list(alice, '?q=tefan'))).not.toContain(id) // word prefix, not any substring
    expect(ids(await list(alice, '?q=0722555'))).toContain(id)
    expect(ids(await list(alice, `?q=${encodeURIComponent('+40 722 555')}`))).toContain(id)
    expect(ids(await list(alice, '?q=0722555999'))).not.toContain(id)
    // LIKE wildcards in the query are literal characters.
    expect(ids(await list(alice, '?q=%25'))).toEqual([])
  })

  it('filters by label, team, number, status and unread', async () => {
    const labelled = await customerSays(server, nextPhone(), 'Labelled')
    const other = await customerSays(server, nextPhone(), 'Plain')
    const now = Date.now()
    const labelId = '018f0000-0000-7000-8000-00000000a001'
    const workspaceId = alice.workspaceId
    await server.app.db.insertInto('labels').values({
      id: labelId,
      workspace_id: workspaceId,
      name: 'VIP',
      name_key: 'vip',
      color: 'red',
      created_at: now,
      updated_at: now,
    }).execute()
    const contact = await server.app.db.selectFrom('conversations').select('contact_id').where('id', '=', labelled).executeTakeFirstOrThrow()
    await server.app.db.insertInto('contact_labels').values({
      contact_id: contact.contact_id,
      label_id: labelId,
      workspace_id: workspaceId,
      created_by: null,
      created_at: now,
    }).execute()
    expect(ids(await list(alice, `?label=${labelId}`))).toEqual([labelled])

    const team = await addTeam(server, 'Sales')
    await alice.api(`/api/conversations/${other}/team`, {
      json: { teamId: team },
    })
    expect(ids(await list(alice, `?teamId=${team}`))).toEqual([other])

    const channel = await server.app.db.selectFrom('channels').select('id').executeTakeFirstOrThrow()
    expect(ids(await list(alice, `?channelId=${channel.id}&limit=200`))).toContain(other)
    expect(ids(await list(alice, '?channelId=018f0000-0000-7000-8000-000000000000'))).toEqual([])

    await alice.api(`/api/conversations/${other}/status`, {
      json: { status: 'closed' },
    })
    expect(ids(await list(alice, '?limit=200'))).not.toContain(other) // open is the default
    expect(ids(await list(alice, '?status=closed'))).toContain(other)
    expect(ids(await list(alice, '?status=all&limit=200'))).toContain(other)

    await alice.api(`/api/conversations/${labelled}/read`, { method: 'POST' })
    expect(ids(await list(alice, '?unread=true&limit=200'))).not.toContain(labelled)
    const invalid = await alice.api('/api/conversations?view=everything')
    expect(invalid.status).toBe(400)
    expect((await json(invalid)).error.field).toBe('view')
  })
})

describe('status', () => {
  it('closes, reopens on the customer\'s next message, and records both moves', async () => {
    const waId = nextPhone()
    const id = await customerSays(server, waId, 'Closer')
    const closed = await json(await alice.api(`/api/conversations/${id}/status`, {
      json: { status: 'closed' },
    }))
    expect(closed.status).toBe('closed')
    await customerSays(server, waId, 'Closer', 'one more thing')
    const reopened = await json(await alice.api(`/api/conversations/${id}`))
    expect(reopened.status).toBe('open')
    const events = (await json(await alice.api(`/api/conversations/${id}/events`))).items
    expect(events.map((e: any) => [e.kind, e.from, e.to, e.actorId])).toEqual([
      ['status', 'open', 'closed', alice.id],
      ['status', 'closed', 'open', null],
    ])
  })

  it('snoozes until a time and reopens by itself when it comes', async () => {
    const id = await customerSays(server, nextPhone(), 'Snoozer')
    const past = await alice.api(`/api/conversations/${id}/status`, {
      json: { status: 'snoozed', snoozedUntil: Date.now() - 1000 },
    })
    expect(past.status).toBe(400)
    expect((await json(past)).error.field).toBe('snoozedUntil')
    const until = Date.now() + 60_000
    const snoozed = await json(await alice.api(`/api/conversations/${id}/status`, {
      json: { status: 'snoozed', snoozedUntil: until },
    }))
    expect(snoozed).toMatchObject({ status: 'snoozed', snoozedUntil: until })
    expect(ids(await list(alice, '?status=snoozed'))).toContain(id)
    const { reopenDueSnoozes } = await import('../../src/services/conversations.ts')
    expect(await reopenDueSnoozes(server.app.db, until - 1)).toEqual([])
    const committed = await reopenDueSnoozes(server.app.db, until)
    expect(committed).toHaveLength(1)
    const after = await json(await alice.api(`/api/conversations/${id}`))
    expect(after).toMatchObject({ status: 'open', snoozedUntil: null })
  })

  it('snoozes until the customer writes again', async () => {
    const waId = nextPhone()
    const id = await customerSays(server, waId, 'Waiter')
    await alice.api(`/api/conversations/${id}/status`, {
      json: { status: 'snoozed' },
    })
    expect((await json(await alice.api(`/api/conversations/${id}`))).status).toBe('snoozed')
    await customerSays(server, waId, 'Waiter', 'hello again')
    expect((await json(await alice.api(`/api/conversations/${id}`))).status).toBe('open')
  })
})

describe('read state', () => {
  it('keeps unread per agent, and mark-as-unread is the agent\'s own', async () => {
    const waId = nextPhone()
    const id = await customerSays(server, waId, 'Reader')
    await customerSays(server, waId, 'Reader', 'second')
    const unreadFor = async (m: Member) => (await json(await m.api(`/api/conversations/${id}`))).unreadCount
    expect(await unreadFor(alice)).toBe(2)
    expect(await unreadFor(bob)).toBe(2)

    await alice.api(`/api/conversations/${id}/read`, { method: 'POST' })
    expect(await unreadFor(alice)).toBe(0)
    await customerSays(server, waId, 'Reader', 'third')
    expect(await unreadFor(alice)).toBe(1)

    await bob.api(`/api/conversations/${id}/read`, { method: 'POST' })
    expect(await unreadFor(bob)).toBe(0)
    expect(await unreadFor(alice)).toBe(1) // Bob reading does not read it for Alice

    const marked = await json(await bob.api(`/api/conversations/${id}/unread`, { method: 'POST' }))
    expect(marked).toMatchObject({ markedUnread: true, unreadCount: 1 })
    expect(ids(await list(bob, '?unread=true&limit=200'))).toContain(id)
    expect(await unreadFor(alice)).toBe(1)
    await bob.api(`/api/conversations/${id}/read`, { method: 'POST' })
    expect(await json(await bob.api(`/api/conversations/${id}`))).toMatchObject({ markedUnread: false, unreadCount: 0 })
  })
})

describe('sending', () => {
  it('refuses to send to a blocked contact with contact_blocked, and queues nothing', async () => {
    const id = await customerSays(server, nextPhone(), 'Blocked Customer')
    const row = await server.app.db.selectFrom('conversations').select('contact_id').where('id', '=', id).executeTakeFirstOrThrow()
    await server.app.db.updateTable('contacts').set({ blocked: 1 }).where('id', '=', row.contact_id).execute()
    const res = await alice.api(`/api/conversations/${id}/messages`, {
      json: { clientId: `blocked-${id}`, type: 'text', text: 'hello?' },
    })
    expect(res.status).toBe(422)
    expect((await json(res)).error.code).toBe('contact_blocked')
    const out = await server.app.db.selectFrom('messages').select('id').where('conversation_id', '=', id).where('direction', '=', 'out').execute()
    expect(out).toEqual([])
  })
})

describe('bulk', () => {
  it('assigns, labels and closes many at once, and reports ids it could not touch', async () => {
    const a = await customerSays(server, nextPhone(), 'Bulk A')
    const b = await customerSays(server, nextPhone(), 'Bulk B')
    const now = Date.now()
    const labelId = '018f0000-0000-7000-8000-00000000b001'
    await server.app.db.insertInto('labels').values({
      id: labelId,
      workspace_id: alice.workspaceId,
      name: 'Bulk',
      name_key: 'bulk',
      color: 'blue',
      created_at: now,
      updated_at: now,
    }).execute()
    const missing = '018f0000-0000-7000-8000-00000000dead'
    const res = await alice.api('/api/conversations/bulk', {
      json: {
        conversationIds: [a, b, missing],
        assigneeId: bob.id,
        addLabelIds: [labelId],
        status: 'closed',
      },
    })
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({
      updated: 2,
      notFound: [missing],
    })
    for (const id of [a, b]) {
      const c = await json(await alice.api(`/api/conversations/${id}`))
      expect(c).toMatchObject({ assigneeId: bob.id, status: 'closed' })
      expect(c.contact.labelIds).toEqual([labelId])
    }
    const removed = await json(await alice.api('/api/conversations/bulk', {
      json: {
        conversationIds: [a],
        removeLabelIds: [labelId],
      },
    }))
    expect(removed.updated).toBe(1)
    expect((await json(await alice.api(`/api/conversations/${a}`))).contact.labelIds).toEqual([])
    const empty = await alice.api('/api/conversations/bulk', {
      json: {
        conversationIds: [a],
      },
    })
    expect(empty.status).toBe(400)
    const unknownLabel = await alice.api('/api/conversations/bulk', {
      json: {
        conversationIds: [a],
        addLabelIds: [missing],
      },
    })
    expect(unknownLabel.status).toBe(404)
  })
})

describe('workspaces and restricted agents', () => {
  it('answers 404 for another workspace\'s conversation on every route, and changes nothing', async () => {
    const id = await customerSays(server, nextPhone(), 'Private')
    const outsider = await otherWorkspace(server)
    expect(ids(await list(outsider, '?status=all'))).toEqual([])
    const attempts = [
      outsider.api(`/api/conversations/${id}`),
      outsider.api(`/api/conversations/${id}/messages`),
      outsider.api(`/api/conversations/${id}/events`),
      outsider.api(`/api/conversations/${id}/assign`, {
        json: { assigneeId: outsider.id },
      }),
      outsider.api(`/api/conversations/${id}/status`, {
        json: { status: 'closed' },
      }),
      outsider.api(`/api/conversations/${id}/read`, { method: 'POST' }),
      outsider.api(`/api/conversations/${id}/unread`, { method: 'POST' }),
      outsider.api(`/api/conversations/${id}/messages`, {
        json: { clientId: 'x-1', type: 'text', text: 'hi' },
      }),
    ]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404)
      expect((await json(res)).error.code).toBe('not_found')
    }
    const bulk = await json(await outsider.api('/api/conversations/bulk', {
      json: {
        conversationIds: [id],
        status: 'closed',
      },
    }))
    expect(bulk).toEqual({
      updated: 0,
      notFound: [id],
    })
    const row = await server.app.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'open', assignee_id: null })
  })

  it('shows a restricted agent only their own and their team\'s conversations', async () => {
    const team = await addTeam(server, 'Support')
    const carol = await addAgent(server, {
      restricted: true,
      name: 'Carol',
      teamIds: [team],
    })
    const mine = await customerSays(server, nextPhone(), 'For Carol')
    const teams = await customerSays(server, nextPhone(), 'For Support')
    const hidden = await customerSays(server, nextPhone(), 'Not Carol\'s')
    await server.api(`/api/conversations/${mine}/assign`, {
      json: { assigneeId: carol.id },
    })
    await server.api(`/api/conversations/${teams}/team`, {
      json: { teamId: team },
    })
    const visible = ids(await list(carol, '?status=all&limit=200'))
    expect(visible).toContain(mine)
    expect(visible).toContain(teams)
    expect(visible).not.toContain(hidden)
    expect(ids(await list(carol, '?view=unassigned&limit=200'))).toEqual([teams])
    expect((await carol.api(`/api/conversations/${hidden}`)).status).toBe(404)
    expect((await carol.api(`/api/conversations/${hidden}/assign`, {
      json: { assigneeId: carol.id },
    })).status).toBe(404)
    // An admin is never restricted.
    expect(ids(await list(server, '?status=all&limit=200'))).toContain(hidden)
  })
})
