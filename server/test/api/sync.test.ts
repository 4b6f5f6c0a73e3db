/**
 * `GET /api/sync` and `POST /api/mutations` from the outside: the snapshot, changes after a
 * cursor in commit order (never skipped or repeated, even with concurrent writers), what a
 * restricted agent is told, and idempotent mutations answered one by one.
 */
import type { TestServer } from '../helper.ts'
import type { Member, Pulled } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam, customerSays, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let alice: Member
beforeAll(async () => {
  server = await startServer()
  alice = await addAgent(server, { name: 'Alice' })
})
afterAll(async () => server.close())

let phone = 40_733_100_000
const nextPhone = () => String(++phone)
const of = (pulled: Pulled, kind: string) => pulled.changes.filter(c => c.kind === kind)

describe('snapshot', () => {
  it('serves agents, the number, contacts, conversations and each one\'s latest message, in pages', async () => {
    const convs = []
    for (let i = 0; i < 5; i++)
      convs.push(await customerSays(server, nextPhone(), `Snap ${i}`, `hello ${i}`))
    const whole = await pullAll(alice.api)
    const paged = await pullAll(alice.api, undefined, 2)
    for (const pulled of [whole, paged]) {
      expect(of(pulled, 'agent').map(c => c.data.name)).toEqual(expect.arrayContaining(['Alice']))
      expect(of(pulled, 'channel')).toHaveLength(1)
      expect(of(pulled, 'channel')[0]!.data).not.toHaveProperty('accessToken')
      // the workspace (its settings: the default country for phone numbers) comes with it
      expect(of(pulled, 'workspace')).toHaveLength(1)
      expect(of(pulled, 'workspace')[0]!.data).toMatchObject({
        settings: expect.any(Object),
      })
      const conversations = of(pulled, 'conversation').map(c => c.id)
      expect(conversations).toEqual(expect.arrayContaining(convs))
      expect(new Set(conversations).size).toBe(conversations.length)
      const messages = of(pulled, 'message')
      for (const id of convs)
        expect(messages.filter(m => m.data.conversationId === id)).toHaveLength(1)
      expect(of(pulled, 'contact').length).toBeGreaterThanOrEqual(5)
      expect(pulled.changes.every(c => c.op === 'upsert')).toBe(true)
    }
    expect(paged.changes.length).toBe(whole.changes.length)
    const first = await json(await alice.api('/api/sync?limit=2'))
    expect(first).toMatchObject({ reset: true, snapshot: true, hasMore: true })
  })

  it('then serves each change after the cursor, once, in commit order', async () => {
    const { cursor } = await pullAll(alice.api)
    const waId = nextPhone()
    const id = await customerSays(server, waId, 'Fresh Customer', 'first words')
    await alice.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: alice.id },
    })
    const pulled = await pullAll(alice.api, cursor)
    const seqs = pulled.changes.map(c => c.seq)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    const conversation = of(pulled, 'conversation').find(c => c.id === id)!
    expect(conversation.data).toMatchObject({ assigneeId: alice.id, lastMessagePreview: 'first words' })
    expect(of(pulled, 'message').map(m => m.data.content.body)).toContain('first words')
    expect(of(pulled, 'contact').map(c => c.data.waId)).toContain(waId)
    // Nothing new: an empty page and the same cursor.
    const again = await json(await alice.api(`/api/sync?since=${encodeURIComponent(pulled.cursor)}`))
    expect(again).toMatchObject({ changes: [], hasMore: false, cursor: pulled.cursor })
  })

  it('serves a contact change when the customer\'s profile changes, not for every message', async () => {
    const waId = nextPhone()
    const id = await customerSays(server, waId, 'Returning Customer')
    const { contactId } = await json(await alice.api(`/api/conversations/${id}`))
    const { cursor } = await pullAll(alice.api)
    await customerSays(server, waId, 'Returning Customer', 'again')
    const again = await pullAll(alice.api, cursor)
    expect(of(again, 'conversation').map(c => c.id)).toContain(id)
    expect(of(again, 'contact').map(c => c.id)).not.toContain(contactId)
    await customerSays(server, waId, 'Renamed Customer', 'new name')
    const renamed = await pullAll(alice.api, again.cursor)
    expect(of(renamed, 'contact').find(c => c.id === contactId)?.data.profileName).toBe('Renamed Customer')
  })

  it('refuses a cursor it did not issue, and one from the future with cursor_expired', async () => {
    const bad = await alice.api('/api/sync?since=garbage')
    expect(bad.status).toBe(400)
    expect((await json(bad)).error.field).toBe('since')
    const future = Buffer.from(JSON.stringify({ s: 10_000_000 })).toString('base64url')
    const expired = await alice.api(`/api/sync?since=${future}`)
    expect(expired.status).toBe(410)
    expect((await json(expired)).error.code).toBe('cursor_expired')
  })

  it('expires a cursor older than the kept change log, and a new snapshot carries on', async () => {
    const { cursor } = await pullAll(alice.api)
    await customerSays(server, nextPhone(), 'Before Pruning')
    const { pruneChanges } = await import('../../src/services/changes.ts')
    await server.app.sequencer.flush() // only numbered entries are pruned
    expect(await pruneChanges(server.app.db, Date.now() + 1000)).toBeGreaterThan(0)
    const expired = await alice.api(`/api/sync?since=${encodeURIComponent(cursor)}`)
    expect(expired.status).toBe(410)
    expect((await json(expired)).error.code).toBe('cursor_expired')
    const fresh = await pullAll(alice.api)
    expect(of(fresh, 'contact').map(c => c.data.profileName)).toContain('Before Pruning')
    const id = await customerSays(server, nextPhone(), 'After Pruning')
    expect(of(await pullAll(alice.api, fresh.cursor), 'conversation').map(c => c.id)).toContain(id)
  })

  it('serves nothing of another workspace', async () => {
    const outsider = await otherWorkspace(server)
    const pulled = await pullAll(outsider.api)
    expect(of(pulled, 'conversation')).toEqual([])
    expect(of(pulled, 'contact')).toEqual([])
    expect(of(pulled, 'agent').map(a => a.id)).toEqual([outsider.id])
    await customerSays(server, nextPhone(), 'Not Yours')
    expect((await pullAll(outsider.api, pulled.cursor)).changes).toEqual([])
  })
})

describe('visibility', () => {
  it('tells a restricted agent about a conversation when it becomes theirs, and deletes it when it stops being', async () => {
    const team = await addTeam(server, `Team ${Date.now()}`)
    const dana = await addAgent(server, {
      restricted: true,
      name: 'Dana',
      teamIds: [team],
    })
    const hidden = await customerSays(server, nextPhone(), 'Hidden From Dana')
    const snapshot = await pullAll(dana.api)
    expect(of(snapshot, 'conversation').map(c => c.id)).not.toContain(hidden)
    expect(of(snapshot, 'message').map(m => m.data.conversationId)).not.toContain(hidden)

    await server.api(`/api/conversations/${hidden}/assign`, {
      json: { assigneeId: dana.id },
    })
    const given = await pullAll(dana.api, snapshot.cursor)
    expect(of(given, 'conversation').find(c => c.id === hidden)).toMatchObject({
      op: 'upsert',
      data: { assigneeId: dana.id },
    })

    await server.api(`/api/conversations/${hidden}/assign`, {
      json: { assigneeId: alice.id },
    })
    const taken = await pullAll(dana.api, given.cursor)
    expect(of(taken, 'conversation').find(c => c.id === hidden)).toMatchObject({ op: 'delete' })

    // Messages in a conversation she cannot see are never served to her.
    await customerSays(server, '40733999999', 'Another Hidden', 'secret words')
    const later = await pullAll(dana.api, taken.cursor)
    expect(JSON.stringify(later.changes)).not.toContain('secret words')
  })

  it('brings a restricted agent the contact and notes of a conversation given to them, and takes them back', async () => {
    const erin = await addAgent(server, { restricted: true, name: 'Erin' })
    const id = await customerSays(server, nextPhone(), 'Noted Customer')
    const conversation = await json(await server.api(`/api/conversations/${id}`))
    const note = await json(await server.api(`/api/contacts/${conversation.contactId}/notes`, {
      json: { body: 'prefers e-mail' },
    }))
    const start = await pullAll(erin.api)
    expect(JSON.stringify(start.changes)).not.toContain('prefers e-mail')

    await server.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: erin.id },
    })
    const given = await pullAll(erin.api, start.cursor)
    expect(of(given, 'contact').find(c => c.id === conversation.contactId)).toMatchObject({ op: 'upsert' })
    expect(of(given, 'note').find(c => c.id === note.id)).toMatchObject({
      op: 'upsert',
      data: { body: 'prefers e-mail' },
    })

    await server.api(`/api/conversations/${id}/assign`, {
      json: { assigneeId: null },
    })
    const taken = await pullAll(erin.api, given.cursor)
    expect(of(taken, 'conversation').find(c => c.id === id)?.op).toBe('delete')
    expect(of(taken, 'contact').find(c => c.id === conversation.contactId)?.op).toBe('delete')
    expect(of(taken, 'note').find(c => c.id === note.id)?.op).toBe('delete')
  })

  it('restarts a restricted agent\'s snapshot when their teams change', async () => {
    const team = await addTeam(server, `Night shift ${Date.now()}`)
    const fay = await addAgent(server, { restricted: true, name: 'Fay' })
    const id = await customerSays(server, nextPhone(), 'Night Customer')
    await server.api(`/api/conversations/${id}/team`, {
      json: { teamId: team },
    })
    const start = await pullAll(fay.api)
    expect(of(start, 'conversation').map(c => c.id)).not.toContain(id)

    expect((await server.api(`/api/teams/${team}`, {
      method: 'PATCH',
      json: {
        agentIds: [fay.id],
      },
    })).status).toBe(200)
    const first = await json(await fay.api(`/api/sync?since=${encodeURIComponent(start.cursor)}`))
    expect(first.reset).toBe(true)
    const joined = await pullAll(fay.api, start.cursor)
    expect(of(joined, 'conversation').map(c => c.id)).toContain(id)

    expect((await server.api(`/api/teams/${team}`, {
      method: 'PATCH',
      json: { agentIds: [] },
    })).status).toBe(200)
    const left = await pullAll(fay.api, joined.cursor)
    expect(left.changes.length).toBeGreaterThan(0)
    expect(of(left, 'conversation').map(c => c.id)).not.toContain(id)
    expect((await json(await fay.api(`/api/sync?since=${encodeURIComponent(joined.cursor)}`))).reset).toBe(true)
  })

  it('keeps an agent\'s own read state to themselves', async () => {
    const bob = await addAgent(server, { name: 'Bob' })
    const id = await customerSays(server, nextPhone(), 'Marked')
    const a = await pullAll(alice.api)
    const b = await pullAll(bob.api)
    await bob.api(`/api/conversations/${id}/unread`, { method: 'POST' })
    const forBob = await pullAll(bob.api, b.cursor)
    expect(of(forBob, 'conversation').find(c => c.id === id)?.data.markedUnread).toBe(true)
    // Alice is not told about Bob's mark (at most she gets the customer's new conversation again,
    // as it is for her: unread, not marked).
    await server.app.sequencer.flush()
    const forAlice = await pullAll(alice.api, a.cursor)
    for (const change of of(forAlice, 'conversation').filter(c => c.id === id))
      expect(change.data.markedUnread).toBe(false)
    const bobsMark = await server.app.db.selectFrom('changes').select('seq').where('kind', '=', 'conversation').where('entity_id', '=', id).where('agent_id', '=', bob.id).executeTakeFirstOrThrow()
    expect(forAlice.changes.map(c => c.seq)).not.toContain(bobsMark.seq)
  })
})

describe('concurrent writers', () => {
  it('never skips or repeats a change while webhooks, assignments and reads commit at once', async () => {
    const reader = await addAgent(server, { name: 'Reader' })
    const start = await pullAll(reader.api)
    const seen = new Map<string, number>()
    const seqs: number[] = []
    let cursor = start.cursor
    const state = { writing: true }
    const pullLoop = (async () => {
      while (state.writing) {
        const page = await pullAll(reader.api, cursor, 7)
        for (const c of page.changes) {
          seqs.push(c.seq)
          if (c.kind === 'message')
            seen.set(c.id, c.seq)
        }
        cursor = page.cursor
      }
    })()
    const phones = Array.from({ length: 8 }, () => nextPhone())
    const writers = phones.map(async (waId, i) => {
      for (let n = 0; n < 6; n++) {
        const id = await customerSays(server, waId, `Busy ${i}`, `message ${i}-${n}`)
        await server.api(`/api/conversations/${id}/assign`, {
          json: {
            assigneeId: n % 2
              ? alice.id
              : reader.id,
          },
        })
        await reader.api(`/api/conversations/${id}/read`, { method: 'POST' })
      }
    })
    await Promise.all(writers)
    state.writing = false
    await pullLoop
    const last = await pullAll(reader.api, cursor)
    for (const c of last.changes) {
      seqs.push(c.seq)
      if (c.kind === 'message')
        seen.set(c.id, c.seq)
    }
    // Strictly increasing across every page: nothing served twice, nothing out of order.
    for (let i = 1; i < seqs.length; i++)
      expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!)
    // Every message those writers stored reached the reader.
    const stored = await server.app.db.selectFrom('messages')
      .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select('messages.id')
      .where('contacts.wa_id', 'in', phones)
      .execute()
    expect(stored).toHaveLength(48)
    for (const { id } of stored)
      expect(seen.has(id)).toBe(true)
  })
})

describe('sequencer', () => {
  it('numbers what committed before a flush even while writes keep arriving', async () => {
    const state = { writing: true }
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; state.writing; i++)
        await customerSays(server, `4079${w}${String(i).padStart(6, '0')}`, `Stream ${w}-${i}`)
    })
    await new Promise(resolve => setTimeout(resolve, 300))
    const id = await customerSays(server, nextPhone(), 'Flushed')
    const flushed = await server.app.sequencer.flush(2500)
    const pending = await server.app.db.selectFrom('changes').select('id').where('entity_id', '=', id).where('seq', 'is', null).execute()
    await new Promise(resolve => setTimeout(resolve, 100))
    state.writing = false
    await Promise.all(writers)
    expect(flushed).toBe(true)
    expect(pending).toEqual([])
  })
})

describe('mutations', () => {
  it('applies a batch in order, answers each, and a replayed batch changes nothing more', async () => {
    const id = await customerSays(server, nextPhone(), 'Mutated')
    const batch = {
      mutations: [
        {
          id: `m-${id}-1`,
          type: 'conversation.assign',
          args: { conversationId: id, assigneeId: alice.id },
        },
        {
          id: `m-${id}-2`,
          type: 'message.send',
          args: {
            conversationId: id,
            message: { clientId: `c-${id}`, type: 'text', text: 'on my way' },
          },
        },
        {
          id: `m-${id}-3`,
          type: 'conversation.setStatus',
          args: { conversationId: id, status: 'closed' },
        },
        {
          id: `m-${id}-4`,
          type: 'conversation.assign',
          args: { conversationId: '018f0000-0000-7000-8000-00000000dead', assigneeId: null },
        },
        {
          id: `m-${id}-5`,
          type: 'conversation.setStatus',
          args: { conversationId: id, status: 'sleeping' },
        },
      ],
    }
    const first = await json(await alice.api('/api/mutations', { json: batch }))
    expect(first.results.map((r: any) => [
      r.id.slice(-1),
      r.ok,
      r.error?.code ?? null,
    ])).toEqual([
      ['1', true, null],
      ['2', true, null],
      ['3', true, null],
      ['4', false, 'not_found'],
      ['5', false, 'invalid_request'],
    ])
    expect(first.results[0].result.assigneeId).toBe(alice.id)
    expect(first.results[1].result).toMatchObject({
      type: 'text',
      direction: 'out',
      status: 'pending',
      senderId: alice.id,
    })
    expect(first.results[4].error.field).toBe('status')

    const replay = await json(await alice.api('/api/mutations', { json: batch }))
    expect(replay.results.slice(0, 3)).toEqual(first.results.slice(0, 3))
    const messages = await server.app.db.selectFrom('messages').select('id').where('conversation_id', '=', id).where('direction', '=', 'out').execute()
    expect(messages).toHaveLength(1)
    const events = (await json(await alice.api(`/api/conversations/${id}/events`))).items
    expect(events.filter((e: any) => e.kind === 'assigned')).toHaveLength(1)
    expect(events.filter((e: any) => e.kind === 'status')).toHaveLength(1)
  })

  it('applies a mutation once when the same batch arrives several times at once', async () => {
    const id = await customerSays(server, nextPhone(), 'Raced')
    const { contactId } = await json(await alice.api(`/api/conversations/${id}`))
    const batch = {
      mutations: Array.from({ length: 5 }, (_, i) => ({
        id: `race-${id}-${i}`,
        type: 'note.create',
        args: { contactId, body: `note ${i}` },
      })),
    }
    const answers = await Promise.all(Array.from({ length: 4 }, async () => await json(await alice.api('/api/mutations', { json: batch }))))
    const notes = await server.app.db.selectFrom('notes').select('id').where('contact_id', '=', contactId).execute()
    expect(notes).toHaveLength(5)
    for (const answer of answers) {
      expect(answer.results.every((r: any) => r.ok)).toBe(true)
      expect(answer.results.map((r: any) => r.result.id).sort()).toEqual(notes.map(n => n.id).sort())
    }
  })

  it('refuses a malformed batch as a whole, naming the field', async () => {
    const res = await alice.api('/api/mutations', {
      json: {
        mutations: [
          { id: 'x', type: 'conversation.explode', args: {} },
        ],
      },
    })
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('invalid_request')
    const empty = await alice.api('/api/mutations', {
      json: { mutations: [] },
    })
    expect(empty.status).toBe(400)
  })
})
