/**
 * Internal notes on contacts: create (idempotent by client id), edit and delete by the author or
 * an admin; @mentions by id and by `@Name` notify the mentioned agent once, on their own
 * notifications list and sync only. Also the contact/label/note mutations of `POST /api/mutations`.
 */
import type { TestServer } from '../helper.ts'
import type { Member } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, customerSays, otherWorkspace, pullAll } from '../team.ts'

let server: TestServer
let author: Member
let ana: Member
let anaMaria: Member
let contactId: string
let conversationId: string

async function notificationsOf(member: Member) {
  const res = await member.api('/api/notifications')
  expect(res.status).toBe(200)
  return (await json(res)).items as Array<{ id: string, kind: string, actorId: string, contactId: string, conversationId: string | null, noteId: string, readAt: number | null }>
}

async function note(member: Member, body: Record<string, unknown>, contact = contactId) {
  return await member.api(`/api/contacts/${contact}/notes`, { json: body })
}

beforeAll(async () => {
  server = await startServer()
  author = await addAgent(server, { name: 'Radu Author' })
  ana = await addAgent(server, { name: 'Ana' })
  anaMaria = await addAgent(server, { name: 'Ana Maria' })
  conversationId = await customerSays(server, '40722000001', 'Client Unu')
  contactId = (await server.app.db.selectFrom('contacts').select('id').where('wa_id', '=', '40722000001').executeTakeFirstOrThrow()).id
})
afterAll(async () => server.close())

describe('notes', () => {
  it('creates, lists newest first, edits and deletes', async () => {
    const first = await note(author, { body: 'Prefers calls after 5pm' })
    expect(first.status).toBe(201)
    const a = await json(first)
    expect(a).toMatchObject({
      contactId,
      authorId: author.id,
      body: 'Prefers calls after 5pm',
      mentions: [],
    })
    const b = await json(await note(author, { body: 'Second note' }))
    const list = await json(await ana.api(`/api/contacts/${contactId}/notes`))
    expect(list.items.map((n: { id: string }) => n.id)).toEqual([b.id, a.id])

    const edited = await author.api(`/api/notes/${a.id}`, {
      method: 'PATCH',
      json: { body: 'Prefers calls after 6pm' },
    })
    expect(edited.status).toBe(200)
    expect(await json(edited)).toMatchObject({ id: a.id, body: 'Prefers calls after 6pm' })

    const removed = await author.api(`/api/notes/${b.id}`, { method: 'DELETE' })
    expect(removed.status).toBe(204)
    expect((await json(await ana.api(`/api/contacts/${contactId}/notes`))).items.map((n: { id: string }) => n.id)).not.toContain(b.id)
    expect((await author.api(`/api/notes/${b.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('lets only the author or an admin edit or delete a note', async () => {
    const n = await json(await note(author, { body: 'Mine' }))
    const edit = await ana.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'Yours now' },
    })
    expect(edit.status).toBe(403)
    expect((await json(edit)).error.code).toBe('forbidden')
    expect((await ana.api(`/api/notes/${n.id}`, { method: 'DELETE' })).status).toBe(403)
    const byAdmin = await server.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'Fixed by an admin' },
    })
    expect(byAdmin.status).toBe(200)
    expect(await json(byAdmin)).toMatchObject({ body: 'Fixed by an admin', authorId: author.id })
    expect((await server.api(`/api/notes/${n.id}`, { method: 'DELETE' })).status).toBe(204)
  })

  it('is idempotent by client id: a retried create answers the same note with 200', async () => {
    const first = await note(author, { id: 'note-client-1', body: 'Once' })
    expect(first.status).toBe(201)
    const retry = await note(author, { id: 'note-client-1', body: 'Once' })
    expect(retry.status).toBe(200)
    expect(await json(retry)).toEqual(await json(first))
    const count = await server.app.db.selectFrom('notes').select('id').where('id', '=', 'note-client-1').execute()
    expect(count).toHaveLength(1)
  })

  it('refuses a client id already used for another contact\'s note with 409', async () => {
    await customerSays(server, '40722000002', 'Client Doi')
    const other = (await server.app.db.selectFrom('contacts').select('id').where('wa_id', '=', '40722000002').executeTakeFirstOrThrow()).id
    const res = await note(author, { id: 'note-client-1', body: 'Elsewhere' }, other)
    expect(res.status).toBe(409)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field: 'id' })
  })

  it('keeps the body verbatim', async () => {
    const body = '<img src=x onerror=alert(1)> & "quotes" \n new line'
    const res = await note(author, { body })
    expect((await json(res)).body).toBe(body)
  })

  it.each([
    [
      'an empty body',
      { body: '' },
      'body',
    ],
    [
      'a body over 10000 characters',
      {
        body: 'x'.repeat(10_001),
      },
      'body',
    ],
    ['no body', {}, 'body'],
    [
      'an unknown property',
      { body: 'x', pinned: true },
      'pinned',
    ],
    [
      'an unknown mentioned agent',
      {
        body: 'x',
        mentions: ['nobody'],
      },
      'mentions',
    ],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const res = await note(author, body)
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field })
  })

  it('answers 404 for unknown notes', async () => {
    expect((await author.api('/api/notes/nope', {
      method: 'PATCH',
      json: { body: 'x' },
    })).status).toBe(404)
    expect((await author.api('/api/notes/nope', { method: 'DELETE' })).status).toBe(404)
  })
})

describe('mentions', () => {
  it('notifies an agent mentioned by id once, on their list and sync only', async () => {
    const anaSync = (await pullAll(ana.api)).cursor
    const authorSync = (await pullAll(author.api)).cursor
    const res = await note(author, {
      body: 'Please call back',
      mentions: [ana.id, ana.id],
    })
    expect(res.status).toBe(201)
    const n = await json(res)
    expect(n.mentions).toEqual([ana.id])

    const mine = (await notificationsOf(ana)).filter(x => x.noteId === n.id)
    expect(mine).toEqual([
      expect.objectContaining({
        kind: 'mention',
        actorId: author.id,
        contactId,
        conversationId,
        noteId: n.id,
        readAt: null,
      }),
    ])
    expect((await notificationsOf(author)).filter(x => x.noteId === n.id)).toEqual([])
    expect((await notificationsOf(anaMaria)).filter(x => x.noteId === n.id)).toEqual([])

    const anaChanges = (await pullAll(ana.api, anaSync)).changes
    expect(anaChanges.filter(c => c.kind === 'notification')).toEqual([
      expect.objectContaining({
        id: mine[0]!.id,
        op: 'upsert',
        data: expect.objectContaining({ noteId: n.id }),
      }),
    ])
    expect(anaChanges).toContainEqual(expect.objectContaining({ kind: 'note', id: n.id, op: 'upsert' }))
    const authorChanges = (await pullAll(author.api, authorSync)).changes
    expect(authorChanges.filter(c => c.kind === 'notification')).toEqual([])
    expect(authorChanges).toContainEqual(expect.objectContaining({ kind: 'note', id: n.id }))
  })

  it('recognises @Name case-insensitively, the longest name first', async () => {
    const res = await note(author, { body: 'Ask @ana maria about it; cc @ANA. Not radu@example.com or @Nobody' })
    const n = await json(res)
    expect(n.mentions).toEqual([anaMaria.id, ana.id])
    expect((await notificationsOf(anaMaria)).filter(x => x.noteId === n.id)).toHaveLength(1)
    expect((await notificationsOf(ana)).filter(x => x.noteId === n.id)).toHaveLength(1)
    expect((await notificationsOf(author)).filter(x => x.noteId === n.id)).toHaveLength(0)
  })

  it('does not notify the author mentioning themselves, and notifies on edit only the newly mentioned', async () => {
    const n = await json(await note(author, { body: 'Note to @Radu Author and @Ana' }))
    expect(n.mentions).toEqual([author.id, ana.id])
    expect((await notificationsOf(author)).filter(x => x.noteId === n.id)).toHaveLength(0)
    const edited = await json(await author.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'Now @Ana and @Ana Maria' },
    }))
    expect(edited.mentions).toEqual([ana.id, anaMaria.id])
    expect((await notificationsOf(ana)).filter(x => x.noteId === n.id)).toHaveLength(1)
    expect((await notificationsOf(anaMaria)).filter(x => x.noteId === n.id)).toHaveLength(1)
    // Editing again with the same mentions notifies nobody again.
    await author.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'Now @Ana and @Ana Maria, thanks' },
    })
    expect((await notificationsOf(anaMaria)).filter(x => x.noteId === n.id)).toHaveLength(1)
  })

  it('marks your own notification read; someone else\'s is 404', async () => {
    const n = await json(await note(author, { body: 'hey @Ana' }))
    const notification = (await notificationsOf(ana)).find(x => x.noteId === n.id)!
    expect((await anaMaria.api(`/api/notifications/${notification.id}/read`, { method: 'POST' })).status).toBe(404)
    expect((await server.api(`/api/notifications/${notification.id}/read`, { method: 'POST' })).status).toBe(404)
    const res = await ana.api(`/api/notifications/${notification.id}/read`, { method: 'POST' })
    expect(res.status).toBe(200)
    const read = await json(res)
    expect(read.readAt).toEqual(expect.any(Number))
    const again = await json(await ana.api(`/api/notifications/${notification.id}/read`, { method: 'POST' }))
    expect(again.readAt).toBe(read.readAt)
  })

  it('removes the notifications of a deleted note', async () => {
    const n = await json(await note(author, { body: 'temporary @Ana' }))
    const cursor = (await pullAll(ana.api)).cursor
    const notification = (await notificationsOf(ana)).find(x => x.noteId === n.id)!
    await author.api(`/api/notes/${n.id}`, { method: 'DELETE' })
    expect((await notificationsOf(ana)).find(x => x.noteId === n.id)).toBeUndefined()
    const { changes } = await pullAll(ana.api, cursor)
    expect(changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'note', id: n.id, op: 'delete' }),
      expect.objectContaining({ kind: 'notification', id: notification.id, op: 'delete' }),
    ]))
  })
})

describe('restricted agents and other workspaces', () => {
  it('keeps notes of a contact a restricted agent may not see from them', async () => {
    const n = await json(await note(author, { body: 'secret' }))
    const restricted = await addAgent(server, { restricted: true })
    expect((await restricted.api(`/api/contacts/${contactId}/notes`)).status).toBe(404)
    expect((await note(restricted, { body: 'x' })).status).toBe(404)
    expect((await restricted.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'x' },
    })).status).toBe(404)
  })

  it('answers 404 for another workspace\'s notes and notifications', async () => {
    const n = await json(await note(author, { body: 'ours @Ana' }))
    const notification = (await notificationsOf(ana)).find(x => x.noteId === n.id)!
    const other = await otherWorkspace(server)
    expect((await other.api(`/api/notes/${n.id}`, {
      method: 'PATCH',
      json: { body: 'theirs' },
    })).status).toBe(404)
    expect((await other.api(`/api/notes/${n.id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await other.api(`/api/notifications/${notification.id}/read`, { method: 'POST' })).status).toBe(404)
    expect(await notificationsOf(other)).toEqual([])
    // A note in the other workspace cannot mention this workspace's agents.
    const theirContact = await note(other, {
      body: 'x',
      mentions: [ana.id],
    })
    expect(theirContact.status).toBe(404) // and the contact is not theirs either
  })
})

describe('mutations', () => {
  it('applies contact.addLabel and note.create once, however often the batch is sent', async () => {
    const batch = {
      mutations: [
        {
          id: 'm-label-1',
          type: 'contact.addLabel',
          args: { contactId, name: 'From mutation', color: 'teal' },
        },
        {
          id: 'm-note-1',
          type: 'note.create',
          args: { contactId, id: 'note-from-mutation', body: 'Queued offline @Ana' },
        },
      ],
    }
    const first = await json(await author.api('/api/mutations', { json: batch }))
    expect(first.results).toEqual([
      expect.objectContaining({
        id: 'm-label-1',
        ok: true,
        result: expect.objectContaining({ id: contactId }),
      }),
      expect.objectContaining({
        id: 'm-note-1',
        ok: true,
        result: expect.objectContaining({ id: 'note-from-mutation', body: 'Queued offline @Ana' }),
      }),
    ])
    const second = await json(await author.api('/api/mutations', { json: batch }))
    expect(second.results).toEqual(first.results)

    const labels = (await json(await author.api('/api/labels'))).items.filter((l: { name: string }) => l.name === 'From mutation')
    expect(labels).toHaveLength(1)
    expect((await json(await author.api(`/api/contacts/${contactId}`))).labelIds).toContain(labels[0].id)
    const notes = (await json(await author.api(`/api/contacts/${contactId}/notes`))).items.filter((x: { id: string }) => x.id === 'note-from-mutation')
    expect(notes).toHaveLength(1)
    expect((await notificationsOf(ana)).filter(x => x.noteId === 'note-from-mutation')).toHaveLength(1)

    // The same note sent again under a new mutation id is still one note.
    const third = await json(await author.api('/api/mutations', {
      json: {
        mutations: [
          {
            id: 'm-note-2',
            type: 'note.create',
            args: { contactId, id: 'note-from-mutation', body: 'Queued offline @Ana' },
          },
        ],
      },
    }))
    expect(third.results[0]).toMatchObject({
      ok: true,
      result: { id: 'note-from-mutation' },
    })
    expect((await json(await author.api(`/api/contacts/${contactId}/notes`))).items.filter((x: { id: string }) => x.id === 'note-from-mutation')).toHaveLength(1)
  })

  it('applies the other contact, label, note and notification mutations', async () => {
    const label = await json(await server.api('/api/labels', {
      json: { name: 'Mutable' },
    }))
    const results = (await json(await server.api('/api/mutations', {
      json: {
        mutations: [
          {
            id: 'u1',
            type: 'contact.update',
            args: {
              contactId,
              patch: {
                name: 'Renamed by mutation',
                customFields: { plan: 'pro' },
              },
            },
          },
          {
            id: 'u2',
            type: 'contact.addLabel',
            args: { contactId, labelId: label.id },
          },
          {
            id: 'u3',
            type: 'contact.removeLabel',
            args: { contactId, labelId: label.id },
          },
          {
            id: 'u4',
            type: 'label.create',
            args: { id: 'label-from-mutation', name: 'Created by mutation', color: 'pink' },
          },
          {
            id: 'u5',
            type: 'label.update',
            args: {
              labelId: label.id,
              patch: { color: 'indigo' },
            },
          },
          {
            id: 'u6',
            type: 'note.create',
            args: { contactId, id: 'admin-note', body: 'hello @Ana Maria' },
          },
          {
            id: 'u7',
            type: 'note.update',
            args: { noteId: 'admin-note', body: 'hello again' },
          },
          {
            id: 'u8',
            type: 'note.delete',
            args: { noteId: 'admin-note' },
          },
          {
            id: 'u9',
            type: 'contact.update',
            args: {
              contactId,
              patch: { email: 'bad' },
            },
          },
        ],
      },
    }))).results
    expect(results.slice(0, 8).every((r: { ok: boolean }) => r.ok)).toBe(true)
    expect(results[0].result).toMatchObject({
      name: 'Renamed by mutation',
      customFields: { plan: 'pro' },
    })
    expect(results[1].result.labelIds).toContain(label.id)
    expect(results[2].result.labelIds).not.toContain(label.id)
    expect(results[3].result).toMatchObject({ id: 'label-from-mutation', color: 'pink' })
    expect(results[4].result).toMatchObject({ id: label.id, color: 'indigo' })
    expect(results[6].result).toMatchObject({ id: 'admin-note', body: 'hello again' })
    expect(results[7]).toEqual({ id: 'u8', ok: true })
    expect(results[8]).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', field: 'patch.email' },
    })

    // note.delete took the mention's notification with it
    expect((await notificationsOf(anaMaria)).filter(x => x.noteId === 'admin-note')).toEqual([])

    const n = await json(await note(author, { body: 'read me @Ana Maria' }))
    const toRead = (await notificationsOf(anaMaria)).find(x => x.noteId === n.id)!
    const read = (await json(await anaMaria.api('/api/mutations', {
      json: {
        mutations: [
          {
            id: 'r1',
            type: 'notification.read',
            args: { notificationId: toRead.id },
          },
        ],
      },
    }))).results[0]
    expect(read).toMatchObject({
      ok: true,
      result: {
        id: toRead.id,
        readAt: expect.any(Number),
      },
    })
  })

  it('refuses label.update to agents and note.update by someone else', async () => {
    const label = await json(await server.api('/api/labels', {
      json: { name: 'Admin renames' },
    }))
    const n = await json(await note(author, { body: 'authored' }))
    const results = (await json(await ana.api('/api/mutations', {
      json: {
        mutations: [
          {
            id: 'f1',
            type: 'label.update',
            args: {
              labelId: label.id,
              patch: { name: 'Agent renames' },
            },
          },
          {
            id: 'f2',
            type: 'note.update',
            args: { noteId: n.id, body: 'not mine' },
          },
          {
            id: 'f3',
            type: 'note.delete',
            args: { noteId: n.id },
          },
        ],
      },
    }))).results
    expect(results.map((r: { ok: boolean, error?: { code: string } }) => r.error?.code)).toEqual(['forbidden', 'forbidden', 'forbidden'])
  })
})
