// @vitest-environment node
// Signing in and out against a REAL server (server/test/helper.ts), the token kept in extension
// storage (WXT's fake browser in tests).
import type { TestServer } from '../../sync/__tests__/server-fixture'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { authSessionStorage, markSessionExpired, signIn, signOut } from '..'
import { ApiError } from '../../api/client'
import { startServer } from '../../sync/__tests__/server-fixture'

const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' }

let server: TestServer
beforeEach(async () => {
  fakeBrowser.reset()
  server = await startServer()
})
afterEach(async () => server.close())

describe('signing in', () => {
  it('stores the session with the agent, and the token works', async () => {
    const session = await signIn(server.url, ADMIN.email, ADMIN.password, 1000)
    expect(session).toMatchObject({
      serverUrl: server.url,
      signedInAt: 1000,
      agent: { email: ADMIN.email, role: 'admin' },
    })
    expect(await authSessionStorage.getValue()).toEqual(session)
    const me = await fetch(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${session.token}` },
    })
    expect(me.status).toBe(200)
  })

  it('fails with invalid_credentials and stores nothing', async () => {
    const error = await signIn(server.url, ADMIN.email, 'wrong password').catch(e => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 })
    expect(await authSessionStorage.getValue()).toBeNull()
  })

  it('fails with offline when nothing answers', async () => {
    const url = server.url
    await server.close()
    const error = await signIn(url, ADMIN.email, ADMIN.password).catch(e => e)
    expect(error).toMatchObject({ code: 'offline', status: 0 })
    server = await startServer()
  })
})

describe('signing out', () => {
  it('forgets the session and revokes the token on the server', async () => {
    const session = await signIn(server.url, ADMIN.email, ADMIN.password)
    await signOut()
    expect(await authSessionStorage.getValue()).toBeNull()
    const me = await fetch(`${server.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${session.token}` },
    })
    expect(me.status).toBe(401)
  })

  it('marks a refused token expired, keeping who it was, and only for that token', async () => {
    const session = await signIn(server.url, ADMIN.email, ADMIN.password)
    await markSessionExpired('some other token')
    expect((await authSessionStorage.getValue())?.expired).toBeUndefined()
    await markSessionExpired(session.token)
    expect(await authSessionStorage.getValue()).toMatchObject({
      expired: true,
      agent: { email: ADMIN.email },
    })
  })
})
