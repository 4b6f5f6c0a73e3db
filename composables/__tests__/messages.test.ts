import type { EffectScope } from 'vue'
import type { Message } from '~/utils/db'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { contact, conversation, fakeServer, history, message, NOW, session } from '~/components/conversation/message/__tests__/fixtures'
import { db } from '~/utils/db'
import { enqueue } from '~/utils/db/outbox'
import { MESSAGE_PAGE_SIZE } from '~/utils/messages/api'
import { resetMessageHistory } from '~/utils/messages/history'
import { authSessionStorage } from '~/utils/session'
import { useMessages } from '../messages'

let scope: EffectScope | undefined

function start(conversationId = 'k1', notify = vi.fn()) {
  scope = effectScope()
  const id = ref(conversationId)
  const result = scope.run(() => useMessages(id, { notify }))!
  return { ...result, id, notify }
}

async function settled(check: () => void): Promise<void> {
  await vi.waitFor(async () => {
    await nextTick()
    check()
  })
}

function ids(rows: { message: Message }[]): string[] {
  return rows.map(row => row.message.id)
}

describe('useMessages', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    resetMessageHistory()
    await Promise.all(db.tables.map(table => table.clear()))
    await authSessionStorage.setValue(session())
    await db.contacts.put(contact('c1', { name: 'Ion Pop' }))
    await db.conversations.put(conversation('k1', contact('c1', { name: 'Ion Pop' })))
  })

  afterEach(() => {
    scope?.stop()
    scope = undefined
    vi.unstubAllGlobals()
  })

  it('fetches the first page of a conversation whose history was never synced', async () => {
    const server = fakeServer(history(120, NOW - 200 * 60_000))
    vi.stubGlobal('fetch', server.fetch)
    await db.messages.put(history(120, NOW - 200 * 60_000).at(-1)!)
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(MESSAGE_PAGE_SIZE))
    expect(server.requests).toEqual([null])
    expect(list.rows.value.at(-1)!.message.id).toBe('m0120')
    expect(list.rows.value[0]!.message.id).toBe('m0071')
    expect(list.hasMore.value).toBe(true)
    expect(list.contactName.value).toBe('Ion Pop')
  })

  it('loads older pages in order, without duplicates, until the server has no more', async () => {
    const all = history(120, NOW - 200 * 60_000)
    const server = fakeServer(all)
    vi.stubGlobal('fetch', server.fetch)
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(50))

    await list.loadOlder()
    await settled(() => expect(list.rows.value).toHaveLength(100))
    await list.loadOlder()
    await settled(() => expect(list.rows.value).toHaveLength(120))

    expect(server.requests).toEqual([null, '50', '100'])
    expect(ids(list.rows.value)).toEqual(all.map(item => item.id))
    expect(list.hasMore.value).toBe(false)
    await list.loadOlder()
    expect(server.requests).toHaveLength(3)
  })

  it('shows older stored messages before asking the server, then walks the server from its newest page', async () => {
    const all = history(130, NOW - 200 * 60_000)
    const server = fakeServer(all)
    vi.stubGlobal('fetch', server.fetch)
    // 80 newest already cached from an earlier session: no request to open the conversation.
    await db.messages.bulkPut(all.slice(50))
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(50))
    expect(server.requests).toEqual([])

    await list.loadOlder()
    await settled(() => expect(list.rows.value).toHaveLength(80))
    expect(server.requests).toEqual([])

    await list.loadOlder()
    // Page 1 is all cached; page 2 reaches past the cache (20 new): the walk stops there.
    await settled(() => expect(list.rows.value).toHaveLength(100))
    expect(server.requests).toEqual([null, '50'])
    expect(list.hasMore.value).toBe(true)

    await list.loadOlder()
    await settled(() => expect(list.rows.value).toHaveLength(130))
    expect(server.requests).toEqual([null, '50', '100'])
    expect(ids(list.rows.value)).toEqual(all.map(item => item.id))
    expect(list.hasMore.value).toBe(false)
  })

  it('keeps the error code of a failed request and retries it', async () => {
    let failing = true
    const server = fakeServer(history(3, NOW - 10 * 60_000), {
      fail: () => failing,
    })
    vi.stubGlobal('fetch', server.fetch)
    const list = start()
    await settled(() => expect(list.error.value).toBe('internal_error'))
    expect(list.loading.value).toBe(false)
    expect(list.rows.value).toEqual([])

    failing = false
    await list.retry()
    await settled(() => expect(list.rows.value).toHaveLength(3))
    expect(list.error.value).toBeNull()
    expect(list.hasMore.value).toBe(false)
  })

  it('answers offline when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    const list = start()
    await settled(() => expect(list.error.value).toBe('offline'))
  })

  it('retries and discards a send the server refused', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    const local = message('client-1', {
      clientId: 'client-1',
      direction: 'out',
      status: 'pending',
      wamid: null,
      senderId: 'a1',
      timestamp: NOW,
    })
    const row = await enqueue(db, 'message.send', {
      conversationId: 'k1',
      message: { clientId: 'client-1', type: 'text', text: 'x' },
    }, {
      apply: () => db.messages.put(local),
    })
    await db.outbox.update(row.seq, {
      state: 'failed',
      error: { code: 'window_closed', message: 'closed' },
    })
    const list = start()
    await settled(() => expect(list.rows.value[0]?.outbox?.state).toBe('failed'))

    await list.retryOutbox(list.rows.value[0]!.outbox!)
    await settled(() => expect(list.rows.value[0]?.outbox?.state).toBe('queued'))
    expect(list.notify).toHaveBeenCalledOnce()
    expect((await db.outbox.get(row.seq))!.error).toBeUndefined()

    await db.outbox.update(row.seq, {
      state: 'failed',
      error: { code: 'window_closed', message: 'closed' },
    })
    await settled(() => expect(list.rows.value[0]?.outbox?.state).toBe('failed'))
    await list.discardOutbox(list.rows.value[0]!.outbox!)
    await settled(() => expect(list.rows.value).toEqual([]))
    expect(await db.outbox.count()).toBe(0)
    expect(await db.messages.get('client-1')).toBeUndefined()
  })

  it('sends a failed message again under a new client id', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    const failedMessage = message('srv-1', {
      clientId: 'old-client',
      direction: 'out',
      status: 'failed',
      error: { code: 131026, title: 'Message undeliverable' },
      content: { body: 'Salut' },
      senderId: 'a1',
      timestamp: NOW - 60_000,
    })
    await db.messages.put(failedMessage)
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(1))

    expect(await list.sendAgain(failedMessage)).toBe(true)
    await settled(() => expect(list.rows.value).toHaveLength(2))
    const copy = list.rows.value[1]!
    expect(copy.message).toMatchObject({
      direction: 'out',
      status: 'pending',
      content: { body: 'Salut' },
      senderId: 'a1',
    })
    expect(copy.message.clientId).not.toBe('old-client')
    expect(copy.outbox?.args.message).toMatchObject({ type: 'text', text: 'Salut', clientId: copy.message.id })
    expect(list.notify).toHaveBeenCalled()
  })

  it('keeps the row objects of unchanged messages, so only a changed bubble re-renders', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await db.messages.bulkPut(history(60, NOW - 100 * 60_000))
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(50))
    const before = list.rows.value
    await db.messages.update('m0060', { status: 'read' })
    await settled(() => expect(list.rows.value.at(-1)!.message.status).toBe('read'))
    const after = list.rows.value
    expect(after.slice(0, 49).every((row, index) => row === before[index])).toBe(true)
    expect(after[49]).not.toBe(before[49])
  })

  it('widens the window for new messages instead of pushing out the ones being read', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await db.messages.bulkPut(history(60, NOW - 100 * 60_000))
    const list = start()
    await settled(() => expect(list.rows.value).toHaveLength(50))
    expect(list.rows.value[0]!.message.id).toBe('m0011')
    await db.messages.bulkPut([
      message('n1', { timestamp: NOW + 1 }),
      message('n2', { timestamp: NOW + 2 }),
    ])
    await settled(() => expect(ids(list.rows.value).slice(-2)).toEqual(['n1', 'n2']))
    expect(list.rows.value).toHaveLength(52)
    expect(list.rows.value[0]!.message.id).toBe('m0011')
  })

  it('starts over for another conversation, with the first window again', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await db.messages.bulkPut([
      ...history(120, NOW - 200 * 60_000),
      ...history(70, NOW - 100 * 60_000).map(item => ({ ...item, id: `b-${item.id}`, conversationId: 'k2' })),
    ])
    const list = start('k1')
    await settled(() => expect(list.rows.value).toHaveLength(50))
    await list.loadOlder()
    await settled(() => expect(list.rows.value).toHaveLength(100))
    list.id.value = 'k2'
    await settled(() => expect(list.rows.value[0]?.message.conversationId).toBe('k2'))
    expect(list.rows.value).toHaveLength(50)
    expect(list.rows.value.at(-1)!.message.id).toBe('b-m0070')
  })

  it('starts over for another conversation', async () => {
    vi.stubGlobal('fetch', fakeServer([]).fetch)
    await db.messages.bulkPut([
      message('a1m', { conversationId: 'k1', timestamp: 1 }),
      message('b1m', { conversationId: 'k2', timestamp: 2 }),
    ])
    const list = start('k1')
    await settled(() => expect(ids(list.rows.value)).toEqual(['a1m']))
    list.id.value = 'k2'
    await settled(() => expect(ids(list.rows.value)).toEqual(['b1m']))
  })
})
