/** Snooze choices offered in the conversation header: until a time, or until the customer writes. */
export type SnoozeChoice = 'hour' | 'evening' | 'tomorrow' | 'nextWeek' | 'reply'

/** The time a snooze choice ends (null: at the customer's next message), in local time. */
export function snoozeUntil(choice: SnoozeChoice, now = new Date()): number | null {
  const at = new Date(now)
  switch (choice) {
    case 'hour':
      return now.getTime() + 3600_000
    case 'evening':
      at.setHours(18, 0, 0, 0)
      if (at.getTime() <= now.getTime() + 15 * 60_000)
        at.setDate(at.getDate() + 1)
      return at.getTime()
    case 'tomorrow':
      at.setDate(at.getDate() + 1)
      at.setHours(9, 0, 0, 0)
      return at.getTime()
    case 'nextWeek': {
      // Monday 9:00 of next week
      const days = ((8 - at.getDay()) % 7) || 7
      at.setDate(at.getDate() + days)
      at.setHours(9, 0, 0, 0)
      return at.getTime()
    }
    case 'reply':
      return null
  }
}
