/**
 * Status webhooks arrive duplicated, out of order, skipped, and even before the send call has
 * returned its wamid (reference §1.3). A message's status only moves forward; failed is kept.
 */
import type { Pair } from '../with-simulator.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { envelope, json } from '../helper.ts'
import { customerWrites, messageRow, messageUntil, send, startPair } from '../with-simulator.ts'

let pair: Pair | null = null
afterEach(async () => {
  await pair?.close()
  pair = null
})

async function sentMessage(p: Pair, waId: string, extra: Record<string, unknown> = { type: 'text', text: 'salut' }) {
  const { conversationId } = await customerWrites(p, waId)
  const message = await json(await send(p, conversationId, extra))
  return await messageUntil(p, message.id, r => r.wamid !== null, 'sent')
}

function status(id: string, value: string, at: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    status: value,
    timestamp: String(at),
    recipient_id: '40713000001',
    ...extra,
  }
}

describe('status ordering', () => {
  it('never moves backwards, and fills in the times of statuses that came late', async () => {
    pair = await startPair({
      sim: {
        statusDelaysMs: { sent: 60_000, delivered: 60_000, read: null },
      },
    })
    const row = await sentMessage(pair, '40713000001')
    const t = Math.floor(Date.now() / 1000)
    for (const s of [
      'read',
      'delivered',
      'sent',
      'delivered',
    ]) {
      const res = await pair.server.webhook(envelope({
        statuses: [
          status(row.wamid!, s, t + ({ sent: 1, delivered: 2, read: 3 } as any)[s]),
        ],
      }))
      expect(res.status).toBe(200)
    }
    const final = await messageRow(pair, row.id)
    expect(final.status).toBe('read')
    expect(final.delivered_at).toBe((t + 2) * 1000)
    expect(final.read_at).toBe((t + 3) * 1000)
    const events = await pair.server.app.db.selectFrom('status_events').select('status').where('wamid', '=', row.wamid!).execute()
    expect(events.map(e => e.status).sort()).toEqual(['delivered', 'read', 'sent'])
  })

  it('keeps failed with its code, title and details, and a late delivered does not clear it', async () => {
    pair = await startPair({
      sim: {
        statusDelaysMs: { sent: 60_000, delivered: 60_000, read: null },
      },
    })
    const row = await sentMessage(pair, '40713000002')
    const t = Math.floor(Date.now() / 1000)
    const failure = {
      code: 131049,
      title: 'This message was not delivered to maintain healthy ecosystem engagement.',
      message: 'This message was not delivered to maintain healthy ecosystem engagement.',
      error_data: { details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }
    await pair.server.webhook(envelope({
      statuses: [
        status(row.wamid!, 'failed', t, {
          errors: [failure],
        }),
      ],
    }))
    await pair.server.webhook(envelope({
      statuses: [
        status(row.wamid!, 'delivered', t + 1),
      ],
    }))
    const final = await messageRow(pair, row.id)
    expect(final.status).toBe('failed')
    expect(JSON.parse(final.error!)).toEqual({ code: 131049, title: failure.title, details: failure.error_data.details })
    const api = await json(await pair.server.api(`/api/conversations/${final.conversation_id}/messages?limit=1`))
    expect(api.items[0]).toMatchObject({
      status: 'failed',
      error: { code: 131049 },
    })
  })

  it('records played for a voice note', async () => {
    pair = await startPair({
      sim: {
        statusDelaysMs: { sent: 60_000, delivered: 60_000, read: null },
      },
    })
    const row = await sentMessage(pair, '40713000003')
    const t = Math.floor(Date.now() / 1000)
    await pair.server.webhook(envelope({
      statuses: [
        status(row.wamid!, 'played', t + 5),
        status(row.wamid!, 'read', t + 4),
      ],
    }))
    const final = await messageRow(pair, row.id)
    expect(final.status).toBe('played')
    expect(final.read_at).toBe((t + 4) * 1000)
    expect(final.played_at).toBe((t + 5) * 1000)
  })

  it('applies statuses that arrived before the send call returned its wamid', async () => {
    let early = 0
    pair = await startPair({
      sim: {
        statusDelaysMs: { sent: 0, delivered: 0, read: null },
      },
      wrapGraph: graph => ({
        ...graph,
        async sendMessage(channel, body) {
          const result = await graph.sendMessage(channel, body)
          // Meta's webhooks beat the HTTP response: deliver them and wait for the 200s first.
          await pair!.sim.flush()
          early = await pair!.server.app.db.selectFrom('status_events').select('status').where('wamid', '=', result.wamid).execute().then(r => r.length)
          return result
        },
      }),
    })
    const { conversationId } = await customerWrites(pair, '40713000004')
    const message = await json(await send(pair, conversationId, { type: 'text', text: 'rapid' }))
    const final = await messageUntil(pair, message.id, r => r.status === 'delivered', 'delivered from early statuses')
    expect(early).toBe(2) // sent and delivered were stored before the wamid was known
    expect(final.sent_at).not.toBeNull()
    expect(final.delivered_at).not.toBeNull()
  })

  it('sweeps up a stored status whose immediate application was lost', async () => {
    pair = await startPair({
      sim: {
        statusDelaysMs: { sent: 60_000, delivered: 60_000, read: null },
      },
      env: { STATUS_SWEEP_INTERVAL_MS: '200' },
    })
    const row = await sentMessage(pair, '40713000005')
    // As if the webhook stored it while the wamid was unknown and the second look then failed.
    await pair.server.app.db.insertInto('status_events').values({
      id: 'se-lost',
      channel_id: row.channel_id,
      wamid: row.wamid!,
      status: 'read',
      timestamp: Date.now(),
      errors: null,
      raw: '{}',
      created_at: Date.now(),
    }).execute()
    const swept = await messageUntil(pair, row.id, r => r.status === 'read', 'read by the sweep', 5000)
    expect(swept.read_at).not.toBeNull()
  })

  it('ends every message at read under reordered, duplicated and skipped statuses (seeded)', async () => {
    pair = await startPair({
      sim: {
        seed: 42,
        reorderRate: 1,
        duplicateRate: 0.5,
        skipDeliveredRate: 0.3,
        statusDelaysMs: { sent: 5, delivered: 10, read: 15 },
        batch: { maxItems: 4, maxDelayMs: 5 },
      },
    })
    const ids: string[] = []
    for (let i = 0; i < 8; i++) {
      const { conversationId } = await customerWrites(pair, `4071300010${i}`)
      ids.push((await json(await send(pair, conversationId, { type: 'text', text: `m${i}` }))).id)
    }
    for (const id of ids)
      await messageUntil(pair, id, r => r.status === 'read', 'read')
    await pair.sim.idle()
    for (const id of ids)
      expect((await messageRow(pair, id)).status).toBe('read')
    const duplicates = pair.sim.deliveries.length - new Set(pair.sim.deliveries.map(d => d.body)).size
    expect(duplicates).toBeGreaterThan(0) // the seed really did duplicate deliveries
  })
})
