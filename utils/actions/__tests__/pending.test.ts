import type { OutboxEntry } from '~/utils/db'
import { describe, expect, it } from 'vitest'
import { matchContactUpdate, matchNoteOutbox, matchOutbox, pendingStatusOf } from '~/utils/actions/pending'

function row(seq: number, type: OutboxEntry['type'], args: Record<string, unknown>, state: OutboxEntry['state'] = 'queued', error?: OutboxEntry['error']): OutboxEntry {
  return {
    seq,
    id: `m${seq}`,
    type,
    args,
    createdAt: seq,
    state,
    ...(error
      ? { error }
      : {}),
  } as OutboxEntry
}

describe('pendingStatusOf', () => {
  const rows = [
    row(1, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a1' }),
    row(2, 'conversation.setTeam', { conversationId: 'k1', teamId: null }, 'failed', { code: 'forbidden', message: 'no' }),
    row(3, 'conversation.assign', { conversationId: 'k2', assigneeId: null }, 'sending'),
    row(4, 'contact.update', {
      contactId: 'c1',
      patch: { aiBot: true },
    }),
    row(5, 'contact.update', {
      contactId: 'c1',
      patch: { email: 'x@y' },
    }, 'failed', { code: 'email_taken', message: 'taken', field: 'email' }),
    row(6, 'note.create', {
      contactId: 'c1',
      id: 'n1',
      body: 'a',
      mentions: [],
    }),
    row(7, 'note.update', { noteId: 'n1', body: 'b', mentions: [] }),
    row(8, 'note.delete', { noteId: 'n2' }),
  ]

  it('is null when nothing matches (everything was sent)', () => {
    expect(pendingStatusOf(rows, matchOutbox(['conversation.assign'], 'conversationId', 'k9'))).toBeNull()
  })

  it('says queued while rows wait or are being sent', () => {
    const status = pendingStatusOf(rows, matchOutbox(['conversation.assign'], 'conversationId', 'k2'))
    expect(status).toMatchObject({ state: 'queued', error: null })
    expect(status?.rows.map(item => item.seq)).toEqual([3])
  })

  it('says failed, with the error, when one of the rows was refused', () => {
    const status = pendingStatusOf(rows, matchOutbox(['conversation.assign', 'conversation.setTeam'], 'conversationId', 'k1'))
    expect(status?.state).toBe('failed')
    expect(status?.error).toEqual({ code: 'forbidden', message: 'no' })
    expect(status?.rows.map(item => item.seq)).toEqual([1, 2])
  })

  it('tells contact edits apart by the fields of the patch', () => {
    expect(pendingStatusOf(rows, matchContactUpdate('c1', ['aiBot']))).toMatchObject({ state: 'queued' })
    expect(pendingStatusOf(rows, matchContactUpdate('c1', ['name', 'email']))).toMatchObject({
      state: 'failed',
      error: { code: 'email_taken', field: 'email' },
    })
    expect(pendingStatusOf(rows, matchContactUpdate('c1', ['replyBot']))).toBeNull()
    expect(pendingStatusOf(rows, matchContactUpdate('c2', ['aiBot']))).toBeNull()
  })

  it('finds a note\'s create, edits and delete', () => {
    expect(pendingStatusOf(rows, matchNoteOutbox('n1'))?.rows.map(item => item.seq)).toEqual([6, 7])
    expect(pendingStatusOf(rows, matchNoteOutbox('n2'))?.rows.map(item => item.seq)).toEqual([8])
  })
})
