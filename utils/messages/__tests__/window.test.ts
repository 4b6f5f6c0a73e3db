import { describe, expect, it } from 'vitest'
import { splitRemaining, windowState } from '../window'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('windowState', () => {
  it.each([
    [
      'never opened (the customer never wrote)',
      null,
      false,
      0,
    ],
    [
      'closed a second ago',
      NOW - 1000,
      false,
      0,
    ],
    ['closing right now', NOW, false, 0],
    [
      'open for 3 h 12 min',
      NOW + 3 * HOUR + 12 * MINUTE,
      true,
      3 * HOUR + 12 * MINUTE,
    ],
  ])('%s', (_name, expiresAt, open, remainingMs) => {
    expect(windowState(expiresAt, NOW)).toEqual({ open, remainingMs })
  })
})

describe('splitRemaining', () => {
  it.each([
    [3 * HOUR + 12 * MINUTE + 59_000, 3, 12],
    [59 * MINUTE + 59_000, 0, 59],
    [30_000, 0, 0],
    [24 * HOUR, 24, 0],
    [-5, 0, 0],
  ])('%i ms → %i h %i min (minutes rounded down)', (ms, hours, minutes) => {
    expect(splitRemaining(ms)).toEqual({ hours, minutes })
  })
})
