import { describe, expect, it } from 'vitest'
import { DEFAULT_BACKGROUND_PREFS, withDefaults } from '../background-prefs'

describe('preferences', () => {
  it('fill in defaults and clamp what was stored', () => {
    expect(withDefaults(undefined)).toEqual(DEFAULT_BACKGROUND_PREFS)
    const prefs = withDefaults({
      badge: { count: 'mine', windowMinutes: -5 },
      notifications: {
        kinds: { message: false },
        quietHours: { enabled: true, start: '25:00' },
      },
      idle: { minutes: 3 },
    })
    expect(prefs.badge).toEqual({ count: 'mine', windowMinutes: 1 })
    expect(prefs.notifications.kinds).toMatchObject({ message: false, assigned: true })
    expect(prefs.notifications.quietHours).toEqual({ enabled: true, start: '22:00', end: '08:00' })
    expect(prefs.idle).toEqual({ enabled: true, minutes: 3 })
  })
})
