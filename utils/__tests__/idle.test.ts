import { describe, expect, it, vi } from 'vitest'
import { applyIdleState, autoAwayStorage, idleTransition } from '../idle'

describe('idle', () => {
  it('goes away when idle or locked, and back only from its own away', () => {
    expect(idleTransition('idle', 'online', false)).toEqual({ set: 'away', autoAway: true })
    expect(idleTransition('locked', 'online', false)).toEqual({ set: 'away', autoAway: true })
    expect(idleTransition('idle', 'away', false)).toEqual({ set: null, autoAway: false }) // the agent's own away
    expect(idleTransition('active', 'away', true)).toEqual({ set: 'online', autoAway: false })
    expect(idleTransition('active', 'away', false)).toEqual({ set: null, autoAway: false })
    expect(idleTransition('active', 'offline', true)).toEqual({ set: null, autoAway: false })
  })

  it('applies transitions through setAvailability and remembers its own away', async () => {
    let current: 'online' | 'away' = 'online'
    const setAvailability = vi.fn(async (value: 'online' | 'away') => {
      current = value
    })
    const options = {
      enabled: async () => true,
      current: async () => current,
      setAvailability,
    } as never
    await applyIdleState('locked', options)
    expect(setAvailability).toHaveBeenLastCalledWith('away')
    expect(await autoAwayStorage.getValue()).toBe(true)
    await applyIdleState('active', options)
    expect(setAvailability).toHaveBeenLastCalledWith('online')
    expect(await autoAwayStorage.getValue()).toBe(false)
    // turned off: nothing happens
    await applyIdleState('idle', {
      enabled: async () => false,
      current: async () => 'online',
      setAvailability,
    } as never)
    expect(setAvailability).toHaveBeenCalledTimes(2)
  })
})
