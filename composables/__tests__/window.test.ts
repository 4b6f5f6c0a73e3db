import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { splitRemaining, useServiceWindow, WINDOW_TICK_MS, windowState } from '../window'

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

describe('useServiceWindow', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ticks every 30 s and closes exactly when the window ends', async () => {
    const expiresAt = ref<number | null>(NOW + MINUTE + 10_000)
    const scope = effectScope()
    const state = scope.run(() => useServiceWindow(expiresAt))!
    expect(state.open.value).toBe(true)
    expect(state.remainingMs.value).toBe(70_000)

    vi.advanceTimersByTime(WINDOW_TICK_MS)
    expect(state.remainingMs.value).toBe(40_000)
    vi.advanceTimersByTime(WINDOW_TICK_MS)
    expect(state.remainingMs.value).toBe(10_000)
    // The next tick is at the closing time, not 30 s later.
    vi.advanceTimersByTime(10_000)
    expect(state.open.value).toBe(false)
    expect(state.remainingMs.value).toBe(0)
    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reopens when a new customer message moves the expiry', async () => {
    const expiresAt = ref<number | null>(null)
    const scope = effectScope()
    const state = scope.run(() => useServiceWindow(expiresAt))!
    expect(state.open.value).toBe(false)
    expiresAt.value = NOW + 24 * HOUR
    await nextTick()
    expect(state.open.value).toBe(true)
    expect(state.remainingMs.value).toBe(24 * HOUR)
    scope.stop()
  })
})
