/**
 * Agents' messages go out through the queue and the worker to the simulator over real HTTP:
 * Meta's request shapes, the 24-hour window, idempotent client ids, templates, media, reactions,
 * read receipts.
 */
import type { Pair } from '../with-simulator.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, json } from '../helper.ts'
import { pullAll } from '../team.ts'
import { clientId, customerWrites, messageRow, messageUntil, send, sendsTo, startPair } from '../with-simulator.ts'

let pair: Pair
beforeAll(async () => {
  pair = await startPair()
  const res = await pair.server.api('/api/templates/sync', { method: 'POST' })
  expect(res.status).toBe(200)
})
afterAll(async () => pair.close())

describe('text replies', () => {
  it('queues the message as pending, sends it in Meta\'s shape, and moves its ticks forward to read', async () => {
    const { conversationId } = await customerWrites(pair, '40711000001', 'Unde este comanda mea?')
    const res = await send(pair, conversationId, { type: 'text', text: 'Comanda a plecat azi: https://curier.ro/t/123' })
    expect(res.status).toBe(201)
    const queued = await json(res)
    expect(queued).toMatchObject({
      direction: 'out',
      type: 'text',
      status: 'pending',
      wamid: null,
      content: { body: 'Comanda a plecat azi: https://curier.ro/t/123', previewUrl: true },
    })

    const sent = await messageUntil(pair, queued.id, r => r.wamid !== null, 'the wamid')
    const request = sendsTo(pair, '40711000001').at(-1)!
    expect(request.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+40711000001',
      type: 'text',
      text: { body: 'Comanda a plecat azi: https://curier.ro/t/123', preview_url: true },
    })
    expect(sent.wamid).toBe(request.wamid)
    await messageUntil(pair, queued.id, r => r.status === 'delivered', 'delivered')
    pair.sim.markRead(sent.wamid!)
    await pair.sim.flush()
    const read = await messageUntil(pair, queued.id, r => r.status === 'read', 'read')
    expect(read.sent_at).not.toBeNull()
    expect(read.delivered_at).not.toBeNull()
    expect(read.read_at).not.toBeNull()
    const conversation = await json(await pair.server.api(`/api/conversations/${conversationId}`))
    expect(conversation).toMatchObject({ lastMessageDirection: 'out', lastMessagePreview: 'Comanda a plecat azi: https://curier.ro/t/123' })
  })

  it('quotes the message it replies to', async () => {
    const { conversationId, messageId, wamid } = await customerWrites(pair, '40711000002', 'Aveți mărimea M?')
    const res = await send(pair, conversationId, { type: 'text', text: 'Da, avem.', replyTo: messageId })
    expect(res.status).toBe(201)
    const message = await json(res)
    expect(message.context).toEqual({ id: wamid, messageId })
    await messageUntil(pair, message.id, r => r.wamid !== null, 'sent')
    expect(sendsTo(pair, '40711000002').at(-1)!.body).toMatchObject({
      context: { message_id: wamid },
      text: { body: 'Da, avem.', preview_url: false },
    })
  })

  it('never sends twice for the same client id, even for concurrent retries', async () => {
    const { conversationId } = await customerWrites(pair, '40711000003')
    const id = clientId()
    const body = { clientId: id, type: 'text', text: 'once only' }
    const answers = await Promise.all([1, 2, 3].map(() => pair.server.api(`/api/conversations/${conversationId}/messages`, { json: body })))
    const messages = await Promise.all(answers.map(a => json(a)))
    expect(new Set(messages.map(m => m.id)).size).toBe(1)
    expect(answers.map(a => a.status).sort()).toEqual([200, 200, 201])
    await messageUntil(pair, messages[0].id, r => r.wamid !== null, 'sent')
    const again = await pair.server.api(`/api/conversations/${conversationId}/messages`, { json: body })
    expect(again.status).toBe(200)
    expect((await json(again)).status).not.toBe('pending')
    await pair.sim.idle()
    expect(sendsTo(pair, '40711000003').filter(s => (s.body as any).text?.body === 'once only')).toHaveLength(1)
  })

  it('refuses free-form messages outside the 24-hour window with window_closed, and sends nothing', async () => {
    const dayAgo = Math.floor(Date.now() / 1000) - 25 * 3600
    const { conversationId, messageId } = await customerWrites(pair, '40711000004', 'old message', { timestamp: dayAgo })
    const before = sendsTo(pair, '40711000004').length
    for (const body of [
      { type: 'text', text: 'too late' },
      { type: 'reaction', messageId, emoji: '👍' },
    ]) {
      const res = await send(pair, conversationId, body)
      expect(res.status).toBe(422)
      const error = (await json(res)).error
      expect(error.code).toBe('window_closed')
      expect(error.details.windowExpiresAt).toBe((dayAgo + 24 * 3600) * 1000)
    }
    const template = await send(pair, conversationId, {
      type: 'template',
      template: {
        name: 'payment_received',
        language: 'en',
        body: [
          { type: 'text', text: '120 RON' },
          { type: 'text', text: '#4821' },
        ],
      },
    })
    expect(template.status).toBe(201)
    const message = await json(template)
    expect(message.content.body).toBe('We received your payment of 120 RON for order #4821. Thank you!')
    const sent = await messageUntil(pair, message.id, r => r.wamid !== null, 'template sent')
    expect(sendsTo(pair, '40711000004').length).toBe(before + 1)
    expect(sendsTo(pair, '40711000004').at(-1)!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'payment_received',
        language: { code: 'en' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: '120 RON' },
              { type: 'text', text: '#4821' },
            ],
          },
        ],
      },
    })
    expect(sent.status).not.toBe('failed')
  })
})

describe('many customers at once', () => {
  it('sends to more customers than the worker has slots, without stalling', async () => {
    // 40 recipients > 32 concurrent sends: a saturated worker once spun and starved its own sockets.
    const conversations = await Promise.all(Array.from({ length: 40 }, (_, i) => customerWrites(pair, `4071500${String(i).padStart(4, '0')}`)))
    const messages = await Promise.all(conversations.map(async c => json(await send(pair, c.conversationId, { type: 'text', text: 'ofertă' }))))
    for (const m of messages)
      await messageUntil(pair, m.id, r => r.wamid !== null, 'sent')
    expect(pair.sim.outbound.filter(s => (s.body as any).text?.body === 'ofertă' && s.wamid)).toHaveLength(40)
  })
})

describe('templates', () => {
  it('lists the synced templates with every status, across pages', async () => {
    const list = await json(await pair.server.api('/api/templates'))
    const byKey = new Map(list.items.map((t: any) => [`${t.name}/${t.language}`, t]))
    expect(byKey.size).toBe(pair.sim.templates.length)
    expect(byKey.get('order_update/ro')).toMatchObject({ status: 'APPROVED', category: 'UTILITY', parameterFormat: 'POSITIONAL' })
    expect(byKey.get('cart_reminder/en')).toMatchObject({ status: 'PAUSED' })
    expect(byKey.get('appointment_reminder/en')).toMatchObject({ parameterFormat: 'NAMED' })
  })

  it('follows paging.next through a large template library, and drops templates deleted at Meta', async () => {
    const { defaultTemplates } = await import('../../../simulator/src/index.ts')
    const base = defaultTemplates()
    const many = Array.from({ length: 130 }, (_, i) => ({
      ...base[i % base.length]!,
      id: String(9_000_000 + i),
      name: `bulk_${String(i).padStart(3, '0')}`,
    }))
    const other = await startPair({
      sim: { templates: many },
    })
    try {
      expect(await json(await other.server.api('/api/templates/sync', { method: 'POST' }))).toEqual({ synced: 130 })
      expect((await json(await other.server.api('/api/templates'))).items).toHaveLength(130)
      const before = await pullAll(other.server.api)
      const removed = other.sim.templates.splice(0, 30).map(t => t.name)
      expect(await json(await other.server.api('/api/templates/sync', { method: 'POST' }))).toEqual({ synced: 100 })
      const names = (await json(await other.server.api('/api/templates'))).items.map((t: any) => t.name)
      expect(names).toHaveLength(100)
      expect(names).not.toContain('bulk_000')
      // Agents' extensions learn both through sync: the removed ones as deletions.
      const pulled = await pullAll(other.server.api, before.cursor)
      const templates = pulled.changes.filter(c => c.kind === 'template')
      expect(templates.filter(c => c.op === 'delete')).toHaveLength(30)
      expect(templates.filter(c => c.op === 'upsert')).toHaveLength(100)
      expect(templates.filter(c => c.op === 'upsert').map(c => c.data.name)).not.toContain(removed[0])
    }
    finally {
      await other.close()
    }
  })

  it.each([
    [
      'an unknown name',
      { name: 'no_such_template', language: 'en' },
      422,
      'template_not_found',
    ],
    [
      'a language it does not exist in',
      { name: 'payment_received', language: 'de' },
      422,
      'template_not_found',
    ],
    [
      'a paused template',
      {
        name: 'cart_reminder',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana' },
        ],
      },
      422,
      'template_not_approved',
    ],
    [
      'a rejected template',
      { name: 'black_friday', language: 'en' },
      422,
      'template_not_approved',
    ],
    [
      'a URL button without its parameter',
      {
        name: 'feedback_request',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana' },
        ],
      },
      400,
      'template_params_mismatch',
    ],
    [
      'an image header without its image',
      {
        name: 'order_update',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana' },
          { type: 'text', text: '#1' },
          { type: 'text', text: 'mai' },
        ],
      },
      400,
      'template_params_mismatch',
    ],
    [
      'too few parameters',
      {
        name: 'payment_received',
        language: 'en',
        body: [
          { type: 'text', text: '1' },
        ],
      },
      400,
      'template_params_mismatch',
    ],
    [
      'a missing named parameter',
      {
        name: 'appointment_reminder',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana', name: 'customer_name' },
          { type: 'text', text: 'x', name: 'date' },
          { type: 'text', text: 'y', name: 'wrong' },
        ],
      },
      400,
      'template_params_mismatch',
    ],
  ])('refuses %s before sending', async (_, template, status, code) => {
    const { conversationId } = await customerWrites(pair, '40711000006')
    const res = await send(pair, conversationId, { type: 'template', template })
    expect(res.status).toBe(status)
    expect((await json(res)).error.code).toBe(code)
  })

  it('sends a named-parameter template with parameter names', async () => {
    const { conversationId } = await customerWrites(pair, '40711000007')
    const body = [
      { type: 'text', text: 'Ana', name: 'customer_name' },
      { type: 'text', text: '12 mai', name: 'date' },
      { type: 'text', text: '10:30', name: 'time' },
    ]
    const res = await send(pair, conversationId, {
      type: 'template',
      template: { name: 'appointment_reminder', language: 'ro', body },
    })
    expect(res.status).toBe(201)
    const message = await json(res)
    const row = await messageUntil(pair, message.id, r => r.wamid !== null || r.status === 'failed', 'sent')
    expect(row.status).not.toBe('failed')
    expect((sendsTo(pair, '40711000007').at(-1)!.body as any).template.components[0].parameters).toEqual([
      { type: 'text', text: 'Ana', parameter_name: 'customer_name' },
      { type: 'text', text: '12 mai', parameter_name: 'date' },
      { type: 'text', text: '10:30', parameter_name: 'time' },
    ])
  })
})

describe('media, reactions and read receipts', () => {
  it('uploads through the server, sends by media id, and downloads inbound media through the server', async () => {
    const { conversationId } = await customerWrites(pair, '40711000008')
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
    const form = new FormData()
    form.set('file', new Blob([png], { type: 'image/png' }), 'poză.png')
    const upload = await pair.server.api(`/api/conversations/${conversationId}/media`, { method: 'POST', body: form })
    expect(upload.status).toBe(201)
    const media = await json(upload)
    expect(media).toMatchObject({ mimeType: 'image/png', filename: 'poză.png', size: png.length })
    const res = await send(pair, conversationId, { type: 'image', mediaId: media.id, caption: 'Iată produsul' })
    expect(res.status).toBe(201)
    const message = await json(res)
    await messageUntil(pair, message.id, r => r.wamid !== null, 'image sent')
    const body = sendsTo(pair, '40711000008').at(-1)!.body as any
    expect(body.type).toBe('image')
    expect(body.image.caption).toBe('Iată produsul')
    expect(body.image.id).toBe(message.content.mediaId)
    // The outbound image can be fetched back through the server too.
    const own = await pair.server.api(`/api/messages/${message.id}/media`)
    expect(own.status).toBe(200)
    expect(Buffer.from(await own.arrayBuffer())).toEqual(png)

    const photo = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex')
    const inbound = await pair.sim.receive({ waId: '40711000008' }, {
      type: 'image',
      bytes: photo,
      mimeType: 'image/jpeg',
      caption: 'asta?',
    })
    await pair.sim.flush()
    const row = await eventually(() => pair.server.app.db.selectFrom('messages').select('id').where('wamid', '=', inbound).executeTakeFirst(), 5000, 'inbound image')
    const download = await pair.server.api(`/api/messages/${row.id}/media`)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('image/jpeg')
    expect(download.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await download.arrayBuffer())).toEqual(photo)
  })

  it('refuses media WhatsApp would refuse, before uploading', async () => {
    const { conversationId } = await customerWrites(pair, '40711000009')
    const html = new FormData()
    html.set('file', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'x.html')
    const a = await pair.server.api(`/api/conversations/${conversationId}/media`, { method: 'POST', body: html })
    expect(a.status).toBe(415)
    expect((await json(a)).error.code).toBe('media_type_unsupported')
    const big = new FormData()
    big.set('file', new Blob([
      new Uint8Array(5 * 1024 * 1024 + 1),
    ], { type: 'image/jpeg' }), 'big.jpg')
    const b = await pair.server.api(`/api/conversations/${conversationId}/media`, { method: 'POST', body: big })
    expect(b.status).toBe(413)
    expect((await json(b)).error).toMatchObject({
      code: 'media_too_large',
      details: { maxBytes: 5 * 1024 * 1024 },
    })
    const c = await send(pair, conversationId, { type: 'image', mediaId: 'not-an-upload' })
    expect(c.status).toBe(400)
    expect((await json(c)).error).toMatchObject({ code: 'invalid_request', field: 'mediaId' })
  })

  it('reacts to a customer message and removes the reaction', async () => {
    const { conversationId, messageId, wamid } = await customerWrites(pair, '40711000010')
    for (const emoji of ['🙏', '']) {
      const res = await send(pair, conversationId, { type: 'reaction', messageId, emoji })
      expect(res.status).toBe(201)
      await messageUntil(pair, (await json(res)).id, r => r.wamid !== null, 'reaction sent')
      expect(sendsTo(pair, '40711000010').at(-1)!.body).toMatchObject({
        type: 'reaction',
        reaction: { message_id: wamid, emoji },
      })
    }
  })

  it('marks the conversation read on WhatsApp and resets unread', async () => {
    const { conversationId } = await customerWrites(pair, '40711000011', 'unu')
    const last = await customerWrites(pair, '40711000011', 'doi')
    expect((await json(await pair.server.api(`/api/conversations/${conversationId}`))).unreadCount).toBe(2)
    const res = await pair.server.api(`/api/conversations/${conversationId}/read`, { method: 'POST' })
    expect(await json(res)).toEqual({ receiptQueued: true })
    await eventually(async () => pair.sim.outbound.some(s => (s.body as any)?.status === 'read' && (s.body as any)?.message_id === last.wamid), 5000, 'the read receipt')
    expect((await json(await pair.server.api(`/api/conversations/${conversationId}`))).unreadCount).toBe(0)
  })
})

describe('history', () => {
  it('pages a conversation\'s history newest first with a cursor', async () => {
    const { conversationId } = await customerWrites(pair, '40711000012', 'm0', {
      timestamp: Math.floor(Date.now() / 1000),
    })
    for (let i = 1; i < 5; i++)
      await customerWrites(pair, '40711000012', `m${i}`, { timestamp: Math.floor(Date.now() / 1000) + i })
    const first = await json(await pair.server.api(`/api/conversations/${conversationId}/messages?limit=3`))
    expect(first.items.map((m: any) => m.content.body)).toEqual(['m4', 'm3', 'm2'])
    const second = await json(await pair.server.api(`/api/conversations/${conversationId}/messages?limit=3&before=${first.nextCursor}`))
    expect(second.items.map((m: any) => m.content.body)).toEqual(['m1', 'm0'])
    expect(second.nextCursor).toBeNull()
    const row = await messageRow(pair, first.items[0].id)
    expect(row.direction).toBe('in')
  })
})
