import type { TestServer } from '../helper.ts'
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customer, envelope, json, metaJson, startServer, textMessage, WA } from '../helper.ts'

let server: TestServer
beforeAll(async () => {
  server = await startServer({
    env: {
      WEBHOOK_BODY_LIMIT: String(64 * 1024),
    },
  })
})
afterAll(async () => server.close())

async function messageCount(): Promise<number> {
  const row = await server.app.db.selectFrom('messages').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

describe('verification handshake (GET)', () => {
  it('echoes the challenge as plain text when mode and token match', async () => {
    const res = await fetch(`${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${WA.verifyToken}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await res.text()).toBe('1158201444')
  })

  it('echoes an opaque, non-numeric challenge unchanged', async () => {
    const res = await fetch(`${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=abc-XYZ_09&hub.verify_token=${WA.verifyToken}`)
    expect(await res.text()).toBe('abc-XYZ_09')
  })

  it.each([
    ['a wrong token', `hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`],
    ['a wrong mode', `hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${WA.verifyToken}`],
    ['no parameters', ''],
  ])('refuses %s with 403 verify_token_mismatch', async (_, query) => {
    const res = await fetch(`${server.url}/webhooks/whatsapp?${query}`)
    expect(res.status).toBe(403)
    expect((await json(res)).error.code).toBe('verify_token_mismatch')
  })
})

describe('payload signature (POST)', () => {
  const body = () => envelope({
    contacts: [
      customer('40722000001', 'Ioana Ș.'),
    ],
    messages: [
      textMessage('40722000001', 'Bună ziua! Livrați și în Brașov? 🚚 https://exemplu.ro/a'),
    ],
  })

  it('accepts a body signed over its raw bytes, with Meta\'s \\u escapes, and stores the decoded text', async () => {
    const payload = body()
    const raw = metaJson(payload)
    expect(raw).toContain('\\u0103') // ă
    expect(raw).toContain('\\/') // escaped slash
    const res = await server.webhook(raw)
    expect(res.status).toBe(200)
    const stored = await server.app.db.selectFrom('messages').select('content').where('wamid', '=', (payload.entry as any)[0].changes[0].value.messages[0].id).executeTakeFirstOrThrow()
    expect(JSON.parse(stored.content).body).toBe('Bună ziua! Livrați și în Brașov? 🚚 https://exemplu.ro/a')
  })

  it('rejects a signature computed over a re-serialisation of the same JSON', async () => {
    const payload = body()
    const raw = metaJson(payload)
    const reserialised = JSON.stringify(JSON.parse(raw))
    const signature = `sha256=${createHmac('sha256', WA.appSecret).update(reserialised).digest('hex')}`
    const before = await messageCount()
    const res = await server.webhook(raw, { signature })
    expect(res.status).toBe(401)
    expect((await json(res)).error.code).toBe('signature_invalid')
    expect(await messageCount()).toBe(before)
  })

  it.each([
    ['missing', null, 'signature_missing'],
    ['empty', '', 'signature_missing'],
    ['from another secret', `sha256=${createHmac('sha256', 'other-secret').update('x').digest('hex')}`, 'signature_invalid'],
    [
      'without the sha256= prefix',
      createHmac('sha256', WA.appSecret).update('x').digest('hex'),
      'signature_invalid',
    ],
    ['garbage', 'sha256=zzzz', 'signature_invalid'],
  ])('answers 401 for a %s signature and stores nothing', async (_, signature, code) => {
    const before = await messageCount()
    const res = await server.webhook(body(), { signature })
    expect(res.status).toBe(401)
    expect((await json(res)).error.code).toBe(code)
    expect(await messageCount()).toBe(before)
  })

  it('rejects a body altered after signing', async () => {
    const raw = metaJson(body())
    const signature = `sha256=${createHmac('sha256', WA.appSecret).update(raw).digest('hex')}`
    const res = await server.webhook(raw.replace('Bra', 'Cra'), { signature })
    expect(res.status).toBe(401)
  })
})

describe('bad input', () => {
  it('answers 400 invalid_json for a signed body that is not JSON', async () => {
    const res = await server.webhook('{"object": "whatsapp_business_account", "entry": [')
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('invalid_json')
  })

  it.each([
    [
      'no entry array',
      { object: 'whatsapp_business_account' },
    ],
    [
      'a JSON array',
      [1, 2],
    ],
    ['a JSON string', 'hello'],
  ])('answers 400 invalid_payload for %s', async (_, payload) => {
    const res = await server.webhook(JSON.stringify(payload))
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('invalid_payload')
  })

  it('answers 413 payload_too_large for an oversized body and keeps serving', async () => {
    const huge = envelope({
      contacts: [
        customer('40722000002', 'X'),
      ],
      messages: [
        textMessage('40722000002', 'x'.repeat(70 * 1024)),
      ],
    })
    const before = await messageCount()
    const res = await server.webhook(huge)
    expect(res.status).toBe(413)
    expect((await json(res)).error.code).toBe('payload_too_large')
    expect(await messageCount()).toBe(before)
    const health = await fetch(`${server.url}/api/health`)
    expect(await json(health)).toEqual({ status: 'ok', db: server.app.storage.engine })
  })

  it('answers 415 for a non-JSON content type', async () => {
    const res = await fetch(`${server.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-hub-signature-256': 'sha256=00' },
      body: 'hi',
    })
    expect(res.status).toBe(415)
    expect((await json(res)).error.code).toBe('unsupported_media_type')
  })

  it('acknowledges and records a change for an unknown phone number id, storing no message', async () => {
    const payload = envelope({
      phoneNumberId: '999000999',
      contacts: [
        customer('40722000003', 'Y'),
      ],
      messages: [
        textMessage('40722000003', 'hello'),
      ],
    })
    const before = await messageCount()
    const res = await server.webhook(payload)
    expect(res.status).toBe(200)
    expect(await messageCount()).toBe(before)
    const events = await server.app.db.selectFrom('webhook_events').selectAll().where('kind', '=', 'unknown_number').execute()
    expect(events.some(e => e.payload.includes('999000999'))).toBe(true)
  })

  it('acknowledges and records webhook fields it does not handle', async () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WA.wabaId,
          changes: [
            {
              field: 'message_template_status_update',
              value: { event: 'APPROVED', message_template_name: 'order_update' },
            },
          ],
        },
      ],
    }
    const res = await server.webhook(payload)
    expect(res.status).toBe(200)
    const events = await server.app.db.selectFrom('webhook_events').selectAll().where('kind', '=', 'unknown_field').execute()
    expect(events.map(e => e.field)).toContain('message_template_status_update')
  })
})
