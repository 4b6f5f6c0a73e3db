import type { EffectScope } from 'vue'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { contact, conversation } from '~/components/contact/__tests__/fixtures'
import { agent, liveFixture, session } from '~/components/reports/__tests__/fixtures'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import { useReportLive } from '../reports-live'

describe('useReportLive', () => {
  let scope: EffectScope
  let fetchMock: ReturnType<typeof vi.fn>
  let open = 1

  beforeEach(async () => {
    open = 1
    fetchMock = vi.fn(async () => new Response(JSON.stringify(liveFixture({ open: open++ })), {
      headers: { 'Content-Type': 'application/json' },
    }))
    vi.stubGlobal('fetch', fetchMock)
    await authSessionStorage.setValue(session(agent('a9', 'Adi', { role: 'admin' })))
    scope = effectScope()
  })

  afterEach(() => {
    scope.stop()
  })

  it('asks once at start, then again (once, debounced) when the synced conversations or agents change', async () => {
    await db.agents.put(agent('a1', 'Ana'))
    const live = scope.run(() => useReportLive({ debounceMs: 50, refreshMs: 60_000 }))!
    await vi.waitFor(() => expect(live.data.value?.open).toBe(1))
    expect(new URL(String(fetchMock.mock.calls[0]![0])).pathname).toBe('/api/reports/live')
    // Nothing changed: no second request.
    await new Promise(resolve => setTimeout(resolve, 150))
    expect(fetchMock).toHaveBeenCalledTimes(1)

    // A burst of synced writes → one refresh.
    const who = contact('c1')
    await db.conversations.put(conversation('k1', who))
    await db.conversations.put(conversation('k2', who))
    await db.conversations.update('k1', { assigneeId: 'a1' })
    await vi.waitFor(() => expect(live.data.value?.open).toBe(2))
    await new Promise(resolve => setTimeout(resolve, 150))
    expect(fetchMock).toHaveBeenCalledTimes(2)

    // A change that leaves the counts as they were (an agent goes away) counts too.
    await db.agents.update('a1', { availability: 'away' })
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(3))
  })

  it('refreshes on its own every so often, and stops with its scope', async () => {
    scope.run(() => useReportLive({ debounceMs: 10, refreshMs: 80 }))
    await vi.waitFor(() => expect(fetchMock.mock.calls.length).toBeGreaterThanOrEqual(3), { timeout: 1000 })
    scope.stop()
    const calls = fetchMock.mock.calls.length
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(fetchMock).toHaveBeenCalledTimes(calls)
  })

  it('keeps the last figures and says why when a refresh fails', async () => {
    const live = scope.run(() => useReportLive({ debounceMs: 10, refreshMs: 60_000 }))!
    await vi.waitFor(() => expect(live.state.value).toBe('ready'))
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({
      error: { code: 'forbidden', message: 'no' },
    }), { status: 403 }))
    await live.refresh()
    expect(live.state.value).toBe('forbidden')
    expect(live.error.value).toEqual({ code: 'forbidden' })
    expect(live.data.value?.open).toBe(1)
  })
})
