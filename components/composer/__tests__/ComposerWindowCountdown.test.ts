import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import ComposerWindowCountdown from '../ComposerWindowCountdown.vue'
import { useEnglishMessages } from './helpers'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

describe('windowCountdown', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    useEnglishMessages()
    vi.useFakeTimers({ now: NOW })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each([
    [
      'hours and minutes',
      NOW + 3 * HOUR + 12 * MINUTE + 5000,
      'Window: 3 h 12 min left',
      'open',
    ],
    [
      'an hour exactly',
      NOW + HOUR,
      'Window: 1 h 0 min left',
      'open',
    ],
    [
      'the last hour, in the warning colour',
      NOW + 59 * MINUTE + 59_000,
      'Window: 59 min left',
      'warning',
    ],
    [
      'the last minute',
      NOW + 20_000,
      'Window closes in under a minute',
      'warning',
    ],
    [
      'closed',
      NOW - 1,
      'Window closed',
      'closed',
    ],
    [
      'never opened',
      null,
      'Window closed',
      'closed',
    ],
  ])('%s', (_name, expiresAt, text, state) => {
    const wrapper = mount(ComposerWindowCountdown, {
      props: { expiresAt },
    })
    const root = wrapper.get('[data-testid="window-countdown"]')
    expect(root.text()).toBe(text)
    expect(root.attributes('data-state')).toBe(state)
    expect(root.classes()).toContain(state === 'open'
      ? 'text-secondary'
      : state === 'warning'
        ? 'text-warning'
        : 'text-danger')
    wrapper.unmount()
  })

  it('counts down as time passes and closes on time', async () => {
    const wrapper = mount(ComposerWindowCountdown, {
      props: { expiresAt: NOW + HOUR + 30_000 },
    })
    expect(wrapper.text()).toBe('Window: 1 h 0 min left')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(wrapper.text()).toBe('Window: 59 min left')
    expect(wrapper.get('[data-testid="window-countdown"]').attributes('data-state')).toBe('warning')
    await vi.advanceTimersByTimeAsync(HOUR)
    expect(wrapper.text()).toBe('Window closed')
    wrapper.unmount()
  })

  it('follows a new expiry (the customer wrote again)', async () => {
    const wrapper = mount(ComposerWindowCountdown, {
      props: { expiresAt: NOW - HOUR },
    })
    expect(wrapper.text()).toBe('Window closed')
    await wrapper.setProps({ expiresAt: NOW + 24 * HOUR })
    expect(wrapper.text()).toBe('Window: 24 h 0 min left')
    wrapper.unmount()
  })
})
