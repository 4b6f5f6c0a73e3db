/**
 * The API's guard rails: bearer sessions, clear 4xx codes naming the field, 404 for unknown ids,
 * rate-limited logins, and the OpenAPI document derived from the same schemas.
 */
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, customer, envelope, json, login, startServer, textMessage } from '../helper.ts'

let server: TestServer
let conversationId: string
beforeAll(async () => {
  server = await startServer()
  await server.webhook(envelope({
    contacts: [
      customer('40714000001', 'Ana'),
    ],
    messages: [
      textMessage('40714000001', 'hi'),
    ],
  }))
  conversationId = (await json(await server.api('/api/conversations'))).items[0].id
})
afterAll(async () => server.close())

describe('health', () => {
  it('answers {status, db} without a session', async () => {
    const res = await fetch(`${server.url}/api/health`)
    expect(res.status).toBe(200)
    expect(await json(res)).toEqual({ status: 'ok', db: server.app.storage.engine })
  })
})

describe('sessions', () => {
  it('logs in with the bootstrap admin and answers who I am', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ' Admin@Example.com ', password: ADMIN.password }),
    })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.agent).toMatchObject({ email: ADMIN.email, role: 'admin' })
    expect(body.agent).not.toHaveProperty('password_hash')
    const me = await fetch(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${body.token}` },
    })
    expect(await json(me)).toMatchObject({ email: ADMIN.email })
    const stored = await server.app.db.selectFrom('sessions').select('token_hash').execute()
    expect(stored.some(s => s.token_hash === body.token)).toBe(false) // only hashes are stored
  })

  it.each([
    ['no header', undefined, 'missing bearer token'],
    ['a malformed header', 'Token abc', 'missing bearer token'],
    ['an unknown token', 'Bearer not-a-token', 'expired or was revoked'],
  ])('refuses %s with 401', async (_, authorization, message) => {
    const res = await fetch(`${server.url}/api/conversations`, {
      headers: authorization
        ? { authorization }
        : {},
    })
    expect(res.status).toBe(401)
    const body = await json(res)
    expect(body.error.code).toBe('unauthorized')
    expect(body.error.message).toContain(message)
  })

  it('guards routes reached through a percent-encoded path', async () => {
    for (const path of ['/%61pi/conversations', '/api/%63onversations', '/%61pi/templates']) {
      const res = await fetch(`${server.url}${path}`)
      expect(res.status).toBe(401)
      expect((await json(res)).error.code).toBe('unauthorized')
    }
  })

  it('limits login attempts per address, so guesses at one email do not lock out another', async () => {
    for (let i = 0; i < 12; i++) {
      await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `someone-${i % 2}@example.com`, password: 'guess' }),
      })
    }
    expect((await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    })).status).toBe(200)
  })

  it('revokes the token on logout', async () => {
    const token = await login(server.url)
    const headers = { authorization: `Bearer ${token}` }
    expect((await fetch(`${server.url}/api/conversations`, { headers })).status).toBe(200)
    expect((await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers })).status).toBe(204)
    expect((await fetch(`${server.url}/api/conversations`, { headers })).status).toBe(401)
  })

  it('refuses a wrong password with invalid_credentials, and rate-limits repeated attempts with 429', async () => {
    const attempt = () => fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'victim@example.com', password: 'guess' }),
    })
    const first = await attempt()
    expect(first.status).toBe(401)
    expect((await json(first)).error.code).toBe('invalid_credentials')
    let limited: Response | null = null
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await attempt()
      if (res.status === 429)
        limited = res
    }
    expect(limited).not.toBeNull()
    expect((await json(limited!)).error.code).toBe('rate_limited')
  })
})

describe('password spraying', () => {
  it('limits one address trying many e-mails, and many tries at one e-mail, before checking passwords', async () => {
    const limited = await startServer({
      env: { LOGIN_LIMIT_PER_IP: '5', LOGIN_LIMIT_PER_EMAIL: '1000' },
    })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${limited.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `sprayed-${i}@example.com`, password: 'Summer2026!' }),
        })
        statuses.push(res.status)
        if (res.status === 429) {
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
          expect((await json(res)).error.code).toBe('rate_limited')
        }
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
      expect(statuses.slice(5)).toEqual([429, 429, 429])
    }
    finally {
      await limited.close()
    }
  })
})

describe('bad requests', () => {
  it.each([
    [
      'no type',
      { clientId: 'x', text: 'hi' },
      'type',
    ],
    [
      'an unknown type',
      { clientId: 'x', type: 'fax', text: 'hi' },
      'type',
    ],
    [
      'no clientId',
      { type: 'text', text: 'hi' },
      'clientId',
    ],
    [
      'empty text',
      { clientId: 'x', type: 'text', text: '' },
      'text',
    ],
    [
      'text over 4096 characters',
      {
        clientId: 'x',
        type: 'text',
        text: 'a'.repeat(4097),
      },
      'text',
    ],
    [
      'an unknown field',
      {
        clientId: 'x',
        type: 'text',
        text: 'hi',
        bold: true,
      },
      'bold',
    ],
  ] as const)('answers 400 invalid_request for %s, naming the field', async (_, body, field) => {
    const res = await server.api(`/api/conversations/${conversationId}/messages`, { json: body })
    expect(res.status).toBe(400)
    const error = (await json(res)).error
    expect(error.code).toBe('invalid_request')
    expect(error.field).toBe(field)
  })

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const res = await server.api(`/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"clientId":',
    })
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('invalid_json')
  })

  it('answers 404 for an unknown conversation and an unknown route, with the same shape', async () => {
    for (const [path, init] of [
      ['/api/conversations/nope', {}],
      [
        '/api/conversations/nope/messages',
        {
          json: { clientId: 'y', type: 'text', text: 'hi' },
        },
      ],
      ['/api/nothing-here', {}],
    ] as const) {
      const res = await server.api(path, init)
      expect(res.status).toBe(404)
      expect((await json(res)).error.code).toBe('not_found')
    }
  })

  it('answers 400 for a cursor it did not issue', async () => {
    const res = await server.api('/api/conversations?cursor=garbage')
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field: 'cursor' })
  })

  it('stores and returns message text exactly as given (the UI escapes it)', async () => {
    const text = '<img src=x onerror=alert(1)> & "quotes" — ă'
    await server.webhook(envelope({
      contacts: [
        customer('40714000002', '<b>Bold</b>'),
      ],
      messages: [
        textMessage('40714000002', text),
      ],
    }))
    const list = await json(await server.api('/api/conversations'))
    const conv = list.items.find((c: any) => c.contact.waId === '40714000002')
    expect(conv.contact.profileName).toBe('<b>Bold</b>')
    expect(conv.lastMessagePreview).toBe(text)
  })
})

describe('openAPI', () => {
  it('serves the document derived from the route schemas', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`)
    expect(res.status).toBe(200)
    const doc = await json(res)
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/health',
      '/api/auth/login',
      '/api/conversations',
      '/api/conversations/{id}/messages',
      '/api/templates',
    ]))
    expect(doc.paths['/api/conversations/{id}/messages'].post.requestBody).toBeDefined()
  })
})
