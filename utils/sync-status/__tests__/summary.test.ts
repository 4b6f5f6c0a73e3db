import type { SyncStatus } from '~/utils/db'
import { describe, expect, it } from 'vitest'
import { formatRelativeTime, summarizeSyncStatus } from '../summary'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)

function status(patch: Partial<SyncStatus>): SyncStatus {
  return {
    state: 'idle',
    lastSyncedAt: null,
    error: null,
    snapshot: null,
    live: 'closed',
    ...patch,
  }
}

describe('summarizeSyncStatus', () => {
  it.each([
    [
      'syncing',
      status({ state: 'syncing' }),
      'busy',
      'connect_sync_syncing',
    ],
    [
      'a snapshot in progress',
      status({
        state: 'syncing',
        snapshot: { applied: 1200 },
      }),
      'busy',
      'connect_sync_syncingProgress 1200',
    ],
    [
      'up to date',
      status({ state: 'idle', lastSyncedAt: NOW - 5 * 60_000 }),
      'ok',
      'connect_sync_upToDate 5 minutes ago',
    ],
    [
      'never synced',
      status({ state: 'idle' }),
      'idle',
      'connect_sync_waiting',
    ],
    [
      'offline',
      status({
        state: 'offline',
        error: { code: 'offline', message: 'x' },
      }),
      'warning',
      'connect_sync_offline',
    ],
    [
      'unauthorized',
      status({
        state: 'unauthorized',
        error: { code: 'session_expired', message: 'x' },
      }),
      'danger',
      'connect_sync_unauthorized',
    ],
    [
      'an error',
      status({
        state: 'error',
        error: { code: 'internal_error', message: 'boom' },
      }),
      'danger',
      'connect_sync_error internal_error',
    ],
  ] as const)('maps %s', (_name, value, tone, text) => {
    expect(summarizeSyncStatus(value, NOW)).toMatchObject({ tone, text })
  })

  it('waits when the background has not written a status yet', () => {
    expect(summarizeSyncStatus(undefined, NOW)).toEqual({ state: 'unknown', tone: 'idle', text: 'connect_sync_waiting' })
  })
})

describe('formatRelativeTime', () => {
  it.each([
    [NOW - 10_000, 'now'],
    [NOW - 60_000, '1 minute ago'],
    [NOW - 3 * 3600_000, '3 hours ago'],
    [NOW - 24 * 3600_000, 'yesterday'],
  ])('formats %i', (timestamp, text) => {
    expect(formatRelativeTime(timestamp, NOW, 'en')).toBe(text)
  })

  it('speaks Romanian too', () => {
    expect(formatRelativeTime(NOW - 2 * 60_000, NOW, 'ro')).toBe('acum 2 minute')
  })
})
