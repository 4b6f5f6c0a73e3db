/**
 * The agent's settings for what the background does for them outside the inbox: the toolbar
 * badge, desktop notifications and going away when the computer is idle (edited in
 * components/settings/SettingsNotifications.vue), in extension storage so the background and
 * every page see the same values.
 */
import { storage } from 'wxt/utils/storage'

/** What the toolbar badge counts. */
export const BADGE_COUNTS = ['unassigned', 'mine', 'both'] as const
export type BadgeCount = typeof BADGE_COUNTS[number]

/** The kinds of desktop notification the agent can turn on or off one by one. */
export const NOTIFICATION_KINDS = [
  'assigned',
  'message',
  'waiting',
  'failed',
  'handover',
] as const
export type NotificationKind = typeof NOTIFICATION_KINDS[number]

export interface BackgroundPrefs {
  badge: {
    count: BadgeCount
    /** the badge turns to its alert state ("!") when one of my 24-hour windows closes within this */
    windowMinutes: number
  }
  notifications: {
    kinds: Record<NotificationKind, boolean>
    /** an unassigned chat notifies once it has waited this long */
    waitingMinutes: number
    /** Firefox: a short beep from the background page; Chrome: the system's notification sound */
    sound: boolean
    /** no notification between `start` and `end` (local time, `HH:MM`; may span midnight) */
    quietHours: { enabled: boolean, start: string, end: string }
  }
  idle: {
    /** set me away when the computer is idle or locked, and back online when it is used again */
    enabled: boolean
    minutes: number
  }
}

export const DEFAULT_BACKGROUND_PREFS: BackgroundPrefs = {
  badge: { count: 'both', windowMinutes: 15 },
  notifications: {
    kinds: {
      assigned: true,
      message: true,
      waiting: true,
      failed: true,
      handover: true,
    },
    waitingMinutes: 5,
    sound: false,
    quietHours: { enabled: false, start: '22:00', end: '08:00' },
  },
  idle: { enabled: true, minutes: 10 },
}

function minutes(value: unknown, fallback: number, min = 1, max = 24 * 60): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, Math.round(value)))
    : fallback
}

function time(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^(?:[01]\d|2[0-3]):[0-5]\d$/.test(value)
    ? value
    : fallback
}

/** Stored preferences completed with the defaults (older or partial values stay usable). */
export function withDefaults(stored: unknown): BackgroundPrefs {
  const value = (stored ?? {}) as Partial<Record<keyof BackgroundPrefs, Record<string, any>>>
  const d = DEFAULT_BACKGROUND_PREFS
  const kinds = { ...d.notifications.kinds }
  for (const kind of NOTIFICATION_KINDS) {
    const on = value.notifications?.kinds?.[kind]
    if (typeof on === 'boolean')
      kinds[kind] = on
  }
  const quiet = value.notifications?.quietHours ?? {}
  return {
    badge: {
      count: BADGE_COUNTS.includes(value.badge?.count)
        ? value.badge!.count
        : d.badge.count,
      windowMinutes: minutes(value.badge?.windowMinutes, d.badge.windowMinutes),
    },
    notifications: {
      kinds,
      waitingMinutes: minutes(value.notifications?.waitingMinutes, d.notifications.waitingMinutes),
      sound: typeof value.notifications?.sound === 'boolean'
        ? value.notifications.sound
        : d.notifications.sound,
      quietHours: {
        enabled: typeof quiet.enabled === 'boolean'
          ? quiet.enabled
          : d.notifications.quietHours.enabled,
        start: time(quiet.start, d.notifications.quietHours.start),
        end: time(quiet.end, d.notifications.quietHours.end),
      },
    },
    idle: {
      enabled: typeof value.idle?.enabled === 'boolean'
        ? value.idle.enabled
        : d.idle.enabled,
      minutes: minutes(value.idle?.minutes, d.idle.minutes, 1, 240),
    },
  }
}

// The key keeps its first name: the agents' stored settings stay where they are.
export const backgroundPrefsStorage = storage.defineItem<BackgroundPrefs>('local:companionPrefs', {
  fallback: DEFAULT_BACKGROUND_PREFS,
})

export async function getBackgroundPrefs(): Promise<BackgroundPrefs> {
  return withDefaults(await backgroundPrefsStorage.getValue())
}

export function watchBackgroundPrefs(listener: (prefs: BackgroundPrefs) => void): () => void {
  return backgroundPrefsStorage.watch(value => listener(withDefaults(value)))
}
