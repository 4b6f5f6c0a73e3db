/** Where a fresh install looks for the server: the default `PORT`/`HOST` of server/. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787'

/**
 * Turns what a user typed into the base URL we store: trimmed, http(s) only, no query or
 * hash, no trailing slash (a path prefix such as `https://example.com/inbox` is kept).
 * Returns `null` when the input is not a usable server address.
 */
export function normalizeServerUrl(input: string): string | null {
  let url: URL
  try {
    url = new URL(input.trim())
  }
  catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return null
  if (url.username || url.password)
    return null
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.origin}${path}`
}

/** Joins a stored server base URL and an API path (`/api/health`). */
export function serverApiUrl(serverUrl: string, path: `/${string}`): string {
  return `${serverUrl.replace(/\/+$/, '')}${path}`
}
