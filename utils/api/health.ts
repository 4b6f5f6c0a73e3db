import type { Health } from '~/protocol/common'
import { serverApiUrl } from '../server-url'

/** Body of a healthy `GET /api/health` (a `degraded` server answers 503). */
export type ServerHealth = Health & { status: 'ok' }

/** How long a health check may take before the server counts as unreachable. */
export const HEALTH_TIMEOUT_MS = 5000

function isServerHealth(body: unknown): body is ServerHealth {
  if (typeof body !== 'object' || body === null)
    return false
  const { status, db } = body as Record<string, unknown>
  return status === 'ok' && (db === 'sqlite' || db === 'postgres')
}

/**
 * Asks the server whether it is up. Resolves with the health body, rejects when the server
 * cannot be reached, answers with an error status or with something that is not our server.
 */
export async function fetchServerHealth(serverUrl: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<ServerHealth> {
  const response = await fetch(serverApiUrl(serverUrl, '/api/health'), {
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!response.ok)
    throw new Error(`GET /api/health answered ${response.status}`)
  const body: unknown = await response.json()
  if (!isServerHealth(body))
    throw new Error('GET /api/health answered an unexpected body')
  return body
}
