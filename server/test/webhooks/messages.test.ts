/**
 * Every inbound message type from the reference (§1.5), shaped like Meta's documented examples
 * and the payloads in pywa's and Chatwoot's test data, stored faithfully.
 */
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customer, envelope, json, startServer, textMessage, WA, wamid } from '../helper.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => server.close())

const ts = () => String(Math.floor(Date.now() / 1000))

async function stored(id: string) {
  const row = await server.app.db.selectFrom('messages').selectAll().where('wamid', '=', id).executeTakeFirstOrThrow()
  return {
    ...row,
    content: JSON.parse(row.content),
    context: row.context
      ? JSON.parse(row.context)
      : null,
    raw: JSON.parse(row.raw!),
  }
}

async function receive(from: string, message: Record<string, unknown>, name = 'Customer') {
  const id = wamid()
  const res = await server.webhook(envelope({
    contacts: [
      customer(from, name),
    ],
    messages: [
      {
        from,
        id,
        timestamp: ts(),
        ...message,
      },
    ],
  }))
  expect(res.status).toBe(200)
  return id
}

describe('inbound message types', () => {
  it.each([
    [
      'text',
      {
        type: 'text',
        text: { body: 'Cât costă livrarea în Cluj?' },
      },
      'text',
      { body: 'Cât costă livrarea în Cluj?' },
    ],
    [
      'image with caption and url',
      {
        type: 'image',
        image: {
          caption: 'Produsul primit 😕',
          mime_type: 'image/jpeg',
          sha256: 'abc=',
          id: '1479537139650973',
          url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973',
        },
      },
      'image',
      {
        mediaId: '1479537139650973',
        mimeType: 'image/jpeg',
        sha256: 'abc=',
        caption: 'Produsul primit 😕',
        url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973',
      },
    ],
    [
      'voice note',
      {
        type: 'audio',
        audio: {
          mime_type: 'audio/ogg; codecs=opus',
          sha256: 'def=',
          id: '2001',
          voice: true,
        },
      },
      'audio',
      {
        mediaId: '2001',
        mimeType: 'audio/ogg; codecs=opus',
        sha256: 'def=',
        voice: true,
      },
    ],
    [
      'video',
      {
        type: 'video',
        video: { mime_type: 'video/mp4', sha256: 'ghi=', id: '2002' },
      },
      'video',
      { mediaId: '2002', mimeType: 'video/mp4', sha256: 'ghi=' },
    ],
    [
      'document with a non-ASCII filename',
      {
        type: 'document',
        document: {
          caption: 'CV',
          filename: 'Currículum café.pdf',
          mime_type: 'application/pdf',
          sha256: 'jkl=',
          id: '2003',
        },
      },
      'document',
      {
        mediaId: '2003',
        mimeType: 'application/pdf',
        sha256: 'jkl=',
        caption: 'CV',
        filename: 'Currículum café.pdf',
      },
    ],
    [
      'animated sticker',
      {
        type: 'sticker',
        sticker: {
          mime_type: 'image/webp',
          sha256: 'mno=',
          id: '2004',
          animated: true,
        },
      },
      'sticker',
      {
        mediaId: '2004',
        mimeType: 'image/webp',
        sha256: 'mno=',
        animated: true,
      },
    ],
    [
      'location',
      {
        type: 'location',
        location: {
          latitude: 46.7712,
          longitude: 23.6236,
          name: 'Piața Unirii',
          address: 'Cluj-Napoca',
        },
      },
      'location',
      {
        latitude: 46.7712,
        longitude: 23.6236,
        name: 'Piața Unirii',
        address: 'Cluj-Napoca',
      },
    ],
    [
      'list reply',
      {
        type: 'interactive',
        context: { from: WA.displayPhoneNumber, id: 'wamid.LIST' },
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'row-2', title: 'Livrare rapidă', description: '24h' },
        },
      },
      'interactive',
      {
        interactiveType: 'list_reply',
        id: 'row-2',
        title: 'Livrare rapidă',
        description: '24h',
      },
    ],
    [
      'button reply',
      {
        type: 'interactive',
        context: { from: WA.displayPhoneNumber, id: 'wamid.BTN' },
        interactive: {
          type: 'button_reply',
          button_reply: { id: 'yes', title: 'Da' },
        },
      },
      'interactive',
      { interactiveType: 'button_reply', id: 'yes', title: 'Da' },
    ],
    [
      'template quick-reply button',
      {
        type: 'button',
        context: { from: WA.displayPhoneNumber, id: 'wamid.TPL' },
        button: { payload: 'TRACK_4821', text: 'Track order' },
      },
      'button',
      { payload: 'TRACK_4821', text: 'Track order' },
    ],
    [
      'unsupported (poll)',
      {
        type: 'unsupported',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
        unsupported: { type: 'poll_creation' },
      },
      'unsupported',
      {
        originalType: 'poll_creation',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      },
    ],
    [
      'a type the connector does not model (order)',
      {
        type: 'order',
        order: {
          catalog_id: 'c1',
          text: 'hi',
          product_items: [
            {
              product_retailer_id: 'p1',
              quantity: 2,
              item_price: 10,
              currency: 'RON',
            },
          ],
        },
      },
      'unsupported',
      {
        originalType: 'order',
        errors: [],
        order: {
          catalog_id: 'c1',
          text: 'hi',
          product_items: [
            {
              product_retailer_id: 'p1',
              quantity: 2,
              item_price: 10,
              currency: 'RON',
            },
          ],
        },
      },
    ],
    [
      'a type invented later',
      {
        type: 'hologram',
        hologram: { id: 'h1' },
      },
      'unsupported',
      {
        originalType: 'hologram',
        errors: [],
        hologram: { id: 'h1' },
      },
    ],
  ])('stores %s', async (_, message, type, content) => {
    const id = await receive('40722100001', message)
    const row = await stored(id)
    expect(row.type).toBe(type)
    expect(row.direction).toBe('in')
    expect(row.content).toEqual(content)
    expect(row.raw).toMatchObject(message)
  })

  it('stores a contacts card whole, with a preview of the names', async () => {
    const card = {
      name: { formatted_name: 'Mihai Popescu', first_name: 'Mihai' },
      phones: [
        { phone: '+40 722 333 444', wa_id: '40722333444', type: 'CELL' },
      ],
      emails: [
        { email: 'mihai@example.ro', type: 'WORK' },
      ],
    }
    const id = await receive('40722100002', {
      type: 'contacts',
      contacts: [
        card,
        {
          name: { formatted_name: 'Ana' },
        },
      ],
    })
    const row = await stored(id)
    expect(row.type).toBe('contacts')
    expect(row.content).toEqual({
      contacts: [
        card,
        {
          name: { formatted_name: 'Ana' },
        },
      ],
    })
    const conv = await server.app.db.selectFrom('conversations').select('last_message_preview').where('id', '=', row.conversation_id).executeTakeFirstOrThrow()
    expect(conv.last_message_preview).toBe('Mihai Popescu, Ana')
  })

  it('keeps reply, forward and product context, and click-to-WhatsApp referrals', async () => {
    const quoted = await receive('40722100003', {
      type: 'text',
      text: { body: 'first' },
    })
    const reply = await receive('40722100003', {
      type: 'text',
      text: { body: 'about that' },
      context: { from: '40722100003', id: quoted },
    })
    expect((await stored(reply)).context).toEqual({ from: '40722100003', id: quoted })
    const fwd = await receive('40722100003', {
      type: 'text',
      text: { body: 'fwd' },
      context: { forwarded: true },
    })
    expect((await stored(fwd)).context).toEqual({ forwarded: true })
    const freq = await receive('40722100003', {
      type: 'image',
      image: { id: '77', mime_type: 'image/jpeg', sha256: 'x' },
      context: { frequently_forwarded: true },
    })
    expect((await stored(freq)).context).toEqual({ frequently_forwarded: true })
    const product = await receive('40722100003', {
      type: 'text',
      text: { body: 'Is this in stock?' },
      context: {
        from: WA.displayPhoneNumber,
        id: 'wamid.P',
        referred_product: { catalog_id: 'cat1', product_retailer_id: 'sku-9' },
      },
    })
    expect((await stored(product)).context.referred_product).toEqual({ catalog_id: 'cat1', product_retailer_id: 'sku-9' })
    const referral = {
      source_url: 'https://fb.me/ad',
      source_id: 'ad-1',
      source_type: 'ad',
      headline: 'Reduceri',
      body: 'Doar azi',
      media_type: 'image',
      image_url: 'https://x/y.jpg',
      ctwa_clid: 'clid',
    }
    const ad = await receive('40722100003', {
      type: 'text',
      text: { body: 'Salut, am văzut reclama' },
      referral,
    })
    const row = await server.app.db.selectFrom('messages').select('referral').where('wamid', '=', ad).executeTakeFirstOrThrow()
    expect(JSON.parse(row.referral!)).toEqual(referral)
  })

  it('applies a reaction to the message it targets, and its removal (emoji omitted or empty)', async () => {
    const target = await receive('40722100004', {
      type: 'text',
      text: { body: 'react to me' },
    })
    const reaction = await receive('40722100004', {
      type: 'reaction',
      reaction: { message_id: target, emoji: '❤️' },
    })
    expect((await stored(reaction)).content).toEqual({ messageId: target, emoji: '❤️' })
    expect((await stored(target)).reaction).toBe('❤️')
    await receive('40722100004', {
      type: 'reaction',
      reaction: { message_id: target },
    })
    expect((await stored(target)).reaction).toBeNull()
    await receive('40722100004', {
      type: 'reaction',
      reaction: { message_id: target, emoji: '👍' },
    })
    await receive('40722100004', {
      type: 'reaction',
      reaction: { message_id: target, emoji: '' },
    })
    expect((await stored(target)).reaction).toBeNull()
  })

  it('moves the contact to the new number on a user_changed_number system message', async () => {
    await receive('40722100005', {
      type: 'text',
      text: { body: 'hi' },
    }, 'Radu')
    const id = wamid()
    // System messages carry no contacts array (reference §1.5).
    const res = await server.webhook(envelope({
      messages: [
        {
          from: '40722100005',
          id,
          timestamp: ts(),
          type: 'system',
          system: { body: 'Radu changed their phone number to a new number 40722100006', wa_id: '40722100006', type: 'user_changed_number' },
        },
      ],
    }))
    expect(res.status).toBe(200)
    const row = await stored(id)
    expect(row.type).toBe('system')
    expect(row.content).toEqual({ systemType: 'user_changed_number', body: 'Radu changed their phone number to a new number 40722100006', waId: '40722100006' })
    const contact = await server.app.db.selectFrom('contacts').selectAll().where('wa_id', '=', '40722100006').executeTakeFirstOrThrow()
    expect(contact.profile_name).toBe('Radu')
  })
})

describe('contacts and conversations', () => {
  it('keys a customer by business-scoped user id when the phone number is absent, then links the phone later', async () => {
    const bsuid = 'US.13491208655302741918'
    const first = wamid()
    let res = await server.webhook(envelope({
      contacts: [
        {
          profile: { name: 'Lena', username: 'lena.k' },
          user_id: bsuid,
        },
      ],
      messages: [
        {
          from_user_id: bsuid,
          id: first,
          timestamp: ts(),
          type: 'text',
          text: { body: 'hello from a username' },
        },
      ],
    }))
    expect(res.status).toBe(200)
    const byBsuid = await server.app.db.selectFrom('contacts').selectAll().where('user_id', '=', bsuid).executeTakeFirstOrThrow()
    expect(byBsuid).toMatchObject({ wa_id: null, username: 'lena.k', profile_name: 'Lena' })

    res = await server.webhook(envelope({
      contacts: [
        {
          profile: { name: 'Lena K' },
          wa_id: '4915112345678',
          user_id: bsuid,
        },
      ],
      messages: [
        {
          from: '4915112345678',
          from_user_id: bsuid,
          id: wamid(),
          timestamp: ts(),
          type: 'text',
          text: { body: 'now with my number' },
        },
      ],
    }))
    expect(res.status).toBe(200)
    const contacts = await server.app.db.selectFrom('contacts').selectAll().where('user_id', '=', bsuid).execute()
    expect(contacts).toHaveLength(1)
    expect(contacts[0]).toMatchObject({ wa_id: '4915112345678', profile_name: 'Lena K' })
    const conversations = await server.app.db.selectFrom('conversations').select('unread_count').where('contact_id', '=', contacts[0]!.id).execute()
    expect(conversations).toEqual([
      { unread_count: 2 },
    ])
  })

  it('normalises a "+" in from, and updates the profile name when the customer changes it', async () => {
    await server.webhook(envelope({
      contacts: [
        customer('40722100007', 'Old Name'),
      ],
      messages: [
        textMessage('+40722100007', 'one'),
      ],
    }))
    await server.webhook(envelope({
      contacts: [
        customer('40722100007', 'New Name'),
      ],
      messages: [
        textMessage('40722100007', 'two'),
      ],
    }))
    const rows = await server.app.db.selectFrom('contacts').selectAll().where('wa_id', '=', '40722100007').execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.profile_name).toBe('New Name')
  })

  it('opens the 24-hour window from the customer\'s own timestamp and counts unread', async () => {
    const sentAt = Math.floor(Date.now() / 1000) - 3600
    await server.webhook(envelope({
      contacts: [
        customer('40722100008', 'W'),
      ],
      messages: [
        {
          ...textMessage('40722100008', 'an hour ago'),
          timestamp: String(sentAt),
        },
      ],
    }))
    await server.webhook(envelope({
      contacts: [
        customer('40722100008', 'W'),
      ],
      messages: [
        {
          type: 'reaction',
          from: '40722100008',
          id: wamid(),
          timestamp: String(sentAt + 60),
          reaction: { message_id: 'wamid.unknown', emoji: '👍' },
        },
      ],
    }))
    const res = await server.api('/api/conversations?limit=200')
    const conv = (await json(res)).items.find((c: any) => c.contact.waId === '40722100008')
    expect(conv.lastInboundAt).toBe(sentAt * 1000)
    expect(conv.windowExpiresAt).toBe(sentAt * 1000 + 24 * 3600 * 1000)
    // A reaction neither reopens the window nor counts as unread (reference §4.1).
    expect(conv.unreadCount).toBe(1)
    expect(conv.lastMessagePreview).toBe('an hour ago')
  })

  it('stores a batch spanning several entries, changes and messages in order, once each, even when duplicated', async () => {
    const a = textMessage('40722100009', 'a1')
    const b = textMessage('40722100010', 'b1')
    const c = textMessage('40722100009', 'a2')
    const payload = envelope(
      {
        contacts: [
          customer('40722100009', 'A'),
        ],
        messages: [a, c],
      },
      {
        contacts: [
          customer('40722100010', 'B'),
        ],
        messages: [b],
      },
    )
    // Duplicate delivery of the same POST, and the same message twice in one batch.
    ;(payload.entry as any)[1].changes.push({ ...(payload.entry as any)[1].changes[0] })
    expect((await server.webhook(payload)).status).toBe(200)
    expect((await server.webhook(payload)).status).toBe(200)
    const rows = await server.app.db.selectFrom('messages').select('wamid').where('wamid', 'in', [a.id, b.id, c.id]).execute()
    expect(rows).toHaveLength(3)
    const conv = await server.app.db.selectFrom('conversations').innerJoin('contacts', 'contacts.id', 'conversations.contact_id').select(['unread_count', 'last_message_preview']).where('contacts.wa_id', '=', '40722100009').executeTakeFirstOrThrow()
    expect(conv.unread_count).toBe(2)
  })

  it('records value.errors (system-level errors) without failing the batch', async () => {
    const res = await server.webhook(envelope({
      errors: [
        {
          code: 130429,
          title: 'Rate limit hit',
          message: '(#130429) Rate limit hit',
          error_data: { details: 'Cloud API message throughput has been reached.' },
        },
      ],
    }))
    expect(res.status).toBe(200)
    const events = await server.app.db.selectFrom('webhook_events').selectAll().where('kind', '=', 'error').execute()
    expect(events.map(e => e.code)).toContain(130429)
  })

  it('records a message without an id as malformed and stores the rest of the batch', async () => {
    const good = textMessage('40722100011', 'ok')
    const res = await server.webhook(envelope({
      contacts: [
        customer('40722100011', 'M'),
      ],
      messages: [
        {
          from: '40722100011',
          type: 'text',
          text: { body: 'no id' },
        },
        good,
      ],
    }))
    expect(res.status).toBe(200)
    expect(await server.app.db.selectFrom('messages').select('id').where('wamid', '=', good.id).executeTakeFirst()).toBeDefined()
    const events = await server.app.db.selectFrom('webhook_events').selectAll().where('kind', '=', 'malformed').execute()
    expect(events.length).toBeGreaterThan(0)
  })
})
