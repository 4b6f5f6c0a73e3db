import type { SimulatorConfig } from '../src/index.ts'
import type { Harness } from './helpers.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { MESSAGES_PATH, startHarness, textTo } from './helpers.ts'

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

const ANA = { waId: '40722123456', name: 'Ana Popescu' }

async function openWindow(h: Harness, customer = ANA) {
  const wamid = await h.sim.receive(customer, { type: 'text', body: 'Bună ziua!' })
  await h.sim.flush()
  return wamid
}

async function send(h: Harness, body: unknown) {
  const answer = await h.graph('POST', MESSAGES_PATH, body)
  return answer
}

describe('send response and status progression', () => {
  it('answers with contacts and a wamid, then sends sent → delivered → read with pricing', async () => {
    harness = await startHarness({
      frozenClock: true,
      startTime: Date.UTC(2026, 10, 24, 9, 0, 0),
    })
    await openWindow(harness)
    const answer = await send(harness, textTo('+40 722-123-456', 'Livrarea în Cluj costă 15 lei 🚚'))
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8')
    const wamid = answer.json.messages[0].id
    expect(answer.json).toEqual({
      messaging_product: 'whatsapp',
      contacts: [
        { input: '+40 722-123-456', wa_id: '40722123456' },
      ],
      messages: [
        { id: wamid },
      ],
    })
    expect(wamid).toMatch(/^wamid\.HBg/)
    expect(harness.sim.outbound.at(-1)).toMatchObject({
      wamid,
      httpStatus: 200,
      phoneNumberId: '106540352242922',
      recipient: '40722123456',
    })

    await harness.sim.flush()
    const statuses = harness.statuses()
    expect(statuses.map(s => s.status)).toEqual(['sent', 'delivered', 'read'])
    const pricing = {
      billable: false,
      pricing_model: 'PMP',
      type: 'free_customer_service',
      category: 'service',
    }
    expect(statuses[0]).toEqual({
      id: wamid,
      status: 'sent',
      timestamp: String(Date.UTC(2026, 10, 24, 9, 0, 0) / 1000),
      recipient_id: '40722123456',
      recipient_user_id: expect.stringMatching(/^US\./),
      pricing,
    })
    expect(statuses[1].pricing).toEqual(pricing)
    expect(statuses[2].pricing).toBeUndefined()
    for (const status of statuses)
      expect(status.conversation).toBeUndefined()
    const statusValue = harness.values().find(value => value.statuses)
    expect(statusValue.contacts[0]).toMatchObject({
      wa_id: '40722123456',
      profile: { name: 'Ana Popescu' },
    })
  })

  it('spaces statuses by the configured delays on the simulator clock', async () => {
    harness = await startHarness({
      frozenClock: true,
      statusDelaysMs: { sent: 100, delivered: 2000, read: 60_000 },
    })
    await openWindow(harness)
    await send(harness, textTo('40722123456', 'hi'))
    const observe = async (ms: number) => {
      harness!.sim.clock.advance(ms)
      await new Promise(resolve => setTimeout(resolve, 20))
      return harness!.statuses().map(s => s.status)
    }
    expect(await observe(99)).toEqual([])
    expect(await observe(1)).toEqual(['sent'])
    expect(await observe(1899)).toEqual(['sent'])
    expect(await observe(1)).toEqual(['sent', 'delivered'])
    expect(await observe(58_000)).toEqual(['sent', 'delivered', 'read'])
  })

  it('never reads by itself when read is null; markRead makes the customer read now', async () => {
    harness = await startHarness({
      statusDelaysMs: { sent: 5, delivered: 10, read: null },
    })
    await openWindow(harness)
    const wamid = (await send(harness, textTo('40722123456', 'hi'))).json.messages[0].id
    await harness.sim.idle()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent', 'delivered'])
    harness.sim.markRead(wamid)
    harness.sim.markRead(wamid)
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent', 'delivered', 'read'])
    expect(() => harness!.sim.markRead('wamid.unknown')).toThrow(/no outbound message/)
  })

  it('markRead before delivery sends the pending statuses first', async () => {
    harness = await startHarness({
      frozenClock: true,
      statusDelaysMs: { sent: 1000, delivered: 2000, read: null },
    })
    await openWindow(harness)
    const wamid = (await send(harness, textTo('40722123456', 'hi'))).json.messages[0].id
    harness.sim.markRead(wamid)
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent', 'delivered', 'read'])
  })

  it('skips delivered when configured: only read follows sent, and read carries pricing', async () => {
    harness = await startHarness({ skipDeliveredRate: 1 })
    await openWindow(harness)
    await send(harness, textTo('40722123456', 'hi'))
    await harness.sim.flush()
    const statuses = harness.statuses()
    expect(statuses.map(s => s.status)).toEqual(['sent', 'read'])
    expect(statuses[1].pricing).toMatchObject({ category: 'service' })
  })

  it('plays voice messages', async () => {
    harness = await startHarness({
      statusDelaysMs: { sent: 1, delivered: 2, read: null },
    })
    await openWindow(harness)
    const media = harness.sim.media.put(new Uint8Array([1, 2, 3]), 'audio/ogg')
    const wamid = (await send(harness, {
      messaging_product: 'whatsapp',
      to: '40722123456',
      type: 'audio',
      audio: { id: media },
    })).json.messages[0].id
    harness.sim.markPlayed(wamid)
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent', 'delivered', 'read', 'played'])
  })

  it('echoes biz_opaque_callback_data on statuses', async () => {
    harness = await startHarness()
    await openWindow(harness)
    await send(harness, textTo('40722123456', 'hi', { biz_opaque_callback_data: 'outbox:17' }))
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.biz_opaque_callback_data)).toEqual(['outbox:17', 'outbox:17', 'outbox:17'])
  })
})

describe('reordering', () => {
  async function orders(config: Partial<SimulatorConfig>) {
    const h = await startHarness({ frozenClock: true, ...config })
    await openWindow(h)
    const wamids: string[] = []
    for (let i = 0; i < 6; i++)
      wamids.push((await send(h, textTo('40722123456', `m${i}`))).json.messages[0].id)
    await h.sim.flush()
    const statuses = h.statuses()
    await h.close()
    return {
      wamids,
      perMessage: wamids.map(wamid => statuses.filter(s => s.id === wamid).map(s => s.status).join('>')),
      statuses,
    }
  }

  it('delivers some messages\' statuses out of order, the same way for the same seed', async () => {
    const a = await orders({ seed: 11, reorderRate: 0.5 })
    const b = await orders({ seed: 11, reorderRate: 0.5 })
    expect(a.wamids).toEqual(b.wamids)
    expect(a.perMessage).toEqual(b.perMessage)
    const shuffled = a.perMessage.filter(order => order !== 'sent>delivered>read')
    expect(shuffled.length).toBeGreaterThan(0)
    expect(shuffled.length).toBeLessThan(6)
    for (const order of a.perMessage)
      expect(order.split('>').sort()).toEqual(['delivered', 'read', 'sent'])
  })

  it('keeps logical timestamps when the delivery order is shuffled', async () => {
    const { statuses, perMessage } = await orders({
      seed: 5,
      reorderRate: 1,
      statusDelaysMs: { sent: 1000, delivered: 5000, read: 9000 },
    })
    expect(perMessage.every(order => order !== 'sent>delivered>read')).toBe(true)
    const first = statuses.filter(s => s.id === statuses[0].id)
    const at = Object.fromEntries(first.map(s => [
      s.status,
      Number(s.timestamp),
    ]))
    expect(at.delivered - at.sent).toBe(4)
    expect(at.read - at.delivered).toBe(4)
  })

  it('keeps the natural order with reorderRate 0', async () => {
    const { perMessage } = await orders({ seed: 11 })
    expect(new Set(perMessage)).toEqual(new Set(['sent>delivered>read']))
  })
})

describe('reactions and mark-as-read', () => {
  it('sends only a sent status for a reaction to a real message', async () => {
    harness = await startHarness()
    const inbound = await openWindow(harness)
    const answer = await send(harness, {
      messaging_product: 'whatsapp',
      to: '40722123456',
      type: 'reaction',
      reaction: { message_id: inbound, emoji: '👍' },
    })
    expect(answer.status).toBe(200)
    await harness.sim.flush()
    expect(harness.statuses().map(s => s.status)).toEqual(['sent'])
  })

  it('accepts a reaction to an unknown message, then fails it with 131009', async () => {
    harness = await startHarness()
    await openWindow(harness)
    const answer = await send(harness, {
      messaging_product: 'whatsapp',
      to: '40722123456',
      type: 'reaction',
      reaction: { message_id: 'wamid.nope', emoji: '👍' },
    })
    expect(answer.status).toBe(200)
    await harness.sim.flush()
    const [failed] = harness.statuses()
    expect(failed.status).toBe('failed')
    expect(failed.errors[0]).toMatchObject({ code: 131009, title: 'Parameter value is not valid' })
    expect(harness.statuses()).toHaveLength(1)
  })

  it('marks inbound messages read with {success: true}; unknown or old ids give 131009', async () => {
    harness = await startHarness({ frozenClock: true })
    const recent = await openWindow(harness)
    const old = await harness.sim.receive(ANA, { type: 'text', body: 'vechi', timestamp: Math.floor(harness.sim.clock.now() / 1000) - 31 * 24 * 3600 })
    const ok = await send(harness, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: recent,
      typing_indicator: { type: 'text' },
    })
    expect(ok.status).toBe(200)
    expect(ok.json).toEqual({ success: true })
    for (const id of ['wamid.unknown', old]) {
      const bad = await send(harness, { messaging_product: 'whatsapp', status: 'read', message_id: id })
      expect(bad.status).toBe(400)
      expect(bad.json.error).toMatchObject({ code: 131009, message: '(#131009) Parameter value is not valid', type: 'OAuthException' })
    }
    expect(harness.sim.outbound.filter(send => send.wamid === undefined).map(send => send.httpStatus)).toEqual([200, 400, 400])
  })
})

describe('pricing', () => {
  it('bills a marketing template sent outside the window as regular', async () => {
    harness = await startHarness()
    const answer = await send(harness, {
      messaging_product: 'whatsapp',
      to: '40799000111',
      type: 'template',
      template: {
        name: 'new_collection',
        language: { code: 'ro' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'first_name', text: 'Ioana' },
            ],
          },
        ],
      },
    })
    expect(answer.status).toBe(200)
    expect(answer.json.messages[0].message_status).toBe('accepted')
    await harness.sim.flush()
    expect(harness.statuses()[0].pricing).toEqual({
      billable: true,
      pricing_model: 'PMP',
      type: 'regular',
      category: 'marketing',
    })
    // Unknown recipients have no contacts block on their statuses.
    expect(harness.values()[0].contacts).toBeUndefined()
  })
})
