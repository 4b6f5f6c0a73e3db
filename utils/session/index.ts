/**
 * The agent's session with the team's server: signing in and out, and where the token lives
 * (extension storage, `local:`). Pages call `signIn`/`signOut`; the background watches the
 * session and runs the sync engine while there is a valid one (utils/sync/runner.ts).
 */
import type { Agent, LoginResponse } from '~/protocol/team'
import { storage } from 'wxt/utils/storage'
import { API_TIMEOUT_MS, ApiError } from '../api/client'
import { serverApiUrl } from '../server-url'

export interface Session {
  serverUrl: string
  token: string
  agent: Agent
  signedInAt: number
  /** the server refused the token (revoked, expired, deactivated): sign in again */
  expired?: boolean
}

export const authSessionStorage = storage.defineItem<Session | null>('local:session', {
  fallback: null,
})

async function post(serverUrl: string, path: `/${string}`, body: unknown, token?: string): Promise<Response> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), API_TIMEOUT_MS)
  try {
    return await fetch(serverApiUrl(serverUrl, path), {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        ...(body === undefined
          ? {}
          : { 'Content-Type': 'application/json' }),
        ...(token
          ? { Authorization: `Bearer ${token}` }
          : {}),
      },
      body: body === undefined
        ? undefined
        : JSON.stringify(body),
      signal: controller.signal,
    })
  }
  catch {
    throw new ApiError('offline', 'the server did not answer', 0)
  }
  finally {
    clearTimeout(timer)
  }
}

/**
 * Signs in and stores the session (replacing any other). Fails with an `ApiError`:
 * `invalid_credentials`, `rate_limited`, `invalid_request` (field), `offline`.
 */
export async function signIn(serverUrl: string, email: string, password: string, now = Date.now()): Promise<Session> {
  const response = await post(serverUrl, '/api/auth/login', { email, password })
  if (!response.ok) {
    let error: { code?: string, message?: string, field?: string } | undefined
    try {
      error = ((await response.json()) as { error?: typeof error }).error
    }
    catch {}
    throw new ApiError((error?.code ?? 'unexpected_response') as ApiError['code'], error?.message ?? `${response.status}`, response.status, error?.field)
  }
  const { token, agent } = await response.json() as LoginResponse
  const session: Session = {
    serverUrl,
    token,
    agent,
    signedInAt: now,
  }
  await authSessionStorage.setValue(session)
  return session
}

/** Forgets the session here, and revokes the token on the server when it can be reached. */
export async function signOut(): Promise<void> {
  const session = await authSessionStorage.getValue()
  await authSessionStorage.setValue(null)
  if (session && !session.expired)
    await post(session.serverUrl, '/api/auth/logout', undefined, session.token).catch(() => {})
}

/** The server refused the token: keep who it was (to prefill sign-in) but mark it expired. */
export async function markSessionExpired(token: string): Promise<void> {
  const session = await authSessionStorage.getValue()
  if (session && session.token === token && !session.expired)
    await authSessionStorage.setValue({ ...session, expired: true })
}
