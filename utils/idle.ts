/**
 * Availability follows the computer: away after N minutes idle or when the screen locks, back
 * online when it is used again, but only if it was us who set the agent away (a manual "away"
 * stays). The background applies it (entrypoints/background/idle.ts); the change goes through
 * `actions.setAvailability`.
 */
import type { Availability } from '~/protocol/team'
import { browser } from 'wxt/browser'
import { storage } from 'wxt/utils/storage'

export type IdleState = 'active' | 'idle' | 'locked'

/** true while the agent is away because the computer was idle (survives a background restart). */
export const autoAwayStorage = storage.defineItem<boolean>('local:autoAway', {
  fallback: false,
})

export interface IdleTransition {
  /** the availability to set, if any */
  set: Availability | null
  autoAway: boolean
}

/** What to do when the idle state changes. Pure. */
export function idleTransition(state: IdleState, current: Availability | null, autoAway: boolean): IdleTransition {
  if (state === 'idle' || state === 'locked') {
    return current === 'online'
      ? { set: 'away', autoAway: true }
      : { set: null, autoAway }
  }
  // active again: undo only our own "away"
  if (autoAway && current === 'away')
    return { set: 'online', autoAway: false }
  return { set: null, autoAway: false }
}

export interface IdleWatcherOptions {
  enabled: () => Promise<boolean>
  /** the signed-in agent's availability now (null when signed out) */
  current: () => Promise<Availability | null>
  setAvailability: (availability: Availability) => Promise<unknown>
}

/** Applies one idle state change (exported for tests and for the e2e hook). */
export async function applyIdleState(state: IdleState, options: IdleWatcherOptions): Promise<IdleTransition | null> {
  if (!(await options.enabled()))
    return null
  const current = await options.current()
  if (current === null)
    return null
  const next = idleTransition(state, current, await autoAwayStorage.getValue())
  if (next.set)
    await options.setAvailability(next.set)
  await autoAwayStorage.setValue(next.autoAway)
  return next
}

/** Sets the idle threshold (Chrome and Firefox accept 15 s and up). */
export function setIdleMinutes(minutes: number): void {
  try {
    browser.idle?.setDetectionInterval(Math.max(15, Math.round(minutes * 60)))
  }
  catch (error) {
    console.warn('[wa-inbox] idle detection unavailable', error)
  }
}
