import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useServiceWindow, WINDOW_TICK_MS } from '../window'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

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
