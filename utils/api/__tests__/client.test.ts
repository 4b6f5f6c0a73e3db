import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApiClient } from '../client'

function answer(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

describe('createApiClient', () => {
  it('sends the bearer token and JSON, and answers the body', async () => {
    const fetchMock = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => answer({ results: [] }))
    const api = createApiClient({
      serverUrl: 'http://127.0.0.1:8787/',
      token: () => 'tok',
      fetch: fetchMock as typeof fetch,
    })

    await expect(api.post('/api/mutations', { mutations: [] })).resolves.toEqual({ results: [] })
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('http://127.0.0.1:8787/api/mutations')
    expect(init).toMatchObject({
      method: 'POST',
      body: '{"mutations":[]}',
      headers: { 'Authorization': 'Bearer tok', 'Content-Type': 'application/json' },
    })
  })

  it('turns the server\'s error body into an ApiError with code, status and field', async () => {
    const api = createApiClient({
      serverUrl: 'http://x',
      token: 't',
      fetch: async () => answer({
        error: { code: 'invalid_request', message: 'since: bad', field: 'since' },
      }, 400),
    })
    const error = await api.get('/api/sync').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      code: 'invalid_request',
      status: 400,
      field: 'since',
      message: 'since: bad',
    })
  })

  it.each([
    [401, 'unauthorized'],
    [404, 'not_found'],
    [502, 'service_unavailable'],
    [500, 'internal_error'],
    [418, 'unexpected_response'],
  ])('maps a %i without our error body to %s', async (status, code) => {
    const api = createApiClient({
      serverUrl: 'http://x',
      token: 't',
      fetch: async () => new Response('<html>', { status }),
    })
    await expect(api.get('/api/sync')).rejects.toMatchObject({ code, status })
  })

  it('reports a network failure as offline (status 0)', async () => {
    const api = createApiClient({
      serverUrl: 'http://x',
      token: 't',
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    await expect(api.get('/api/sync')).rejects.toMatchObject({ code: 'offline', status: 0 })
  })

  it('does not call the server without a token', async () => {
    const fetchMock = vi.fn()
    const api = createApiClient({ serverUrl: 'http://x', token: null, fetch: fetchMock })
    await expect(api.get('/api/sync')).rejects.toMatchObject({ code: 'unauthorized' })
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
