import { afterEach, describe, expect, it, vi } from 'vitest'
import { fetchServerHealth } from '../health'

function answer(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('fetchServerHealth', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('calls GET {serverUrl}/api/health and returns the body', async () => {
    const fetchMock = vi.fn(async () => answer({ status: 'ok', db: 'postgres' }))
    vi.stubGlobal('fetch', fetchMock)

    await expect(fetchServerHealth('http://127.0.0.1:8787')).resolves.toEqual({ status: 'ok', db: 'postgres' })
    expect(fetchMock).toHaveBeenCalledWith('http://127.0.0.1:8787/api/health', expect.objectContaining({
      headers: { Accept: 'application/json' },
    }))
  })

  it('rejects a degraded server (503)', async () => {
    // What server/src/routes/health.ts answers when its database does not respond.
    const degraded = answer({ status: 'degraded', db: 'postgres' }, 503)
    vi.stubGlobal('fetch', vi.fn(async () => degraded))
    await expect(fetchServerHealth('http://127.0.0.1:8787')).rejects.toThrow('503')
  })

  it.each([
    [
      'another app',
      { hello: 'world' },
    ],
    [
      'an unknown engine',
      { status: 'ok', db: 'mysql' },
    ],
    [
      'a failing status',
      { status: 'degraded', db: 'sqlite' },
    ],
  ])('rejects %s', async (_, body) => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(body)))
    await expect(fetchServerHealth('http://127.0.0.1:8787')).rejects.toThrow('unexpected body')
  })

  it('rejects when the network fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    await expect(fetchServerHealth('http://127.0.0.1:8787')).rejects.toThrow('Failed to fetch')
  })
})
