import type { BackgroundPrefs, BadgeCount } from '../background-prefs'
/**
 * The toolbar badge made from what waits (./waiting.ts): a count coloured by what waits, or an
 * alert ("!") when one of my 24-hour windows closes soon or a send failed. Shown by the
 * background only.
 */
import type { WaitingCounts } from './waiting'
import { browser } from 'wxt/browser'
import { i18n } from '#i18n'

export const BADGE_COLORS = {
  /** something of mine waits */
  mine: '#008069',
  /** only unassigned chats wait */
  unassigned: '#b7791f',
  /** a window closes soon, or a send failed */
  alert: '#d1344b',
} as const

export interface BadgeState {
  text: string
  color: string
  /** what the badge shows: nothing, a count, or the alert */
  kind: 'none' | 'mine' | 'unassigned' | 'alert'
  /** the toolbar button's tooltip addition (empty when nothing waits) */
  title: string
}

export const EMPTY_BADGE: BadgeState = {
  text: '',
  color: BADGE_COLORS.mine,
  kind: 'none',
  title: '',
}

function countText(value: number): string {
  return value > 999
    ? '999+'
    : String(value)
}

/** The badge for these counts. Pure: the tests and the background share it. */
export function badgeFor(counts: WaitingCounts, prefs: Pick<BackgroundPrefs['badge'], 'count'>, describe: (counts: WaitingCounts) => string = () => ''): BadgeState {
  const title = describe(counts)
  if (counts.closingSoon > 0 || counts.failed > 0) {
    return {
      text: '!',
      color: BADGE_COLORS.alert,
      kind: 'alert',
      title,
    }
  }
  const shown: Record<BadgeCount, number> = {
    unassigned: counts.unassigned,
    mine: counts.mineUnread,
    both: counts.unassigned + counts.mineUnread,
  }
  const value = shown[prefs.count]
  if (value === 0)
    return { ...EMPTY_BADGE, title }
  // Coloured by what waits: mine first (it is mine to answer), else the unassigned queue.
  const mineWaits = prefs.count !== 'unassigned' && counts.mineUnread > 0
  return {
    text: countText(value),
    color: mineWaits ? BADGE_COLORS.mine : BADGE_COLORS.unassigned,
    kind: mineWaits ? 'mine' : 'unassigned',
    title,
  }
}

/** The toolbar button's API: `action` (Chrome MV3), `browserAction` (Firefox MV2). */
function toolbarAction(): typeof browser.action {
  return browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction
}

/** Shows the state on the toolbar button (text, colour, tooltip). */
export async function showBadge(state: BadgeState, baseTitle: string): Promise<void> {
  const action = toolbarAction()
  await Promise.all([
    action.setBadgeText({ text: state.text }),
    action.setBadgeBackgroundColor({ color: state.color }),
    // Chrome 110+/Firefox: white text on every colour (the amber one would get black otherwise)
    action.setBadgeTextColor?.({ color: '#ffffff' }),
    action.setTitle({
      title: state.title
        ? `${baseTitle} — ${state.title}`
        : baseTitle,
    }),
  ])
}

/** The tooltip addition for these counts ("3 unassigned · 1 failed"), in the agent's language. */
export function badgeTitle(counts: WaitingCounts): string {
  const parts: string[] = []
  if (counts.unassigned) {
    parts.push(i18n.t('background.badge.unassigned', [
      String(counts.unassigned),
    ]))
  }
  if (counts.mineUnread) {
    parts.push(i18n.t('background.badge.mineUnread', [
      String(counts.mineUnread),
    ]))
  }
  if (counts.closingSoon) {
    parts.push(i18n.t('background.badge.closingSoon', [
      String(counts.closingSoon),
    ]))
  }
  if (counts.failed) {
    parts.push(i18n.t('background.badge.failed', [
      String(counts.failed),
    ]))
  }
  return parts.join(' · ')
}
