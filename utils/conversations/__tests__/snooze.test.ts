import { describe, expect, it } from 'vitest'
import { snoozeUntil } from '~/utils/conversations/snooze'

describe('snooze choices', () => {
  // Wednesday 20 November 2024, 10:30 local time
  const now = new Date(2024, 10, 20, 10, 30)

  it('ends at the expected local times', () => {
    expect(snoozeUntil('hour', now)).toBe(now.getTime() + 3600_000)
    expect(new Date(snoozeUntil('evening', now)!)).toEqual(new Date(2024, 10, 20, 18, 0))
    expect(new Date(snoozeUntil('tomorrow', now)!)).toEqual(new Date(2024, 10, 21, 9, 0))
    expect(new Date(snoozeUntil('nextWeek', now)!)).toEqual(new Date(2024, 10, 25, 9, 0))
    expect(snoozeUntil('reply', now)).toBeNull()
  })

  it('moves "this evening" to tomorrow evening once it is (almost) evening', () => {
    expect(new Date(snoozeUntil('evening', new Date(2024, 10, 20, 17, 50))!)).toEqual(new Date(2024, 10, 21, 18, 0))
  })

  it('takes "next week" from a Monday to the Monday after', () => {
    expect(new Date(snoozeUntil('nextWeek', new Date(2024, 10, 25, 8, 0))!)).toEqual(new Date(2024, 11, 2, 9, 0))
  })
})
