import type { OutboxEntry } from '~/utils/db'
import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { matchContactUpdate, matchNoteOutbox, matchOutbox, pendingStatusOf, usePending } from '~/composables/pending'
import { db } from '~/utils/db'
import { enqueue } from '~/utils/db/outbox'

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

describe('usePending', () => {
  beforeEach(async () => {
    await db.outbox.clear()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('follows the outbox, and retries or dismisses a failed row', async () => {
    const scope = effectScope()
    const pending = scope.run(() => usePending(matchOutbox(['conversation.assign'], 'conversationId', 'k1')))!
    await vi.waitFor(async () => {
      await flushPromises()
      expect(pending.state.value).toBeNull()
    })

    const queued = await enqueue(db, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a1' })
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))

    await db.outbox.update(queued.seq, {
      state: 'failed',
      error: { code: 'agent_inactive', message: 'inactive' },
    })
    await vi.waitFor(() => expect(pending.error.value).toEqual({ code: 'agent_inactive', message: 'inactive' }))
    expect(pending.state.value).toBe('failed')

    await pending.retry()
    expect((await db.outbox.get(queued.seq))?.state).toBe('queued')
    expect((await db.outbox.get(queued.seq))?.error).toBeUndefined()
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))

    await db.outbox.update(queued.seq, {
      state: 'failed',
      error: { code: 'forbidden', message: 'no' },
    })
    await vi.waitFor(() => expect(pending.state.value).toBe('failed'))
    await pending.discard()
    expect(await db.outbox.count()).toBe(0)
    await vi.waitFor(() => expect(pending.status.value).toBeNull())
    scope.stop()
  })

  it('dismisses only failed rows', async () => {
    const scope = effectScope()
    const pending = scope.run(() => usePending(matchOutbox(['conversation.assign'], 'conversationId', 'k1')))!
    await enqueue(db, 'conversation.assign', { conversationId: 'k1', assigneeId: 'a1' })
    await vi.waitFor(() => expect(pending.state.value).toBe('queued'))
    await pending.discard()
    expect(await db.outbox.count()).toBe(1)
    scope.stop()
  })
})
