/**
 * Inputs that once made the webhook answer 500 (so Meta would redeliver them for seven days and
 * then drop the whole batch), and concurrency that once deadlocked on PostgreSQL.
 */
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customer, envelope, startServer, textMessage, WA, wamid } from '../helper.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer({
    env: { OUTBOUND_WORKER: '0' },
  })
})
afterAll(async () => server.close())

const events = (kind: 'error' | 'unknown_field' | 'unknown_number' | 'malformed') => server.app.db.selectFrom('webhook_events').selectAll().where('kind', '=', kind).execute()

describe('values PostgreSQL cannot store as given', () => {
  it('drops NUL from text and names, keeping the original in raw', async () => {
    const m = textMessage('40716000001', 'a\u0000b')
    const res = await server.webhook(envelope({
      contacts: [
        customer('40716000001', 'Nu\u0000ll'),
      ],
      messages: [m],
    }))
    expect(res.status).toBe(200)
    const row = await server.app.db.selectFrom('messages').select(['content', 'raw']).where('wamid', '=', m.id).executeTakeFirstOrThrow()
    expect(JSON.parse(row.content).body).toBe('ab')
    expect(JSON.parse(row.raw!).text.body).toBe('a\u0000b')
    const contact = await server.app.db.selectFrom('contacts').select('profile_name').where('wa_id', '=', '40716000001').executeTakeFirstOrThrow()
    expect(contact.profile_name).toBe('Null')
  })

  it.each([1e12, 1.5, 'x'])('records an error webhook with code %s', async (code) => {
    const res = await server.webhook(envelope({
      errors: [
        { code, title: 'odd', message: 'odd' },
      ],
    }))
    expect(res.status).toBe(200)
  })

  it('records a change whose field contains NUL', async () => {
    const res = await server.webhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WA.wabaId,
          changes: [
            { field: 'x\u0000y', value: {} },
          ],
        },
      ],
    })
    expect(res.status).toBe(200)
    expect((await events('unknown_field')).map(e => e.field)).toContain('xy')
  })
})

describe('status values Meta does not send', () => {
  it.each([
    'pending',
    'constructor',
    '__proto__',
    'toString',
    'deleted',
  ])('acknowledges "%s" and leaves the message as it was', async (value) => {
    const m = textMessage('40716000002', 'hi')
    await server.webhook(envelope({
      contacts: [
        customer('40716000002', 'S'),
      ],
      messages: [m],
    }))
    const res = await server.webhook(envelope({
      statuses: [
        {
          id: m.id,
          status: value,
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: '40716000002',
        },
      ],
    }))
    expect(res.status).toBe(200)
    const row = await server.app.db.selectFrom('messages').select('status').where('wamid', '=', m.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('delivered')
  })
})

describe('shapes that are not lists', () => {
  it('records messages given as an object, and an entry without changes', async () => {
    const before = (await events('malformed')).length
    const res = await server.webhook({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WA.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: WA.phoneNumberId },
                messages: {
                  id: wamid(),
                },
              },
            },
          ],
        },
        { id: WA.wabaId },
      ],
    })
    expect(res.status).toBe(200)
    expect((await events('malformed')).length).toBe(before + 2)
  })

  it('acknowledges and records another product\'s object posted to the same callback', async () => {
    const res = await server.webhook({
      object: 'page',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'feed',
              value: { item: 'post' },
            },
          ],
        },
      ],
    })
    expect(res.status).toBe(200)
    expect((await events('unknown_field')).some(e => e.payload.includes('"object":"page"'))).toBe(true)
  })
})

describe('concurrent deliveries for one customer', () => {
  it('stores every message of 60 concurrent POSTs for the same customer (no deadlock answered 500)', async () => {
    const messages = Array.from({ length: 60 }, (_, i) => textMessage('40716000003', `burst ${i}`))
    const answers = await Promise.all(messages.map(m => server.webhook(envelope({
      contacts: [
        customer('40716000003', 'Burst'),
      ],
      messages: [m],
    }))))
    expect(answers.map(a => a.status)).toEqual(messages.map(() => 200))
    const conv = await server.app.db.selectFrom('conversations').innerJoin('contacts', 'contacts.id', 'conversations.contact_id').select('unread_count').where('contacts.wa_id', '=', '40716000003').executeTakeFirstOrThrow()
    expect(conv.unread_count).toBe(60)
  })

  it('survives a reaction and a status for the same message racing each other', async () => {
    const target = textMessage('40716000004', 'target')
    await server.webhook(envelope({
      contacts: [
        customer('40716000004', 'R'),
      ],
      messages: [target],
    }))
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => i % 2 === 0
      ? server.webhook(envelope({
          contacts: [
            customer('40716000004', 'R'),
          ],
          messages: [
            {
              from: '40716000004',
              id: wamid(),
              timestamp: String(Math.floor(Date.now() / 1000)),
              type: 'reaction',
              reaction: { message_id: target.id, emoji: '👍' },
            },
          ],
        }))
      : server.webhook(envelope({
          contacts: [
            customer('40716000004', 'R'),
          ],
          messages: [
            textMessage('40716000004', `t${i}`),
          ],
          statuses: [
            {
              id: target.id,
              status: 'read',
              timestamp: String(Math.floor(Date.now() / 1000)),
              recipient_id: '40716000004',
            },
          ],
        }))))
    expect(answers.every(a => a.status === 200)).toBe(true)
  })
})
