import type { SyncStatus } from '~/utils/db'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, ref, shallowRef } from 'vue'
import { i18n } from '#i18n'
import { db } from '~/utils/db'
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
          ? i18n.t('options.connect.sync.syncingProgress', [
              String(status.snapshot.applied),
            ])
          : i18n.t('options.connect.sync.syncing'),
      }
    case 'idle':
      return status.lastSyncedAt === null
        ? {
            state: 'idle',
            tone: 'idle',
            text: i18n.t('options.connect.sync.waiting'),
          }
        : {
            state: 'idle',
            tone: 'ok',
            text: i18n.t('options.connect.sync.upToDate', [
              formatRelativeTime(status.lastSyncedAt, now),
            ]),
          }
    case 'offline':
      return {
        state: 'offline',
        tone: 'warning',
        text: i18n.t('options.connect.sync.offline'),
      }
    case 'unauthorized':
      return {
        state: 'unauthorized',
        tone: 'danger',
        text: i18n.t('options.connect.sync.unauthorized'),
      }
    case 'error':
      return {
        state: 'error',
        tone: 'danger',
        text: i18n.t('options.connect.sync.error', [status.error?.code ?? 'unknown']),
      }
  }
  return {
    state: 'unknown',
    tone: 'idle',
    text: i18n.t('options.connect.sync.waiting'),
  }
}

/** How often the relative time ("2 minutes ago") is refreshed. */
const CLOCK_TICK_MS = 30_000

/**
 * The background's sync status, observed in Dexie (`meta.syncStatus`) with `liveQuery`, and
 * its summary for display. The subscription and the clock end with the calling scope.
 */
export function useSyncStatus() {
  const status = shallowRef<SyncStatus | undefined>()
  const error = shallowRef<unknown>()
  const now = ref(Date.now())

  const subscription = liveQuery(() => db.meta.get('syncStatus')).subscribe({
    next: (entry) => {
      status.value = entry?.value as SyncStatus | undefined
      now.value = Date.now()
      error.value = undefined
    },
    error: (err: unknown) => {
      error.value = err
    },
  })
  const clock = setInterval(() => {
    now.value = Date.now()
  }, CLOCK_TICK_MS)

  onScopeDispose(() => {
    subscription.unsubscribe()
    clearInterval(clock)
  })

  return {
    status: computed(() => status.value),
    error: computed(() => error.value),
    summary: computed(() => summarizeSyncStatus(status.value, now.value)),
  }
}
