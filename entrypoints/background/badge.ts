/**
 * The toolbar badge, recomputed from Dexie whenever what it counts changes, on each sync page, on
 * the alarm (windows closing is a matter of time) and at every start of the background. The
 * popup's data comes along: the popup paints from this copy (`popupSnapshotStorage`).
 */
import type { BadgeState } from '~/utils/badge'
import type { AppDB } from '~/utils/db'
import { liveQuery } from 'dexie'
import { i18n } from '#i18n'
import { getBackgroundPrefs, watchBackgroundPrefs } from '~/utils/background-prefs'
import { badgeFor, badgeTitle, EMPTY_BADGE, popupSnapshotStorage, readPopupData, readWaiting, showBadge } from '~/utils/badge'
import { authSessionStorage } from '~/utils/session'

export interface BadgeDeps {
  db: AppDB
  agentId: () => Promise<string | null>
  /** settles once the agent's language is applied (the tooltip is localised) */
  language: Promise<unknown>
}

export interface BackgroundBadge {
  /** the state last shown (null before the first) */
  readonly last: BadgeState | null
  /** computes and shows the badge now */
  refresh: () => Promise<BadgeState>
}

export function setupBadge(deps: BadgeDeps): BackgroundBadge {
  const { db } = deps
  let subscription: { unsubscribe: () => void } | null = null
  let last: BadgeState | null = null

  async function apply(state: BadgeState): Promise<void> {
    last = state
    await deps.language
    await showBadge(state, i18n.t('extension.actionTitle')).catch(error => console.error('[wa-inbox] badge failed', error))
  }

  async function watch(): Promise<void> {
    subscription?.unsubscribe()
    subscription = null
    const [id, prefs] = await Promise.all([
      deps.agentId(),
      getBackgroundPrefs(),
    ])
    if (!id) {
      await apply(EMPTY_BADGE)
      return
    }
    subscription = liveQuery(() => Promise.all([
      readWaiting(db, id, { windowMinutes: prefs.badge.windowMinutes }),
      readPopupData(db, id),
    ])).subscribe({
      next: ([snapshot, popup]) => {
        void apply(badgeFor(snapshot.counts, prefs.badge, badgeTitle))
        void popupSnapshotStorage.setValue(popup).catch(() => {})
      },
      error: error => console.error('[wa-inbox] badge query failed', error),
    })
  }

  async function refresh(): Promise<BadgeState> {
    const [id, prefs] = await Promise.all([
      deps.agentId(),
      getBackgroundPrefs(),
    ])
    const state = id
      ? badgeFor((await readWaiting(db, id, { windowMinutes: prefs.badge.windowMinutes })).counts, prefs.badge, badgeTitle)
      : EMPTY_BADGE
    await apply(state)
    return state
  }

  void watch()
  authSessionStorage.watch(() => void watch())
  watchBackgroundPrefs(() => void watch())
  return {
    get last() {
      return last
    },
    refresh,
  }
}
