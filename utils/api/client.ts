/**
 * A typed `fetch` wrapper for the server's `/api` (docs/api.md, "Team API"). Every failure becomes an
 * `ApiError` carrying the server's `code` (the UI translates codes, never messages); a request
 * that never got an answer is `offline`.
 */
import type { ErrorCode } from '~/protocol/errors'
import { serverApiUrl } from '../server-url'

/** How long a request may take before the server counts as unreachable. */
export const API_TIMEOUT_MS = 30_000

export type ApiErrorCode = ErrorCode | 'offline' | 'unexpected_response'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    /** a code from `protocol/errors.ts`, `offline` (no answer) or `unexpected_response` (not our server) */
    readonly code: ApiErrorCode,
    message: string,
    /** HTTP status; 0 when there was no answer */
    readonly status: number,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code)
}

export interface ApiClientOptions {
  serverUrl: string
  /** the bearer token, or a function answering the current one (null: not signed in) */
  token: string | null | (() => string | null | undefined | Promise<string | null | undefined>)
  fetch?: typeof fetch
  timeoutMs?: number
}

export interface ApiClient {
  readonly serverUrl: string
  request: <T>(method: string, path: `/${string}`, body?: unknown) => Promise<T>
  get: <T>(path: `/${string}`) => Promise<T>
  post: <T>(path: `/${string}`, body?: unknown) => Promise<T>
  /** the current bearer token (for the live socket's `auth` message) */
  token: () => Promise<string | null>
}

function codeForStatus(status: number): ApiErrorCode {
  if (status === 401)
    return 'unauthorized'
  if (status === 403)
    return 'forbidden'
  if (status === 404)
    return 'not_found'
  if (status === 429)
    return 'rate_limited'
  if (status === 502 || status === 503 || status === 504)
    return 'service_unavailable'
  if (status >= 500)
    return 'internal_error'
  return 'unexpected_response'
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await response.json()
  }
  catch {}
  const error = (body as { error?: { code?: unknown, message?: unknown, field?: unknown, details?: unknown } } | undefined)?.error
  if (error && typeof error.code === 'string') {
    return new ApiError(
      error.code as ErrorCode,
      typeof error.message === 'string'
        ? error.message
        : error.code,
      response.status,
      typeof error.field === 'string'
        ? error.field
        : undefined,
      error.details,
    )
  }
  // Not our server's shape (a proxy's error page …): fall back on the status.
  return new ApiError(codeForStatus(response.status), `${response.status} ${response.statusText}`.trim(), response.status)
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args))
  const timeoutMs = options.timeoutMs ?? API_TIMEOUT_MS

  async function token(): Promise<string | null> {
    const value = typeof options.token === 'function'
      ? await options.token()
      : options.token
    return value ?? null
  }

  async function request<T>(method: string, path: `/${string}`, body?: unknown): Promise<T> {
    const bearer = await token()
    if (!bearer)
      throw new ApiError('unauthorized', 'not signed in', 401)
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${bearer}` }
    if (body !== undefined)
      headers['Content-Type'] = 'application/json'
    let response: Response
    try {
      response = await doFetch(serverApiUrl(options.serverUrl, path), {
        method,
        headers,
        body: body === undefined
          ? undefined
          : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    }
    catch (error) {
      // fetch rejects only when no answer came: network down, server gone, DNS, timeout.
      throw new ApiError('offline', error instanceof Error
        ? error.message
        : String(error), 0)
    }
    if (!response.ok)
      throw await errorFrom(response)
    if (response.status === 204)
      return undefined as T
    try {
      return await response.json() as T
    }
    catch {
      throw new ApiError('unexpected_response', `${method} ${path} answered a body that is not JSON`, response.status)
    }
  }

  return {
    serverUrl: options.serverUrl,
    request,
    get: path => request('GET', path),
    post: (path, body) => request('POST', path, body),
    token,
  }
}
