/**
 * The server API as a page (side panel, inbox, options) reaches it: the stored session's server
 * and token. For reads that are not synced (older message pages, a contact's past conversations)
 * and uploads; every change goes through `utils/actions` instead.
 */
import type { ApiClient } from './client'
import { serverApiUrl } from '../server-url'
import { authSessionStorage } from '../session'
import { ApiError, createApiClient } from './client'

async function currentSession() {
  const session = await authSessionStorage.getValue()
  if (!session || session.expired)
    throw new ApiError('unauthorized', 'not signed in', 401)
  return session
}

/** A client bound to the current session (re-read on every request). */
export async function pageApiClient(): Promise<ApiClient> {
  const session = await currentSession()
  return createApiClient({
    serverUrl: session.serverUrl,
    token: async () => {
      const now = await authSessionStorage.getValue()
      return now && !now.expired
        ? now.token
        : null
    },
  })
}

/**
 * Fetches a binary resource of the API with the session's token (media cannot be an `<img src>`:
 * the server wants the bearer header). Answers the Blob; `ApiError` on failure.
 */
export async function fetchApiBlob(path: `/${string}`, init: RequestInit = {}): Promise<Blob> {
  const session = await currentSession()
  let response: Response
  try {
    response = await fetch(serverApiUrl(session.serverUrl, path), {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${session.token}` },
    })
  }
  catch {
    throw new ApiError('offline', 'the server did not answer', 0)
  }
  if (!response.ok) {
    let code = 'internal_error'
    try {
      code = ((await response.json()) as { error?: { code?: string } }).error?.code ?? code
    }
    catch {}
    throw new ApiError(code as never, `${response.status}`, response.status)
  }
  return await response.blob()
}

/** Sends a form (multipart upload) with the session's token; answers the JSON. */
export async function postApiForm<T>(path: `/${string}`, form: FormData): Promise<T> {
  const session = await currentSession()
  let response: Response
  try {
    response = await fetch(serverApiUrl(session.serverUrl, path), {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' },
      body: form,
    })
  }
  catch {
    throw new ApiError('offline', 'the server did not answer', 0)
  }
  const body = await response.json().catch(() => undefined) as { error?: { code?: string, message?: string, field?: string, details?: unknown } } | undefined
  if (!response.ok) {
    const error = body?.error
    throw new ApiError((error?.code ?? 'internal_error') as never, error?.message ?? `${response.status}`, response.status, error?.field, error?.details)
  }
  return body as T
}
