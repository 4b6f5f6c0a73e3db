import { storeToRefs } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { authSessionStorage } from '~/utils/session'
import { serverUrlStorage } from '~/utils/storage'
import { useSessionStore } from '../session'

function startInScope() {
  const store = useSessionStore()
  return {
    ...storeToRefs(store),
    submit: store.submit,
    signOut: store.signOut,
    ready: store.ready,
    stop: () => store.$dispose(),
  }
}

const agent = {
  id: 'a1',
  email: 'ana@example.com',
  name: 'Ana Pop',
  role: 'agent',
}

describe('useSessionStore', () => {
  beforeEach(async () => {
    await serverUrlStorage.setValue('https://inbox.example.com')
  })

  it('signs in to the saved server with a trimmed email and keeps the session', async () => {
    const fetchMock = vi.fn(async () => Response.json({ token: 't1', agent }))
    vi.stubGlobal('fetch', fetchMock)
    const { session, submit, failure, signingIn, stop } = startInScope()

    const pending = submit(' ana@example.com ', 'pw')
    expect(signingIn.value).toBe(true)
    expect(await pending).toBe(true)
    expect(signingIn.value).toBe(false)
    expect(failure.value).toBeNull()
    expect(session.value).toMatchObject({ serverUrl: 'https://inbox.example.com', token: 't1', agent })
    expect(fetchMock).toHaveBeenCalledWith('https://inbox.example.com/api/auth/login', expect.objectContaining({
      body: JSON.stringify({ email: 'ana@example.com', password: 'pw' }),
    }))
    stop()
  })

  it('keeps the code and field of a refused sign-in', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json(
      {
        error: { code: 'invalid_request', message: 'must match format "email"', field: 'email' },
      },
      { status: 400 },
    )))
    const { session, submit, failure, stop } = startInScope()
    expect(await submit('nope', 'pw')).toBe(false)
    expect(failure.value).toEqual({ code: 'invalid_request', field: 'email' })
    expect(session.value).toBeNull()
    stop()
  })

  it('reports an unreachable server as offline', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    const { submit, failure, stop } = startInScope()
    await submit('ana@example.com', 'pw')
    expect(failure.value?.code).toBe('offline')
    stop()
  })

  it('follows the stored session (the background marking it expired) and signs out', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })))
    await authSessionStorage.setValue({
      serverUrl: 'https://inbox.example.com',
      token: 't1',
      agent: agent as never,
      signedInAt: 1,
    })
    const { session, loaded, agent: signedInAgent, isAdmin, ready, signOut, stop } = startInScope()
    await ready
    expect(loaded.value).toBe(true)
    expect(session.value?.token).toBe('t1')
    expect(signedInAgent.value?.id).toBe('a1')
    expect(isAdmin.value).toBe(false)

    await authSessionStorage.setValue({ ...session.value!, expired: true })
    await vi.waitFor(() => expect(session.value?.expired).toBe(true))
    expect(signedInAgent.value).toBeNull()

    await signOut()
    expect(session.value).toBeNull()
    expect(await authSessionStorage.getValue()).toBeNull()
    stop()
  })
})
