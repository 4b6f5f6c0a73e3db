import { beforeEach, describe, expect, it } from 'vitest'
import { message } from '~/components/conversation/message/__tests__/fixtures'
import { db } from '~/utils/db'
import { storeMessagePage } from '~/utils/messages/history'

describe('storeMessagePage', () => {
  beforeEach(async () => {
    await Promise.all(db.tables.map(table => table.clear()))
  })

  it('never takes a stored status back and replaces the local copy of a sent message', async () => {
    await db.messages.bulkPut([
      message('m1', { status: 'read' }),
      message('client-9', {
        clientId: 'client-9',
        direction: 'out',
        status: 'pending',
        wamid: null,
      }),
    ])
    await storeMessagePage(db, [
      message('m1', { status: 'delivered' }),
      message('m2'),
      message('srv-9', { clientId: 'client-9', direction: 'out', status: 'sent' }),
    ])
    const stored = await db.messages.toArray()
    expect(stored.map(row => [row.id, row.status]).sort()).toEqual([
      ['m1', 'read'],
      ['m2', 'delivered'],
      ['srv-9', 'sent'],
    ])
  })
})
