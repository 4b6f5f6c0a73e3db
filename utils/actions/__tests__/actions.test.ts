import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, contact, conversation, label, NOW } from '~/components/chat/__tests__/fixtures'
import { createActions } from '~/utils/actions'
import { db } from '~/utils/db'
import { applySyncPage } from '~/utils/sync/apply'

const ion = contact('c1', {
  name: 'Ion',
  labelIds: ['l1'],
})

beforeEach(async () => {
  await db.delete()
  await db.open()
  await db.agents.bulkPut([
    agent('a1', 'Ana Pop'),
    agent('a2', 'Radu'),
  ])
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
  ])
  await db.contacts.put(ion)
  await db.conversations.put(conversation('k1', ion, { unreadCount: 2 }))
})

function actions() {
  const notify = vi.fn()
  return {
    notify,
    actions: createActions({
      agentId: 'a1',
      notify,
      now: () => NOW,
    }),
  }
}

describe('actions', () => {
  it('queues a mutation and applies it locally in one go, then asks the background to push', async () => {
    const { actions: act, notify } = actions()
    const row = await act.assign('k1', 'a1')
    expect(row.type).toBe('conversation.assign')
    expect(await db.outbox.toArray()).toEqual([
      expect.objectContaining({
        id: row.id,
        type: 'conversation.assign',
        args: { conversationId: 'k1', assigneeId: 'a1' },
        state: 'queued',
      }),
    ])
    expect(await db.conversations.get('k1')).toMatchObject({ assigneeId: 'a1', assignedAt: NOW })
    expect(notify).toHaveBeenCalledTimes(1)
  })

  it('marks read, closes and snoozes', async () => {
    const { actions: act } = actions()
    await act.markRead('k1')
    expect(await db.conversations.get('k1')).toMatchObject({ unreadCount: 0, markedUnread: false })
    await act.setStatus('k1', 'snoozed', NOW + 3600_000)
    expect(await db.conversations.get('k1')).toMatchObject({ status: 'snoozed', snoozedUntil: NOW + 3600_000 })
    await act.setStatus('k1', 'closed')
    expect(await db.conversations.get('k1')).toMatchObject({ status: 'closed', snoozedUntil: null })
    expect((await db.outbox.toArray()).map(row => row.args)).toEqual([
      { conversationId: 'k1' },
      { conversationId: 'k1', status: 'snoozed', snoozedUntil: NOW + 3600_000 },
      { conversationId: 'k1', status: 'closed' },
    ])
  })

  it('shows a sent message at once, moves the chat to the top, and the server copy replaces it', async () => {
    const { actions: act } = actions()
    await act.send('k1', { clientId: 'cl-1', type: 'text', text: 'Hello <b>there</b>' })
    expect(await db.messages.get('cl-1')).toMatchObject({
      status: 'pending',
      direction: 'out',
      content: { body: 'Hello <b>there</b>' },
      senderId: 'a1',
    })
    expect(await db.conversations.get('k1')).toMatchObject({
      lastMessageAt: NOW,
      listAt: NOW,
      lastMessagePreview: 'Hello <b>there</b>',
      lastMessageDirection: 'out',
    })

    const server = {
      ...(await db.messages.get('cl-1'))!,
      id: 'm-server',
      status: 'sent' as const,
      wamid: 'wamid.1',
    }
    await applySyncPage(db, {
      reset: false,
      cursor: 'c1',
      hasMore: false,
      changes: [
        {
          kind: 'message',
          op: 'upsert',
          id: 'm-server',
          data: server,
        },
      ],
    } as never)
    expect((await db.messages.toArray()).map(m => [m.id, m.status])).toEqual([
      ['m-server', 'sent'],
    ])
  })

  it('adds an existing label by name (ignoring case) and creates a new one with a client id', async () => {
    const { actions: act } = actions()
    await act.addLabelByName('c1', 'lead')
    expect((await db.contacts.get('c1'))!.labelIds).toEqual(['l1', 'l2'])
    await act.addLabelByName('c1', 'Wholesale')
    const created = (await db.labels.toArray()).find(l => l.name === 'Wholesale')!
    expect((await db.contacts.get('c1'))!.labelIds).toEqual(['l1', 'l2', created.id])
    const types = (await db.outbox.toArray()).map(row => [row.type, row.args])
    expect(types).toEqual([
      [
        'contact.addLabel',
        { contactId: 'c1', labelId: 'l2' },
      ],
      [
        'label.create',
        { id: created.id, name: 'Wholesale' },
      ],
      [
        'contact.addLabel',
        { contactId: 'c1', labelId: created.id },
      ],
    ])
    await act.removeLabel('c1', 'l1')
    expect((await db.contacts.get('c1'))!.labelIds).toEqual(['l2', created.id])
  })

  it('creates, edits and deletes a note under one client-chosen id', async () => {
    const { actions: act } = actions()
    await act.createNote('c1', 'Call back @Radu', ['a2'])
    const [note] = await db.notes.toArray()
    expect(note).toMatchObject({
      contactId: 'c1',
      authorId: 'a1',
      body: 'Call back @Radu',
      mentions: ['a2'],
    })
    await act.updateNote(note!.id, 'Called')
    expect((await db.notes.get(note!.id))!.body).toBe('Called')
    await act.deleteNote(note!.id)
    expect(await db.notes.count()).toBe(0)
    expect((await db.outbox.toArray()).map(row => row.type)).toEqual(['note.create', 'note.update', 'note.delete'])
    expect((await db.outbox.toArray())[0]!.args).toMatchObject({ id: note!.id })
  })

  it('updates a contact and the toggles', async () => {
    const { actions: act } = actions()
    await act.updateContact('c1', { aiBot: true, email: 'ion@example.com' })
    expect(await db.contacts.get('c1')).toMatchObject({ aiBot: true, email: 'ion@example.com' })
  })
})
