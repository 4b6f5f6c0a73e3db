import type { Harness } from './helpers.ts'
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN, MESSAGES_PATH, PHONE_NUMBER_ID, startHarness } from './helpers.ts'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const MEDIA_PATH = `/v25.0/${PHONE_NUMBER_ID}/media`

function form(bytes: Uint8Array, type: string, options: { typeField?: string, product?: string | null, filename?: string } = {}) {
  const data = new FormData()
  if (options.product !== null)
    data.append('messaging_product', options.product ?? 'whatsapp')
  data.append('file', new Blob([
    Buffer.from(bytes),
  ], { type }), options.filename ?? 'file.bin')
  if (options.typeField)
    data.append('type', options.typeField)
  return data
}

describe('upload, retrieve, download, delete', () => {
  it('uploads multipart media, hands out a 5-minute URL that needs the token, and deletes', async () => {
    harness = await startHarness({ frozenClock: true })
    const bytes = new Uint8Array(Array.from({ length: 2048 }, (_, i) => i % 251))
    const upload = await harness.graph('POST', MEDIA_PATH, form(bytes, 'image/png', { filename: 'poză.png' }))
    expect(upload.status).toBe(200)
    expect(upload.json).toEqual({
      id: expect.stringMatching(/^\d{16}$/),
    })
    const id = upload.json.id

    const info = await harness.graph('GET', `/v25.0/${id}`)
    expect(info.status).toBe(200)
    expect(info.json).toEqual({
      messaging_product: 'whatsapp',
      url: expect.stringMatching(new RegExp(`^${harness.sim.url}/whatsapp_business/attachments/\\?mid=${id}&ext=\\d+&hash=`)),
      mime_type: 'image/png',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file_size: 2048,
      id,
    })
    // Like Graph, the URL's slashes are escaped on the wire.
    expect(info.text).toContain('http:\\/\\/127.0.0.1')

    const anonymous = await fetch(info.json.url)
    expect(anonymous.status).toBe(401)
    const wrongToken = await fetch(info.json.url, {
      headers: { Authorization: 'Bearer nope' },
    })
    expect(wrongToken.status).toBe(401)
    const download = await fetch(info.json.url, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true)

    harness.sim.clock.advance(5 * 60 * 1000 - 1000)
    expect((await fetch(info.json.url, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })).status).toBe(200)
    harness.sim.clock.advance(1000)
    expect((await fetch(info.json.url, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })).status).toBe(404)
    const fresh = await harness.graph('GET', `/v25.0/${id}`)
    expect(fresh.json.url).not.toBe(info.json.url)
    expect((await fetch(fresh.json.url, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })).status).toBe(200)

    const tampered = fresh.json.url.replace(/ext=\d+/, 'ext=99999999999')
    expect((await fetch(tampered, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })).status).toBe(404)

    const removed = await harness.graph('DELETE', `/v25.0/${id}`)
    expect(removed.json).toEqual({ success: true })
    const gone = await harness.graph('GET', `/v25.0/${id}`)
    expect(gone.status).toBe(400)
    expect(gone.json.error).toMatchObject({ code: 100, error_subcode: 33 })
    expect((await fetch(fresh.json.url, {
      headers: { Authorization: `Bearer ${ACCESS_TOKEN}` },
    })).status).toBe(404)
  })

  it('scopes media to a phone number when asked', async () => {
    harness = await startHarness()
    const id = harness.sim.media.put(new Uint8Array([1]), 'image/jpeg')
    expect((await harness.graph('GET', `/v25.0/${id}?phone_number_id=${PHONE_NUMBER_ID}`)).status).toBe(200)
    expect((await harness.graph('GET', `/v25.0/${id}?phone_number_id=1`)).json.error.error_subcode).toBe(33)
  })

  it('expires uploaded media after 30 days', async () => {
    harness = await startHarness({ frozenClock: true })
    const id = (await harness.graph('POST', MEDIA_PATH, form(new Uint8Array([1, 2]), 'audio/mpeg'))).json.id
    harness.sim.clock.advance(30 * 24 * 3600 * 1000)
    expect((await harness.graph('GET', `/v25.0/${id}`)).status).toBe(400)
  })

  it('uses the type field when given and accepts ogg opus with codec parameters', async () => {
    harness = await startHarness()
    const upload = await harness.graph('POST', MEDIA_PATH, form(new Uint8Array([1, 2, 3]), 'application/octet-stream', { typeField: 'audio/ogg; codecs=opus' }))
    expect(upload.status).toBe(200)
    expect((await harness.graph('GET', `/v25.0/${upload.json.id}`)).json.mime_type).toBe('audio/ogg; codecs=opus')
  })
})

describe('upload errors', () => {
  const MB = 1024 * 1024
  const cases: [string, () => FormData | string, number, RegExp][] = [
    [
      'unsupported MIME type',
      () => form(new Uint8Array([1]), 'image/gif'),
      131053,
      /Received file of type 'image\/gif'/,
    ],
    [
      'image over 5 MB',
      () => form(new Uint8Array(5 * MB + 1), 'image/jpeg'),
      131053,
      /limit for image is 5242880 bytes/,
    ],
    [
      'sticker over 500 KB',
      () => form(new Uint8Array(500 * 1024 + 1), 'image/webp'),
      131053,
      /sticker/,
    ],
    [
      'empty file',
      () => form(new Uint8Array(0), 'application/pdf'),
      131053,
      /empty/,
    ],
    [
      'missing file',
      () => {
        const data = new FormData()
        data.append('messaging_product', 'whatsapp')
        return data
      },
      131008,
      /file is required/,
    ],
    [
      'missing messaging_product',
      () => form(new Uint8Array([1]), 'image/jpeg', { product: null }),
      131008,
      /messaging_product is required/,
    ],
    [
      'not multipart',
      () => '{"messaging_product":"whatsapp"}',
      100,
      /multipart/,
    ],
  ]

  it.each(cases)('%s', async (_name, body, code, details) => {
    harness = await startHarness()
    const answer = await harness.graph('POST', MEDIA_PATH, body())
    expect(answer.status).toBe(400)
    expect(answer.json.error.code).toBe(code)
    expect(answer.json.error.error_data.details).toMatch(details)
  })

  it('accepts a 16 MB video and a 100 KB static sticker', async () => {
    harness = await startHarness()
    expect((await harness.graph('POST', MEDIA_PATH, form(new Uint8Array(16 * MB), 'video/mp4'))).status).toBe(200)
    expect((await harness.graph('POST', MEDIA_PATH, form(new Uint8Array(100 * 1024), 'image/webp'))).status).toBe(200)
  })
})

describe('sending uploaded media', () => {
  it('delivers an image sent by uploaded id', async () => {
    harness = await startHarness()
    await harness.sim.receive({ waId: '40722123456', name: 'Ana' }, { type: 'text', body: 'Trimiteți poza?' })
    const id = (await harness.graph('POST', MEDIA_PATH, form(new Uint8Array([0xFF, 0xD8, 0xFF, 0xD9]), 'image/jpeg'))).json.id
    const answer = await harness.graph('POST', MESSAGES_PATH, {
      messaging_product: 'whatsapp',
      to: '40722123456',
      type: 'image',
      image: { id, caption: 'Coletul dvs. 📦' },
    })
    expect(answer.status).toBe(200)
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent', 'delivered', 'read'])
  })
})
