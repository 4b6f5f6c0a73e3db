/** The background's sync status in words: one line and a tone for the dot. */
import type { SyncStatus } from '~/utils/db'
import { i18n } from '#i18n'
import { uiLocale } from '~/utils/page-document'

export type SyncStatusTone = 'busy' | 'ok' | 'warning' | 'danger' | 'idle'

export interface SyncStatusSummary {
  state: SyncStatus['state'] | 'unknown'
  tone: SyncStatusTone
  text: string
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
]

/** "just now", "5 minutes ago", "yesterday" … in the language the extension is shown in. */
export function formatRelativeTime(timestamp: number, now: number, locale = uiLocale()): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const elapsed = timestamp - now
  for (const [unit, size] of UNITS) {
    if (Math.abs(elapsed) >= size)
      return format.format(Math.round(elapsed / size), unit)
  }
  return format.format(0, 'second')
}

/** Turns the background's `meta.syncStatus` into one line of text and a tone for the dot. */
export function summarizeSyncStatus(status: SyncStatus | undefined, now: number): SyncStatusSummary {
  switch (status?.state) {
    case 'syncing':
      return {
        state: 'syncing',
        tone: 'busy',
        text: status.snapshot
          ? i18n.t('connect.sync.syncingProgress', [
              String(status.snapshot.applied),
            ])
          : i18n.t('connect.sync.syncing'),
      }
    case 'idle':
      return status.lastSyncedAt === null
        ? {
            state: 'idle',
            tone: 'idle',
            text: i18n.t('connect.sync.waiting'),
          }
        : {
            state: 'idle',
            tone: 'ok',
            text: i18n.t('connect.sync.upToDate', [
              formatRelativeTime(status.lastSyncedAt, now),
            ]),
          }
    case 'offline':
      return {
        state: 'offline',
        tone: 'warning',
        text: i18n.t('connect.sync.offline'),
      }
    case 'unauthorized':
      return {
        state: 'unauthorized',
        tone: 'danger',
        text: i18n.t('connect.sync.unauthorized'),
      }
    case 'error':
      return {
        state: 'error',
        tone: 'danger',
        text: i18n.t('connect.sync.error', [status.error?.code ?? 'unknown']),
      }
  }
  return {
    state: 'unknown',
    tone: 'idle',
    text: i18n.t('connect.sync.waiting'),
  }
}
