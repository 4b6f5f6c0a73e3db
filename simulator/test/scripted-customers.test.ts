import type { Harness } from './helpers.ts'
import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startScriptedCustomers } from '../src/scripted-customers.ts'
import { graphCall, MESSAGES_PATH, startHarness, startReceiver, textTo } from './helpers.ts'

let harness: Harness | undefined
let stop: (() => void) | undefined
afterEach(async () => {
  stop?.()
  stop = undefined
  await harness?.close()
  harness = undefined
})

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const start = Date.now()
  for (;;) {
    const value = read()
    if (value !== undefined && value !== false)
      return value
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('scripted customers', () => {
  it('write in over time with a mix of types, Romanian diacritics and emoji', async () => {
    const simLines: string[] = []
    harness = await startHarness({
      statusDelaysMs: { sent: 1, delivered: 2, read: null },
      log: line => simLines.push(line),
    })
    const lines: string[] = []
    stop = startScriptedCustomers(harness.sim, {
      intervalMs: 15,
      log: line => lines.push(line),
      loop: false,
    }).stop
    await waitFor(() => harness!.messages().length >= 12 || undefined, '12 scripted messages')
    await harness.sim.idle()
    const messages = harness.messages()
    const types = new Set(messages.map(m => (m.type === 'audio' && m.audio.voice
      ? 'voice'
      : m.type)))
    expect(types).toEqual(new Set([
      'text',
      'image',
      'location',
      'voice',
      'document',
    ]))
    const texts = messages.filter(m => m.type === 'text').map(m => m.text.body)
    expect(texts).toContain('Bună ziua! Cât costă livrarea în Cluj?')
    expect(texts).toContain('Hi, where is my order #4821?')
    expect(harness.hook.posts().some(post => post.text.includes('\\u0103'))).toBe(true)
    expect(new Set(harness.values().map(v => v.contacts[0].profile.name)).size).toBe(5)
    expect(lines[0]).toMatch(/^scripted customers started \(5 customers/)
    expect(simLines).toContain(`Ana Popescu (40722123456) → "Bună ziua! Cât costă livrarea în Cluj?" [${messages[0].id}]`)
    expect(simLines.some(line => /^James Carter \(447700900123\) → voice note \[wamid\./.test(line))).toBe(true)
  })

  it('read and answer business replies: a quoted follow-up, then a reaction and thanks', async () => {
    harness = await startHarness({
      statusDelaysMs: { sent: 1, delivered: 2, read: null },
    })
    stop = startScriptedCustomers(harness.sim, { intervalMs: 60, loop: false }).stop
    const first = await waitFor(() => harness!.messages().find(m => m.from === '40722123456'), 'Ana\'s first message')
    expect(first.text.body).toBe('Bună ziua! Cât costă livrarea în Cluj?')

    const reply1 = (await harness.graph('POST', MESSAGES_PATH, textTo('+40722123456', 'Livrarea în Cluj costă 15 lei.'))).json.messages[0].id
    const quoted = await waitFor(() => harness!.messages().find(m => m.context?.id === reply1), 'a quoted follow-up')
    expect(quoted.type).toBe('text')
    expect(quoted.from).toBe('40722123456')
    await waitFor(() => harness!.statuses().find(s => s.id === reply1 && s.status === 'read'), 'a read receipt')

    const reply2 = (await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', 'Durează 1-2 zile.'))).json.messages[0].id
    const reaction = await waitFor(() => harness!.messages().find(m => m.type === 'reaction' && m.reaction.message_id === reply2), 'a reaction')
    expect(reaction.reaction.emoji).toMatch(/\p{Extended_Pictographic}/u)
  })

  it('taps the first reply button of an interactive message', async () => {
    harness = await startHarness({
      statusDelaysMs: { sent: 1, delivered: 2, read: null },
    })
    stop = startScriptedCustomers(harness.sim, { intervalMs: 60, loop: false }).stop
    await waitFor(() => harness!.messages().find(m => m.from === '447700900123'), 'James\'s first message')
    const sent = await harness.graph('POST', MESSAGES_PATH, {
      messaging_product: 'whatsapp',
      to: '447700900123',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Shall we resend it?' },
        action: {
          buttons: [
            {
              type: 'reply',
              reply: { id: 'resend', title: 'Yes, resend' },
            },
            {
              type: 'reply',
              reply: { id: 'refund', title: 'Refund' },
            },
          ],
        },
      },
    })
    const tap = await waitFor(() => harness!.messages().find(m => m.type === 'interactive'), 'a button tap')
    expect(tap.interactive.button_reply).toEqual({ id: 'resend', title: 'Yes, resend' })
    expect(tap.context.id).toBe(sent.json.messages[0].id)
  })

  it('answer at most a couple of answers per scripted step, so a bot cannot ping-pong forever', async () => {
    harness = await startHarness({
      statusDelaysMs: { sent: 1, delivered: 2, read: null },
    })
    stop = startScriptedCustomers(harness.sim, { intervalMs: 100_000, replyDelayMs: 20, loop: false }).stop
    await waitFor(() => harness!.messages().find(m => m.from === '40722123456'), 'Ana\'s first message')
    for (let i = 0; i < 5; i++)
      await harness.graph('POST', MESSAGES_PATH, textTo('40722123456', `auto-reply ${i}`))
    await new Promise(resolve => setTimeout(resolve, 300))
    const fromAna = harness.messages().filter(m => m.from === '40722123456' && m.type !== 'reaction')
    expect(fromAna.length).toBe(3)
  })
})

describe('cLI', () => {
  it('starts from environment variables, signs webhooks with WHATSAPP_APP_SECRET and serves the Graph API', async () => {
    const hook = await startReceiver((request) => {
      const query = new URL(request.url, 'http://x').searchParams
      return request.method === 'GET'
        ? {
            status: 200,
            body: query.get('hub.challenge')!,
          }
        : 200
    })
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        SIM_PORT: '0',
        SIM_WEBHOOK_URL: hook.url,
        WHATSAPP_APP_SECRET: 'cli-secret',
        WHATSAPP_ACCESS_TOKEN: 'cli-token',
        WHATSAPP_VERIFY_TOKEN: 'cli-verify',
        WHATSAPP_PHONE_NUMBER_ID: '555',
        WHATSAPP_BUSINESS_ACCOUNT_ID: '777',
        SIM_SCRIPTED: '1',
        SIM_SCRIPT_INTERVAL_MS: '50',
        SIM_SEED: '9',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    try {
      const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], 'the CLI to listen', 15_000)
      const phone = await graphCall(url, 'GET', '/v25.0/555', undefined, { token: 'cli-token' })
      expect(phone.json.id).toBe('555')
      const post = await waitFor(() => hook.posts()[0], 'a scripted webhook', 10_000)
      expect(post.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'cli-secret').update(post.raw).digest('hex')}`)
      expect(post.json.entry[0].id).toBe('777')
      const handshake = await waitFor(() => hook.requests.find(r => r.method === 'GET'), 'the handshake')
      expect(new URL(handshake.url, 'http://x').searchParams.get('hub.verify_token')).toBe('cli-verify')
      await waitFor(() => output.includes('webhook #') || undefined, 'a log line')
    }
    finally {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
      await hook.close()
    }
  })
})
