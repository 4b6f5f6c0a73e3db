import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { getMeta } from '~/utils/db/meta'
import { serverUrlStorage } from '~/utils/storage'
import { useServerHealth } from '../server-health'

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'Content-Type': 'application/json' },
  })
}

function startInScope() {
  const scope = effectScope()
  const health = scope.run(() => useServerHealth())!
  return {
    ...health,
    stop: () => scope.stop(),
  }
}

describe('useServerHealth', () => {
  it('starts as checking, then shows the database engine and remembers the check', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer({ status: 'ok', db: 'sqlite' })))
    const { state, stop } = startInScope()

    expect(state.value).toEqual({ status: 'checking' })
    await vi.waitFor(() => expect(state.value).toEqual({ status: 'connected', db: 'sqlite' }))
    await vi.waitFor(async () => expect(await getMeta('lastHealthCheck')).toMatchObject({
      serverUrl: 'http://127.0.0.1:8787',
      db: 'sqlite',
    }))
    stop()
  })

  it('shows unreachable when the request fails, and recovers on check()', async () => {
    const fetchMock = vi.fn(async (): Promise<Response> => {
      throw new TypeError('Failed to fetch')
    })
    vi.stubGlobal('fetch', fetchMock)
    const { state, check, stop } = startInScope()
    await vi.waitFor(() => expect(state.value).toEqual({ status: 'unreachable' }))

    fetchMock.mockImplementation(async () => answer({ status: 'ok', db: 'postgres' }))
    check()
    await vi.waitFor(() => expect(state.value).toEqual({ status: 'connected', db: 'postgres' }))
    stop()
  })

  it('checks the new server when the URL changes in the options page', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      if (url.startsWith('https://inbox.example.com/'))
        return answer({ status: 'ok', db: 'postgres' })
      throw new TypeError('Failed to fetch')
    })
    vi.stubGlobal('fetch', fetchMock)
    const { state, stop } = startInScope()
    await vi.waitFor(() => expect(state.value).toEqual({ status: 'unreachable' }))

    await serverUrlStorage.setValue('https://inbox.example.com')
    await vi.waitFor(() => expect(state.value).toEqual({ status: 'connected', db: 'postgres' }))
    expect(fetchMock).toHaveBeenLastCalledWith('https://inbox.example.com/api/health', expect.anything())
    stop()
  })
})
