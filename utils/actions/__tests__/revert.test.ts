import type { ApiClient } from '~/utils/api/client'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { contact, conversation, NOW } from '~/components/chat/__tests__/fixtures'
import { createActions } from '~/utils/actions'
import { discardAndRevert } from '~/utils/actions/revert'
import { db } from '~/utils/db'

const ion = contact('c1', { name: 'Ion', email: null })
const serverConversation = conversation('k1', ion)

function fakeApi(): () => Promise<ApiClient> {
  const get = vi.fn(async (path: string) => {
    if (path === '/api/conversations/k1')
      return { ...serverConversation }
    if (path === '/api/contacts/c1')
      return { ...ion }
    throw new Error(`unexpected ${path}`)
  })
  return async () => ({ get } as unknown as ApiClient)
}

beforeEach(async () => {
  await db.delete()
  await db.open()
  await db.contacts.put(ion)
  await db.conversations.put(serverConversation)
})

describe('discarding a failed action', () => {
  const act = () => createActions({
    agentId: 'a1',
    notify: () => {},
    now: () => NOW,
  })

  it('removes the local copy of a message that was never sent, and restores the chat row', async () => {
    const row = await act().send('k1', { clientId: 'cl-9', type: 'text', text: 'never sent' })
    expect(await db.messages.get('cl-9')).toBeDefined()
    await discardAndRevert(db, row, fakeApi())
    expect(await db.messages.get('cl-9')).toBeUndefined()
    expect(await db.outbox.count()).toBe(0)
    expect((await db.conversations.get('k1'))!.lastMessagePreview).toBe(serverConversation.lastMessagePreview)
  })

  it('undoes a refused contact edit with the server\'s contact', async () => {
    const row = await act().updateContact('c1', { email: 'taken@example.com' })
    expect((await db.contacts.get('c1'))!.email).toBe('taken@example.com')
    await discardAndRevert(db, row, fakeApi())
    expect((await db.contacts.get('c1'))!.email).toBeNull()
  })

  it('removes a note that was never created', async () => {
    const row = await act().createNote('c1', 'lost note')
    await discardAndRevert(db, row, fakeApi())
    expect(await db.notes.count()).toBe(0)
  })

  it('still drops the row when the server cannot be reached', async () => {
    const row = await act().assign('k1', 'a1')
    await discardAndRevert(db, row, async () => {
      throw new Error('offline')
    })
    expect(await db.outbox.count()).toBe(0)
  })
})
