import type { EffectScope } from 'vue'
import type { SendOutboxEntry } from '../messages'
import type { Message } from '~/utils/db'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { agent, contact, conversation, fakeServer, history, message, NOW, session } from '~/components/conversation/__tests__/message-fixtures'
import { db } from '~/utils/db'
import { enqueue } from '~/utils/db/outbox'
import { authSessionStorage } from '~/utils/session'
import { buildMessageRows, MESSAGE_PAGE_SIZE, resendRequest, resetMessageHistory, storeMessagePage, useMessages } from '../messages'

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

describe('buildMessageRows', () => {
  it('puts reactions on the message they react to and keeps an orphan one as a line', () => {
    const target = message('t', { direction: 'out', senderId: 'a1', reaction: '❤️' })
    const rows = buildMessageRows({
      messages: [
        target,
        // the agent's reaction, as the server stores it: target's wamid and id
        message('r1', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', targetId: 't', emoji: '👍' },
        }),
        message('r2', {
          type: 'reaction',
          content: { messageId: 'wamid.gone', emoji: '😂' },
        }),
      ],
      outbox: [],
      agents: [
        agent('a1', 'Ana Pop'),
      ],
      quoted: [],
    })
    expect(ids(rows)).toEqual(['t', 'r2'])
    expect(rows[0]).toMatchObject({ agentReaction: '👍', senderName: 'Ana Pop' })
    expect(rows[0]!.message.reaction).toBe('❤️')
  })

  it('an agent reaction removed later (empty emoji) shows none', () => {
    const rows = buildMessageRows({
      messages: [
        message('t'),
        message('r1', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', emoji: '👍' },
        }),
        message('r2', {
          type: 'reaction',
          direction: 'out',
          content: { messageId: 'wamid.t', emoji: null },
        }),
      ],
      outbox: [],
      agents: [],
      quoted: [],
    })
    expect(ids(rows)).toEqual(['t'])
    expect(rows[0]!.agentReaction).toBeNull()
  })

  it('finds a quoted message by wamid (inbound reply) or local id (agent reply), in or outside the window', () => {
    const old = message('old', { direction: 'out', senderId: 'a2' })
    const rows = buildMessageRows({
      messages: [
        message('a'),
        message('b', {
          context: { from: '40722', id: 'wamid.a' },
        }),
        message('c', {
          direction: 'out',
          context: { id: 'wamid.old', messageId: 'old' },
        }),
        message('d', {
          context: { id: 'wamid.unknown' },
        }),
      ],
      outbox: [],
      agents: [
        agent('a2', 'Bogdan'),
      ],
      quoted: [old],
    })
    expect(rows.map(row => row.quoted?.id ?? null)).toEqual([null, 'a', 'old', null])
    expect(rows[2]!.quotedSenderName).toBe('Bogdan')
  })

  it('attaches the outbox row to the local copy it sends', () => {
    const local = message('client-1', {
      clientId: 'client-1',
      direction: 'out',
      status: 'pending',
      wamid: null,
    })
    const entry = {
      seq: 3,
      id: 'mut',
      type: 'message.send',
      args: {
        conversationId: 'k1',
        message: { clientId: 'client-1', type: 'text', text: 'x' },
      },
      createdAt: 1,
      state: 'failed',
    } as SendOutboxEntry
    const rows = buildMessageRows({
      messages: [
        local,
        message('m'),
      ],
      outbox: [entry],
      agents: [],
      quoted: [],
    })
    expect(rows[0]!.outbox).toBe(entry)
    expect(rows[1]!.outbox).toBeNull()
  })
})

describe('resendRequest', () => {
  const failed = (patch: Partial<Message>) => message('f', {
    direction: 'out',
    status: 'failed',
    error: { code: 131000, title: 'Something went wrong' },
    ...patch,
  })

  it('sends a text again with its body and reply', () => {
    expect(resendRequest(failed({
      content: { body: 'Hi' },
      context: { id: 'wamid.x', messageId: 'x' },
    }), 'new')).toEqual({
      clientId: 'new',
      type: 'text',
      text: 'Hi',
      replyTo: 'x',
    })
  })

  it('sends media again by its upload id, with the caption', () => {
    expect(resendRequest(failed({
      type: 'image',
      content: {
        mediaId: 'meta-1',
        uploadId: 'up-1',
        caption: 'Look',
        mimeType: 'image/png',
      },
    }), 'new')).toEqual({
      clientId: 'new',
      type: 'image',
      mediaId: 'up-1',
      caption: 'Look',
    })
  })

  it('sends a template again with its name, language and parameters', () => {
    const request = resendRequest(failed({
      type: 'template',
      content: {
        name: 'order_update',
        language: 'ro',
        body: 'Comanda 7',
        header: [],
        parameters: [
          { type: 'text', text: '7' },
        ],
        buttons: [],
      },
    }), 'new')
    expect(request).toEqual({
      clientId: 'new',
      type: 'template',
      template: {
        name: 'order_update',
        language: 'ro',
        body: [
          { type: 'text', text: '7' },
        ],
      },
    })
  })

  it.each([
    [
      'an inbound message',
      failed({ direction: 'in' }),
    ],
    [
      'a message that did not fail',
      failed({ status: 'sent', error: null }),
    ],
    [
      'a reaction',
      failed({
        type: 'reaction',
        content: { messageId: 'wamid.x', emoji: '👍' },
      }),
    ],
    [
      'a location',
      failed({
        type: 'location',
        content: { latitude: 1, longitude: 2 },
      }),
    ],
    [
      'free-form text outside the 24-hour window (131047)',
      failed({
        error: { code: 131047, title: 'Re-engagement message' },
      }),
    ],
    [
      'a template to a number in an experiment (130472)',
      failed({
        type: 'template',
        content: { name: 'promo', language: 'en' },
        error: { code: 130472, title: 'experiment' },
      }),
    ],
  ])('refuses %s', (_, value) => {
    expect(resendRequest(value, 'new')).toBeNull()
  })

  it('still offers a template after a window error', () => {
    expect(resendRequest(failed({
      type: 'template',
      content: { name: 'hello', language: 'en' },
      error: { code: 131047, title: 'x' },
    }), 'n')).not.toBeNull()
  })
})

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
