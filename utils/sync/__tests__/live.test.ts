// The live socket's timing rules, with a scripted socket and a hand-driven clock.
import type { LiveSocket } from '../engine'
import { describe, expect, it } from 'vitest'
import { createApiClient } from '../../api/client'
import { AppDB } from '../../db'
import { createSyncEngine } from '../engine'

class FakeSocket implements LiveSocket {
  static all: FakeSocket[] = []
  readyState = 0
  onopen: LiveSocket['onopen'] = null
  onmessage: LiveSocket['onmessage'] = null
  onclose: LiveSocket['onclose'] = null
  onerror: LiveSocket['onerror'] = null
  sent: string[] = []
  closed = false
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }

  send(data: string) {
    this.sent.push(data)
  }

  close() {
    this.closed = true
  }

  receive(message: unknown) {
    this.onmessage?.({
      data: JSON.stringify(message),
    })
  }
}

function clock() {
  let now = 0
  let next = 0
  const pending = new Map<number, { at: number, fn: () => void }>()
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        pending.set(++next, { at: now + ms, fn })
        return next
      },
      clearTimeout: (handle: unknown) => {
        pending.delete(handle as number)
      },
      now: () => now,
      random: () => 1,
    },
    /** runs every timer due within `ms` */
    advance(ms: number) {
      const until = now + ms
      for (;;) {
        const due = [
          ...pending.entries(),
        ].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due)
          break
        pending.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = until
    },
  }
}

describe('live socket', () => {
  it('authenticates, treats two missed heartbeats as a dead socket and reconnects with capped backoff', async () => {
    FakeSocket.all = []
    const time = clock()
    const offline = async () => {
      throw new TypeError('offline in this test')
    }
    const engine = createSyncEngine({
      db: new AppDB('live-unit'),
      api: createApiClient({ serverUrl: 'https://inbox.example.com', token: 'tok', fetch: offline }),
      WebSocket: FakeSocket,
      timers: time.timers,
      baseBackoffMs: 1000,
      maxBackoffMs: 4000,
    })
    engine.start()
    const first = FakeSocket.all[0]!
    expect(first.url).toBe('wss://inbox.example.com/api/live')
    first.onopen?.({})
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(first.sent).toEqual([
      JSON.stringify({ type: 'auth', token: 'tok' }),
    ])
    first.receive({
      type: 'hello',
      agentId: 'a',
      seq: 1,
      heartbeatMs: 100,
    })
    expect(engine.status.live).toBe('open')

    time.advance(150)
    first.receive({ type: 'ping', at: 1 }) // keeps it alive
    time.advance(150)
    expect(first.closed).toBe(false)
    time.advance(60) // 210 ms since the last ping: dead
    expect(first.closed).toBe(true)
    expect(engine.status.live).toBe('closed')

    // reconnects after the backoff (random = 1: the full delay), doubling, capped
    expect(FakeSocket.all).toHaveLength(1)
    time.advance(1000)
    expect(FakeSocket.all).toHaveLength(2)
    FakeSocket.all[1]!.onclose?.({ code: 1006 })
    time.advance(1999)
    expect(FakeSocket.all).toHaveLength(2)
    time.advance(1)
    expect(FakeSocket.all).toHaveLength(3)
    FakeSocket.all[2]!.onclose?.({ code: 1006 })
    time.advance(4000)
    expect(FakeSocket.all).toHaveLength(4)
    FakeSocket.all[3]!.onclose?.({ code: 1006 })
    time.advance(4000) // capped at 4 s, not 8
    expect(FakeSocket.all).toHaveLength(5)

    // 4401: no more reconnects
    FakeSocket.all[4]!.onclose?.({ code: 4401 })
    time.advance(60_000)
    expect(FakeSocket.all).toHaveLength(5)
    expect(engine.status).toMatchObject({
      state: 'unauthorized',
      error: { code: 'session_expired' },
    })
    engine.stop()
  })
})
