/**
 * WhatsApp's rules and errors (reference §3, §4): what is retried with backoff, what fails at
 * once with its code kept for the agent, and the window as Meta sees it.
 */
import type { Pair } from '../with-simulator.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { json } from '../helper.ts'
import { customerWrites, messageUntil, send, sendsTo, startPair } from '../with-simulator.ts'

let pair: Pair | null = null
afterEach(async () => {
  await pair?.close()
  pair = null
})

const errorOf = (row: { error: string | null }) => JSON.parse(row.error!)

describe('the 24-hour window as WhatsApp sees it', () => {
  it.each(['status', 'sync'] as const)('fails with 131047 (%s path), is not retried, and closes the window locally', async (windowErrorMode) => {
    pair = await startPair({
      sim: { windowErrorMode },
    })
    const { conversationId } = await customerWrites(pair, '40712000001')
    pair.sim.clock.advance(25 * 3600 * 1000) // Meta's clock says a day passed; ours does not know
    const res = await send(pair, conversationId, { type: 'text', text: 'are you there?' })
    expect(res.status).toBe(201)
    const message = await json(res)
    const failed = await messageUntil(pair, message.id, r => r.status === 'failed', 'failed')
    expect(errorOf(failed)).toMatchObject({ code: 131047, title: 'Re-engagement message' })
    expect(errorOf(failed).details).toMatch(/24 hours/)
    await pair.sim.idle()
    expect(sendsTo(pair, '40712000001')).toHaveLength(1)
    const conversation = await json(await pair.server.api(`/api/conversations/${conversationId}`))
    expect(conversation.windowExpiresAt).toBeLessThanOrEqual(Date.now())
    const next = await send(pair, conversationId, { type: 'text', text: 'again?' })
    expect((await json(next)).error.code).toBe('window_closed')
  })
})

describe('retried with backoff', () => {
  it('retries throughput errors (130429) until every message is sent', async () => {
    pair = await startPair({
      sim: { throughputPerSecond: 2 },
      env: { WHATSAPP_THROUGHPUT: '1000' },
    })
    const conversations = []
    for (let i = 0; i < 6; i++)
      conversations.push((await customerWrites(pair, `4071200010${i}`)).conversationId)
    const messages = await Promise.all(conversations.map(async id => json(await send(pair!, id, { type: 'text', text: 'grabă' }))))
    for (const m of messages)
      await messageUntil(pair, m.id, r => r.wamid !== null, 'sent after retries', 20_000)
    const throttled = pair.sim.outbound.filter(s => s.error?.code === 130429)
    expect(throttled.length).toBeGreaterThan(0)
    const accepted = pair.sim.outbound.filter(s => s.wamid && (s.body as any).text?.body === 'grabă')
    expect(accepted).toHaveLength(6)
  }, 30_000)

  it('retries the pair rate limit (131056) and keeps the customer\'s messages in order', async () => {
    pair = await startPair({
      sim: {
        pairLimit: { intervalMs: 500, burst: 1 },
      },
      env: { WHATSAPP_PAIR_BURST: '100', WHATSAPP_PAIR_INTERVAL_MS: '1' },
    })
    const { conversationId } = await customerWrites(pair, '40712000201')
    const texts = ['1', '2', '3']
    const messages = []
    for (const text of texts)
      messages.push(await json(await send(pair, conversationId, { type: 'text', text })))
    for (const m of messages)
      await messageUntil(pair, m.id, r => r.wamid !== null, 'sent after pair-limit retries', 20_000)
    expect(sendsTo(pair, '40712000201').some(s => s.error?.code === 131056)).toBe(true)
    expect(sendsTo(pair, '40712000201').filter(s => s.wamid).map(s => (s.body as any).text.body)).toEqual(texts)
  }, 30_000)

  it('paces a burst to one customer with its own pair limiter, so WhatsApp never refuses it', async () => {
    pair = await startPair({
      env: { WHATSAPP_PAIR_BURST: '2', WHATSAPP_PAIR_INTERVAL_MS: '300' },
    })
    const { conversationId } = await customerWrites(pair, '40712000301')
    const texts = ['a', 'b', 'c', 'd', 'e']
    const messages = []
    for (const text of texts)
      messages.push(await json(await send(pair, conversationId, { type: 'text', text })))
    for (const m of messages)
      await messageUntil(pair, m.id, r => r.wamid !== null, 'paced send')
    const sends = sendsTo(pair, '40712000301')
    expect(sends.map(s => (s.body as any).text.body)).toEqual(texts)
    expect(sends.every(s => !s.error)).toBe(true)
    // Two went at once (the burst), the rest one per interval.
    expect(sends.at(-1)!.at - sends[0]!.at).toBeGreaterThanOrEqual(3 * 300 - 50)
  })
})

describe('after Meta accepted a message', () => {
  it('never sends it again when something after the send throws', async () => {
    pair = await startPair()
    const { conversationId } = await customerWrites(pair, '40712000701')
    let thrown = 0
    const workspace = await pair.server.app.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()
    pair.server.app.live.subscribe(workspace.id, () => {
      if (thrown++ === 0)
        throw new Error('a listener bug')
    })
    const message = await json(await send(pair, conversationId, { type: 'text', text: 'only once' }))
    const sent = await messageUntil(pair, message.id, r => r.wamid !== null, 'sent')
    await new Promise(resolve => setTimeout(resolve, 1500))
    await pair.sim.idle()
    expect(sendsTo(pair, '40712000701').filter(s => (s.body as any).text?.body === 'only once')).toHaveLength(1)
    expect((await pair.server.app.db.selectFrom('messages').select('wamid').where('id', '=', message.id).executeTakeFirstOrThrow()).wamid).toBe(sent.wamid)
    expect(thrown).toBeGreaterThan(0)
  })
})

describe('failed at once, never retried', () => {
  it('keeps 130472 (experiment) from the failed status, without a resend', async () => {
    pair = await startPair({
      sim: {
        experimentRecipients: ['40712000401'],
      },
    })
    await pair.server.api('/api/templates/sync', { method: 'POST' })
    const { conversationId } = await customerWrites(pair, '40712000401')
    const res = await send(pair, conversationId, {
      type: 'template',
      template: {
        name: 'feedback_request',
        language: 'en',
        body: [
          { type: 'text', text: 'Ana' },
        ],
        buttons: [
          {
            index: 0,
            subType: 'url',
            parameter: { type: 'text', text: '4821' },
          },
        ],
      },
    })
    const failed = await messageUntil(pair, (await json(res)).id, r => r.status === 'failed', 'failed')
    expect(errorOf(failed).code).toBe(130472)
    expect(failed.wamid).not.toBeNull() // accepted by Meta first, then failed
    await pair.sim.idle()
    expect(sendsTo(pair, '40712000401')).toHaveLength(1)
  })

  it('keeps 131026 (undeliverable) from the failed status', async () => {
    pair = await startPair({
      sim: {
        undeliverableRecipients: ['40712000501'],
      },
    })
    const { conversationId } = await customerWrites(pair, '40712000501')
    const res = await send(pair, conversationId, { type: 'text', text: 'hello' })
    const failed = await messageUntil(pair, (await json(res)).id, r => r.status === 'failed', 'failed')
    expect(errorOf(failed)).toMatchObject({ code: 131026, title: 'Message undeliverable' })
    await pair.sim.idle()
    expect(sendsTo(pair, '40712000501')).toHaveLength(1)
  })

  it('fails on an expired access token (190) without retrying', async () => {
    pair = await startPair()
    const { conversationId } = await customerWrites(pair, '40712000601')
    pair.sim.expireAccessToken('a-new-token')
    const res = await send(pair, conversationId, { type: 'text', text: 'hello' })
    const failed = await messageUntil(pair, (await json(res)).id, r => r.status === 'failed', 'failed')
    expect(errorOf(failed).code).toBe(190)
    expect(failed.wamid).toBeNull()
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(sendsTo(pair, '40712000601')).toHaveLength(1)
  })
})
