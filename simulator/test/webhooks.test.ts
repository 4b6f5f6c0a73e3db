import type { Harness } from './helpers.ts'
import { Buffer } from 'node:buffer'
import { createHash, createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { APP_SECRET, DISPLAY_NUMBER, graphCall, PHONE_NUMBER_ID, startHarness, startReceiver, VERIFY_TOKEN, WABA_ID } from './helpers.ts'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const ANA = { waId: '40722123456', name: 'Ana Popescu' }

describe('signature and escaping', () => {
  // Secreto31126/whatsapp-api-js#290: Meta escapes non-ASCII, so verifying a re-serialized body fails.
  it('signs the exact bytes sent, which escape non-ASCII as \\uXXXX and / as \\/', async () => {
    harness = await startHarness()
    await harness.sim.receive(ANA, { type: 'text', body: 'Bună ziua! Cât costă livrarea în Cluj? 😀 https://shop.example.com/p/1' })
    await harness.sim.flush()
    const [post] = harness.hook.posts()
    expect(post).toBeDefined()
    const expected = `sha256=${createHmac('sha256', APP_SECRET).update(post!.raw).digest('hex')}`
    expect(post!.headers['x-hub-signature-256']).toBe(expected)
    expect(post!.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', APP_SECRET).update(post!.raw).digest('hex')}`)
    expect(post!.headers['content-type']).toBe('application/json')
    expect(post!.text).toContain('Bun\\u0103 ziua! C\\u00e2t cost\\u0103 livrarea \\u00een Cluj? \\ud83d\\ude00 https:\\/\\/shop.example.com\\/p\\/1')
    expect([...post!.raw].every(byte => byte < 0x80)).toBe(true)
    expect(post!.json.entry[0].changes[0].value.messages[0].text.body).toBe('Bună ziua! Cât costă livrarea în Cluj? 😀 https://shop.example.com/p/1')
    const reserialized = JSON.stringify(post!.json)
    expect(reserialized).not.toBe(post!.text)
    expect(createHmac('sha256', APP_SECRET).update(reserialized).digest('hex')).not.toBe(expected.slice(7))
  })
})

describe('inbound envelope', () => {
  it('wraps a text message in Meta\'s envelope with contacts, BSUID and string timestamp', async () => {
    harness = await startHarness({
      startTime: Date.UTC(2026, 10, 24, 9, 0, 0),
      frozenClock: true,
    })
    const wamid = await harness.sim.receive(ANA, { type: 'text', body: 'Hi, where is my order #4821?' })
    await harness.sim.flush()
    const body = harness.hook.posts()[0]!.json
    expect(body.object).toBe('whatsapp_business_account')
    expect(body.entry).toHaveLength(1)
    expect(body.entry[0].id).toBe(WABA_ID)
    const change = body.entry[0].changes[0]
    expect(change.field).toBe('messages')
    const value = change.value
    expect(value.messaging_product).toBe('whatsapp')
    expect(value.metadata).toEqual({ display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID })
    expect(value.contacts).toEqual([
      {
        profile: { name: 'Ana Popescu' },
        wa_id: '40722123456',
        user_id: expect.stringMatching(/^US\.\d{20}$/),
      },
    ])
    expect(value.messages).toEqual([
      {
        from: '40722123456',
        from_user_id: value.contacts[0].user_id,
        id: wamid,
        timestamp: String(Date.UTC(2026, 10, 24, 9, 0, 0) / 1000),
        type: 'text',
        text: { body: 'Hi, where is my order #4821?' },
      },
    ])
    expect(wamid).toMatch(/^wamid\.[A-Za-z0-9+/]+=*$/)
    // The wamid embeds the customer's number like Meta's (protobuf-ish, base64).
    expect(Buffer.from(wamid.slice(6), 'base64').toString('latin1')).toContain('40722123456')
    expect(value.statuses).toBeUndefined()
  })

  const cases: [string, Parameters<Harness['sim']['receive']>[1], (message: any) => void][] = [
    [
      'image with caption',
      { type: 'image', caption: 'Poza coletului 📦' },
      (m) => {
        expect(m.type).toBe('image')
        expect(m.image).toMatchObject({
          caption: 'Poza coletului 📦',
          mime_type: 'image/jpeg',
          id: expect.stringMatching(/^\d{16}$/),
        })
        expect(m.image.sha256).toMatch(/^[A-Z0-9+/]{43}=$/i)
        expect(m.image.url).toContain('/whatsapp_business/attachments/?mid=')
      },
    ],
    [
      'video',
      { type: 'video', caption: 'unboxing' },
      (m) => {
        expect(m.video).toMatchObject({ caption: 'unboxing', mime_type: 'video/mp4' })
      },
    ],
    [
      'animated sticker',
      { type: 'sticker', animated: true },
      (m) => {
        expect(m.sticker).toMatchObject({ mime_type: 'image/webp', animated: true })
        expect(m.sticker.caption).toBeUndefined()
      },
    ],
    [
      'document with a non-ASCII filename',
      { type: 'document', filename: 'Currículum café.pdf', caption: 'CV' },
      (m) => {
        expect(m.document).toMatchObject({ filename: 'Currículum café.pdf', caption: 'CV', mime_type: 'application/pdf' })
      },
    ],
    [
      'voice note',
      { type: 'audio', voice: true },
      (m) => {
        expect(m.audio).toMatchObject({ mime_type: 'audio/ogg; codecs=opus', voice: true })
        expect(m.audio.caption).toBeUndefined()
      },
    ],
    [
      'location',
      {
        type: 'location',
        latitude: 46.7712,
        longitude: 23.6236,
        name: 'Piața Unirii',
        address: 'Cluj-Napoca',
      },
      (m) => {
        expect(m.location).toEqual({
          latitude: 46.7712,
          longitude: 23.6236,
          name: 'Piața Unirii',
          address: 'Cluj-Napoca',
        })
      },
    ],
    [
      'contacts',
      {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ion Ionescu', first_name: 'Ion' },
            phones: [
              { phone: '+40 744 000 111', wa_id: '40744000111', type: 'CELL' },
            ],
          },
        ],
      },
      (m) => {
        expect(m.contacts[0].name.formatted_name).toBe('Ion Ionescu')
        expect(m.contacts[0].phones[0].wa_id).toBe('40744000111')
      },
    ],
    [
      'button reply',
      {
        type: 'button_reply',
        id: 'yes',
        title: 'Da',
        contextId: 'wamid.ctx1',
      },
      (m) => {
        expect(m.type).toBe('interactive')
        expect(m.interactive).toEqual({
          type: 'button_reply',
          button_reply: { id: 'yes', title: 'Da' },
        })
        expect(m.context).toEqual({ from: DISPLAY_NUMBER, id: 'wamid.ctx1' })
      },
    ],
    [
      'list reply',
      {
        type: 'list_reply',
        id: 'cluj',
        title: 'Cluj',
        description: 'Livrare 24h',
        contextId: 'wamid.ctx2',
      },
      (m) => {
        expect(m.interactive).toEqual({
          type: 'list_reply',
          list_reply: { id: 'cluj', title: 'Cluj', description: 'Livrare 24h' },
        })
        expect(m.context.id).toBe('wamid.ctx2')
      },
    ],
    [
      'template quick-reply button',
      {
        type: 'button',
        payload: 'TRACK_4821',
        text: 'Track order',
        contextId: 'wamid.tpl',
      },
      (m) => {
        expect(m.type).toBe('button')
        expect(m.button).toEqual({ payload: 'TRACK_4821', text: 'Track order' })
        expect(m.context).toEqual({ from: DISPLAY_NUMBER, id: 'wamid.tpl' })
      },
    ],
    [
      'reaction',
      { type: 'reaction', messageId: 'wamid.biz', emoji: '❤️' },
      (m) => {
        expect(m.reaction).toEqual({ message_id: 'wamid.biz', emoji: '❤️' })
      },
    ],
    [
      'reaction removal',
      { type: 'reaction', messageId: 'wamid.biz' },
      (m) => {
        expect(m.reaction).toEqual({ message_id: 'wamid.biz' })
      },
    ],
    [
      'unsupported',
      { type: 'unsupported', unsupportedType: 'poll_creation' },
      (m) => {
        expect(m.unsupported).toEqual({ type: 'poll_creation' })
        expect(m.errors).toEqual([
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
            href: expect.any(String),
          },
        ])
      },
    ],
    [
      'reply quoting a business message',
      {
        type: 'text',
        body: 'Mulțumesc!',
        context: { id: 'wamid.quoted' },
      },
      (m) => {
        expect(m.context).toEqual({ from: DISPLAY_NUMBER, id: 'wamid.quoted' })
      },
    ],
    [
      'forwarded',
      {
        type: 'text',
        body: 'fwd',
        context: { frequently_forwarded: true },
      },
      (m) => {
        expect(m.context).toEqual({ frequently_forwarded: true })
      },
    ],
    [
      'order',
      {
        type: 'order',
        catalogId: 'cat1',
        text: 'pls',
        productItems: [
          {
            product_retailer_id: 'sku-1',
            quantity: 2,
            item_price: 49.5,
            currency: 'RON',
          },
        ],
      },
      (m) => {
        expect(m.order).toEqual({
          catalog_id: 'cat1',
          text: 'pls',
          product_items: [
            {
              product_retailer_id: 'sku-1',
              quantity: 2,
              item_price: 49.5,
              currency: 'RON',
            },
          ],
        })
      },
    ],
    [
      'ad referral',
      {
        type: 'text',
        body: 'Salut',
        referral: { source_type: 'ad', source_id: '120', headline: 'Reduceri' },
      },
      (m) => {
        expect(m.referral).toEqual({ source_type: 'ad', source_id: '120', headline: 'Reduceri' })
      },
    ],
  ]

  it.each(cases)('%s', async (_name, input, check) => {
    harness = await startHarness()
    const wamid = await harness.sim.receive(ANA, input)
    await harness.sim.flush()
    const value = harness.values()[0]
    expect(value.contacts[0].wa_id).toBe('40722123456')
    const message = value.messages[0]
    expect(message.id).toBe(wamid)
    expect(message.from).toBe('40722123456')
    expect(typeof message.timestamp).toBe('string')
    expect(message.type).toBe(input.type === 'button_reply' || input.type === 'list_reply'
      ? 'interactive'
      : input.type)
    check(message)
  })

  it('sends a number change as a system message without contacts, then uses the new number', async () => {
    harness = await startHarness()
    await harness.sim.receive(ANA, { type: 'system_number_change', newWaId: '40733999888' })
    await harness.sim.receive({ waId: '40733999888' }, { type: 'text', body: 'Am număr nou' })
    await harness.sim.flush()
    const [system, text] = harness.values()
    expect(system.contacts).toBeUndefined()
    expect(system.messages[0]).toMatchObject({
      from: '40722123456',
      type: 'system',
      system: { wa_id: '40733999888', type: 'user_changed_number' },
    })
    expect(system.messages[0].system.body).toContain('40733999888')
    expect(text.contacts[0]).toMatchObject({
      wa_id: '40733999888',
      profile: { name: 'Ana Popescu' },
    })
    expect(text.contacts[0].user_id).not.toBe(system.messages[0].from_user_id)
  })

  it('omits from and wa_id for a username-only customer', async () => {
    harness = await startHarness()
    await harness.sim.receive({ userId: 'US.13491208655302741918', username: 'mihai.c', name: 'Mihai' }, { type: 'text', body: 'Salut' })
    await harness.sim.flush()
    const value = harness.values()[0]
    expect(value.contacts).toEqual([
      {
        profile: { name: 'Mihai', username: 'mihai.c' },
        user_id: 'US.13491208655302741918',
      },
    ])
    expect(value.messages[0].from).toBeUndefined()
    expect(value.messages[0].from_user_id).toBe('US.13491208655302741918')
  })

  it('serves inbound media bytes whose sha256 matches the webhook', async () => {
    harness = await startHarness()
    const bytes = new TextEncoder().encode('fake-jpeg-bytes')
    await harness.sim.receive(ANA, { type: 'image', bytes, mimeType: 'image/jpeg' })
    await harness.sim.flush()
    const image = harness.messages()[0].image
    expect(image.sha256).toBe(createHash('sha256').update(bytes).digest('base64'))
    const meta = await harness.graph('GET', `/v25.0/${image.id}`)
    expect(meta.status).toBe(200)
    const download = await graphCall(harness.sim.url, 'GET', meta.json.url)
    expect(download.status).toBe(200)
    expect(download.text).toBe('fake-jpeg-bytes')
    // A default file is a real JPEG.
    const id = harness.sim.media.put(new Uint8Array([1, 2, 3]), 'image/png')
    expect((await harness.graph('GET', `/v25.0/${id}`)).json.file_size).toBe(3)
  })

  it('generates well-formed default media files', async () => {
    harness = await startHarness()
    await harness.sim.receive(ANA, { type: 'image' })
    await harness.sim.receive(ANA, { type: 'audio', voice: true })
    await harness.sim.flush()
    const [image, audio] = harness.messages()
    const jpeg = await fetchMedia(harness, image.image.id)
    expect([
      ...jpeg.subarray(0, 3),
    ]).toEqual([0xFF, 0xD8, 0xFF])
    expect([
      ...jpeg.subarray(-2),
    ]).toEqual([0xFF, 0xD9])
    const ogg = await fetchMedia(harness, audio.audio.id)
    expect(ogg.subarray(0, 4).toString('latin1')).toBe('OggS')
    expect(ogg.toString('latin1')).toContain('OpusHead')
  })
})

async function fetchMedia(h: Harness, id: string) {
  const meta = await h.graph('GET', `/v25.0/${id}`)
  const response = await fetch(meta.json.url, {
    headers: { Authorization: `Bearer ${h.sim.config.accessToken}` },
  })
  return Buffer.from(await response.arrayBuffer())
}

describe('batching', () => {
  it('packs several updates into one POST spanning several entries and changes, deterministically', async () => {
    const layouts: string[] = []
    for (let run = 0; run < 2; run++) {
      harness = await startHarness({
        seed: 7,
        batch: { maxItems: 8, maxDelayMs: 60_000 },
      })
      for (let i = 0; i < 8; i++)
        await harness.sim.receive({ waId: `4072200000${i % 3}`, name: `Client ${i % 3}` }, { type: 'text', body: `mesaj ${i}` })
      expect(harness.hook.posts()).toHaveLength(0)
      await waitFor(() => harness!.hook.posts().length === 1)
      const body = harness.hook.posts()[0]!.json
      expect(body.entry.length).toBeGreaterThan(1)
      expect(body.entry.every((entry: any) => entry.id === WABA_ID)).toBe(true)
      const changes = body.entry.flatMap((entry: any) => entry.changes)
      expect(changes.length).toBeGreaterThan(body.entry.length - 1)
      expect(harness.messages().map(m => m.text.body)).toEqual(Array.from({ length: 8 }, (_, i) => `mesaj ${i}`))
      // Every value's contacts cover exactly the senders of its messages.
      for (const value of harness.values())
        expect(new Set(value.contacts.map((c: any) => c.wa_id))).toEqual(new Set(value.messages.map((m: any) => m.from)))
      layouts.push(JSON.stringify(body.entry.map((entry: any) => entry.changes.map((change: any) => change.value.messages.length))))
      await harness.close()
      harness = undefined
    }
    expect(layouts[0]).toBe(layouts[1])
  })

  it('closes a batch when its time window ends', async () => {
    harness = await startHarness({
      batch: { maxItems: 100, maxDelayMs: 40 },
    })
    await harness.sim.receive(ANA, { type: 'text', body: 'unu' })
    await harness.sim.receive(ANA, { type: 'text', body: 'doi' })
    expect(harness.hook.posts()).toHaveLength(0)
    await harness.sim.idle()
    expect(harness.hook.posts()).toHaveLength(1)
    expect(harness.messages()).toHaveLength(2)
  })

  it('holds updates until a webhook URL is set', async () => {
    harness = await startHarness({ webhookUrl: undefined })
    await harness.sim.receive(ANA, { type: 'text', body: 'hello?' })
    await harness.sim.idle()
    expect(harness.sim.deliveries).toHaveLength(0)
    harness.sim.setWebhookUrl(harness.hook.url)
    await harness.sim.flush()
    expect(harness.messages().map(m => m.text.body)).toEqual(['hello?'])
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 5000) {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error('timed out')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

describe('duplicates', () => {
  async function duplicatePattern(seed: number) {
    const h = await startHarness({ seed, duplicateRate: 0.5 })
    for (let i = 0; i < 16; i++)
      await h.sim.receive(ANA, { type: 'text', body: `m${i}` })
    await h.sim.flush()
    await h.sim.idle()
    const pattern = h.sim.deliveries.map(d => `${d.id}${d.duplicate ? 'd' : ''}`).join(' ')
    const posts = h.hook.posts()
    await h.close()
    return { pattern, posts, deliveries: h.sim.deliveries }
  }

  it('delivers some POSTs twice with identical bytes and signature, the same way for a seed', async () => {
    const first = await duplicatePattern(3)
    const second = await duplicatePattern(3)
    const other = await duplicatePattern(4)
    expect(first.pattern).toBe(second.pattern)
    expect(first.pattern).not.toBe(other.pattern)
    const duplicates = first.deliveries.filter(d => d.duplicate)
    expect(duplicates.length).toBeGreaterThan(2)
    expect(duplicates.length).toBeLessThan(14)
    expect(first.posts).toHaveLength(16 + duplicates.length)
    for (const duplicate of duplicates) {
      const original = first.deliveries.find(d => d.id === duplicate.id && !d.duplicate)!
      expect(duplicate.body).toBe(original.body)
    }
    // The duplicate follows its original directly, with the same signature.
    const index = first.posts.findIndex((post, i) => i > 0 && post.text === first.posts[i - 1]!.text)
    expect(index).toBeGreaterThan(0)
    expect(first.posts[index]!.headers['x-hub-signature-256']).toBe(first.posts[index - 1]!.headers['x-hub-signature-256'])
  })
})

describe('redelivery', () => {
  it('retries after a 500 on the configured delays, then succeeds', async () => {
    harness = await startHarness({
      frozenClock: true,
      retryDelaysMs: [1000, 5000],
    }, (_request, index) => (index < 2
      ? 500
      : 200))
    await harness.sim.receive(ANA, { type: 'text', body: 'retry me' })
    await harness.sim.flush()
    expect(harness.sim.deliveries.map(d => d.status)).toEqual([500])
    harness.sim.clock.advance(999)
    await harness.sim.flush()
    // flush() fires pending retries early too; check the delay by advancing instead on the next one.
    expect(harness.sim.deliveries.map(d => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
    ])
    harness.sim.clock.advance(4999)
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(harness.sim.deliveries).toHaveLength(2)
    harness.sim.clock.advance(1)
    await harness.sim.idle()
    expect(harness.sim.deliveries.map(d => [d.id, d.attempt, d.status])).toEqual([
      [1, 1, 500],
      [1, 2, 500],
      [1, 3, 200],
    ])
    const bodies = new Set(harness.hook.posts().map(post => post.text))
    expect(bodies.size).toBe(1)
    expect(harness.sim.dropped).toHaveLength(0)
  })

  it('waits the first retry delay on the simulator clock', async () => {
    harness = await startHarness({
      frozenClock: true,
      retryDelaysMs: [1000],
    }, (_request, index) => (index === 0
      ? 503
      : 200))
    await harness.sim.receive(ANA, { type: 'text', body: 'x' })
    await harness.sim.flush()
    harness.sim.clock.advance(999)
    await new Promise(resolve => setTimeout(resolve, 30))
    expect(harness.sim.deliveries).toHaveLength(1)
    harness.sim.clock.advance(1)
    await harness.sim.idle()
    expect(harness.sim.deliveries.map(d => d.status)).toEqual([503, 200])
  })

  it('gives up after the last retry and records the dropped payload', async () => {
    harness = await startHarness({
      retryDelaysMs: [5, 10],
    }, () => 500)
    await harness.sim.receive(ANA, { type: 'text', body: 'lost' })
    await harness.sim.idle()
    expect(harness.sim.deliveries.map(d => d.attempt)).toEqual([1, 2, 3])
    expect(harness.sim.deliveries.at(-1)!.gaveUp).toBe(true)
    expect(harness.sim.dropped).toHaveLength(1)
    expect(JSON.parse(harness.sim.dropped[0]!.body).entry[0].changes[0].value.messages[0].text.body).toBe('lost')
  })

  it('treats a refused connection as a network error and retries', async () => {
    const dead = await startReceiver()
    await dead.close()
    harness = await startHarness({
      webhookUrl: dead.url,
      retryDelaysMs: [5],
    })
    await harness.sim.receive(ANA, { type: 'text', body: 'anyone?' })
    await harness.sim.idle()
    expect(harness.sim.deliveries.map(d => d.status)).toEqual(['network_error', 'network_error'])
    expect(harness.sim.dropped).toHaveLength(1)
  })
})

describe('handshake and raw deliveries', () => {
  it('performs the GET verification handshake with a plain-text challenge', async () => {
    harness = await startHarness({}, (request) => {
      const query = new URL(request.url, 'http://x').searchParams
      if (request.method !== 'GET')
        return 200
      if (query.get('hub.mode') === 'subscribe' && query.get('hub.verify_token') === VERIFY_TOKEN) {
        return {
          status: 200,
          body: query.get('hub.challenge')!,
        }
      }
      return 403
    })
    const ok = await harness.sim.handshake()
    expect(ok.status).toBe(200)
    expect(ok.verified).toBe(true)
    expect(ok.body).toBe(ok.challenge)
    expect(ok.challenge).toMatch(/^\d{10}$/)
    const bad = await harness.sim.handshake('wrong-token')
    expect(bad).toMatchObject({ status: 403, verified: false })
    const query = new URL(harness.hook.requests[1]!.url, 'http://x').searchParams
    expect(query.get('hub.verify_token')).toBe('wrong-token')
  })

  it('delivers raw bodies signed, unsigned or with a forged signature and returns the answer', async () => {
    harness = await startHarness({}, request => (request.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', APP_SECRET).update(request.raw).digest('hex')}`
      ? 200
      : 401))
    expect(await harness.sim.deliverRaw('{"object":"whatsapp_business_account","entry":[]}')).toEqual({ status: 200, body: 'EVENT_RECEIVED' })
    expect((await harness.sim.deliverRaw({ hello: 'wörld' }, { signature: null })).status).toBe(401)
    expect((await harness.sim.deliverRaw('{not json', { signature: 'sha256=deadbeef' })).status).toBe(401)
    const [signed, unsigned, forged] = harness.hook.posts()
    expect(signed!.text).toBe('{"object":"whatsapp_business_account","entry":[]}')
    expect(unsigned!.text).toBe('{"hello":"w\\u00f6rld"}')
    expect(unsigned!.headers['x-hub-signature-256']).toBeUndefined()
    expect(forged!.headers['x-hub-signature-256']).toBe('sha256=deadbeef')
    expect(harness.sim.deliveries.map(d => [d.raw, d.status])).toEqual([
      [true, 200],
      [true, 401],
      [true, 401],
    ])
  })

  it('emits value.errors and other webhook fields', async () => {
    harness = await startHarness()
    harness.sim.emitError(130429)
    harness.sim.emitChange('message_template_status_update', {
      event: 'APPROVED',
      message_template_id: 1,
      message_template_name: 'order_update',
      message_template_language: 'ro',
    })
    await harness.sim.flush()
    const [errors, template] = harness.hook.posts().map(post => post.json.entry[0].changes[0])
    expect(errors.field).toBe('messages')
    expect(errors.value.errors).toEqual([
      {
        code: 130429,
        title: 'Rate limit hit',
        message: 'Rate limit hit',
        error_data: { details: 'Cloud API message throughput has been reached.' },
      },
    ])
    expect(template).toEqual({
      value: {
        event: 'APPROVED',
        message_template_id: 1,
        message_template_name: 'order_update',
        message_template_language: 'ro',
      },
      field: 'message_template_status_update',
    })
  })
})
