/**
 * The bots end to end through the real connector: a customer writes through the simulator (signed
 * webhooks), the bots decide after the commit, and their replies go out through the outbound
 * queue to the simulator's Graph API. The AI provider is the local OpenAI-compatible stand-in.
 */
import type { BotSettingsInput } from '../../../protocol/bots.ts'
import type { LlmStandIn } from '../../../simulator/src/llm.ts'
import type { Pair } from '../with-simulator.ts'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startLlmStandIn } from '../../../simulator/src/llm.ts'
import { runBotJob } from '../../src/bots/runner.ts'
import { eventually, json } from '../helper.ts'
import { addAgent } from '../team.ts'
import { customerWrites, send, sendsTo, startPair } from '../with-simulator.ts'

let pair: Pair
let llm: LlmStandIn
let waSeq = 40_700_000_000

function nextWaId(): string {
  return String(++waSeq)
}

async function settings(): Promise<BotSettingsInput> {
  const res = await pair.server.api('/api/bots')
  expect(res.status).toBe(200)
  const view = await json(res)
  const { apiKeySet: _, ...provider } = view.aiBot.provider ?? {}
  return {
    ...view,
    aiBot: {
      ...view.aiBot,
      provider: view.aiBot.provider ? provider : null,
    },
  }
}

async function save(change: (s: BotSettingsInput) => void): Promise<void> {
  const s = await settings()
  change(s)
  const res = await pair.server.api('/api/bots', { method: 'PUT', json: s })
  expect(res.status, await res.clone().text()).toBe(200)
}

/** Every queued bot job decided, and every queued message handed to the simulator. */
async function settled(): Promise<void> {
  await eventually(async () => {
    const job = await pair.server.app.db.selectFrom('bot_jobs').select('id').where('state', '=', 'queued').executeTakeFirst()
    const pending = await pair.server.app.db.selectFrom('outbound_jobs').select('id').where('state', 'in', ['queued', 'running']).executeTakeFirst()
    return !job && !pending
  }, 15_000, 'bots and outbound queue settled')
}

function texts(waId: string): string[] {
  return sendsTo(pair, waId).map((s) => {
    const body = s.body as any
    return body.text?.body ?? body.interactive?.body?.text ?? `template:${body.template?.name}`
  })
}

async function conversationOf(id: string) {
  return await json(await pair.server.api(`/api/conversations/${id}`))
}

async function addKnowledge(title: string, body: string, language: 'ro' | 'en' | 'any' = 'any') {
  const res = await pair.server.api('/api/bots/knowledge', {
    json: { kind: 'qa', title, body, language },
  })
  expect(res.status).toBe(201)
  return (await json(res)).id as string
}

/** A schedule open all week (so "now" is in business hours whatever the clock says). */
const ALWAYS_OPEN = [0, 1, 2, 3, 4, 5, 6].map(day => ({ day, from: '00:00', to: '24:00' }))
function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(Date.now())
}

beforeAll(async () => {
  pair = await startPair()
  llm = await startLlmStandIn({ apiKey: 'sk-test-key-123' })
})

beforeEach(async () => {
  await save((s) => {
    s.replyBot.rules = []
    s.replyBot.welcome.enabled = false
    s.replyBot.away.enabled = false
    s.replyBot.confirmation.enabled = false
    s.hours.schedule = ALWAYS_OPEN
    s.hours.holidays = []
    s.aiBot.provider = null
    s.aiBot.maxTurns = 3
    s.maxRepliesPerHour = 6
    s.newContacts = { replyBot: true, aiBot: false }
  })
})
afterEach(async () => {
  await settled()
})
afterAll(async () => {
  await pair?.close()
  await llm?.close()
})

describe('reply bot', () => {
  it('answers a rule in the customer\'s words, marked as the Reply Bot, accent-insensitive', async () => {
    await save((s) => {
      s.replyBot.rules = [
        {
          id: 'price',
          name: 'Prices',
          enabled: true,
          match: 'keyword',
          patterns: ['preț'],
          language: 'any',
          reply: {
            text: 'Prețurile sunt pe site: example.ro/preturi',
            buttons: ['Comandă', 'Agent'],
          },
        },
      ]
    })
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'care e pretul?')
    await settled()
    const sent = sendsTo(pair, waId)
    expect(sent).toHaveLength(1)
    expect((sent[0]!.body as any).type).toBe('interactive')
    expect((sent[0]!.body as any).interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Comandă', 'Agent'])
    const page = await json(await pair.server.api(`/api/conversations/${conversationId}/messages`))
    const out = page.items.find((m: any) => m.direction === 'out')
    expect(out).toMatchObject({
      bot: 'reply',
      senderId: null,
      type: 'interactive',
      status: expect.stringMatching(/sent|delivered|read/),
    })
    expect(out.content.body).toBe('Prețurile sunt pe site: example.ro/preturi')
  })

  it('welcomes a new conversation, confirms the next message once, then stays quiet', async () => {
    await save((s) => {
      s.replyBot.welcome.enabled = true
      s.replyBot.confirmation.enabled = true
      s.replyBot.confirmationMinutes = 20
    })
    const waId = nextWaId()
    await customerWrites(pair, waId, 'Bună ziua')
    await settled()
    await customerWrites(pair, waId, 'Am o întrebare despre comandă')
    await settled()
    await customerWrites(pair, waId, 'Mai sunteți acolo?')
    await settled()
    expect(texts(waId)).toEqual([
      'Bună ziua! Vă mulțumim că ne-ați scris. Un coleg vă răspunde în curând.',
      'Am primit mesajul dumneavoastră. Un coleg vă răspunde în cel mult 20 minute.',
    ])
  })

  it('sends the away message outside business hours (a holiday today), once per closed period', async () => {
    await save((s) => {
      s.replyBot.away.enabled = true
      s.replyBot.welcome.enabled = true
      s.hours.holidays = [
        today(s.hours.timeZone),
      ]
    })
    const waId = nextWaId()
    await customerWrites(pair, waId, 'Hello, are you open?')
    await settled()
    await customerWrites(pair, waId, 'hello?')
    await settled()
    expect(texts(waId)).toEqual(['Thank you for your message. We are closed right now; we will answer as soon as we open.'])
  })

  it('never replies twice to one customer message: webhook redelivery and a job run twice', async () => {
    await save((s) => {
      s.replyBot.rules = [
        {
          id: 'hours',
          name: 'Hours',
          enabled: true,
          match: 'phrase',
          patterns: ['opening hours'],
          language: 'any',
          reply: { text: 'We are open 9 to 5.' },
        },
      ]
    })
    const waId = nextWaId()
    const { messageId, conversationId } = await customerWrites(pair, waId, 'What are your opening hours?')
    await settled()
    // Meta redelivers the same POST (same wamid) three times.
    const original = pair.sim.deliveries.find(d => d.body.includes(waId) && d.body.includes('opening hours'))!
    for (let i = 0; i < 3; i++)
      expect((await pair.sim.deliverRaw(original.body)).status).toBe(200)
    // And the decision runs again for the same message (a crash after sending, a lease that expired).
    const again = await runBotJob({
      db: pair.server.app.db,
      publish: () => {},
      wakeWorker: () => {},
    }, { workspace_id: (await pair.server.app.db.selectFrom('messages').select('workspace_id').where('id', '=', messageId).executeTakeFirstOrThrow()).workspace_id, conversation_id: conversationId, message_id: messageId })
    expect(again.silentReason).toBe('already_sent')
    await settled()
    expect(texts(waId)).toEqual(['We are open 9 to 5.'])
    const jobs = await pair.server.app.db.selectFrom('bot_jobs').select('id').where('message_id', '=', messageId).execute()
    expect(jobs).toHaveLength(1)
  })

  it('stays quiet after an agent replied, and for a contact whose Reply Bot is off', async () => {
    await save((s) => {
      s.replyBot.rules = [
        {
          id: 'p',
          name: 'P',
          enabled: true,
          match: 'keyword',
          patterns: ['pret'],
          language: 'any',
          reply: { text: 'Vezi site-ul.' },
        },
      ]
    })
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'salut')
    await settled()
    expect((await send(pair, conversationId, { type: 'text', text: 'Bună, cu ce vă ajut?' })).status).toBe(201)
    await settled()
    await customerWrites(pair, waId, 'pret?')
    await settled()
    expect(texts(waId)).toEqual(['Bună, cu ce vă ajut?'])

    const other = nextWaId()
    const first = await customerWrites(pair, other, 'hello')
    await settled()
    const conversation = await conversationOf(first.conversationId)
    expect((await pair.server.api(`/api/contacts/${conversation.contactId}`, {
      method: 'PATCH',
      json: { replyBot: false },
    })).status).toBe(200)
    await customerWrites(pair, other, 'pret?')
    await settled()
    expect(texts(other)).toEqual([])
  })

  it('does not loop with another bot: an echo of its own text and the hourly cap stop it', async () => {
    await save((s) => {
      s.maxRepliesPerHour = 2
      s.replyBot.rules = [
        {
          id: 'any',
          name: 'Any',
          enabled: true,
          match: 'regex',
          patterns: ['.'],
          language: 'any',
          reply: { text: 'Auto: we got it.' },
        },
      ]
    })
    const waId = nextWaId()
    await customerWrites(pair, waId, 'Auto-reply: I am out of office')
    await settled()
    await customerWrites(pair, waId, 'Auto: we got it.') // the other bot repeats ours
    await settled()
    await customerWrites(pair, waId, 'Auto-reply: I am out of office again')
    await settled()
    await customerWrites(pair, waId, 'Auto-reply: still out of office')
    await settled()
    expect(texts(waId)).toEqual(['Auto: we got it.', 'Auto: we got it.'])
  })
})

describe('ai bot', () => {
  let agent: Awaited<ReturnType<typeof addAgent>>
  beforeAll(async () => {
    agent = await addAgent(pair.server, { name: 'Ana' })
    await addKnowledge('Cât durează livrarea?', 'Livrarea durează 1-2 zile lucrătoare în toată țara.', 'ro')
    await addKnowledge('How long does delivery take?', 'Delivery takes 1-2 working days anywhere in Romania.', 'en')
    await addKnowledge('Cum returnez un produs?', 'Aveți 30 de zile pentru retur, din contul dumneavoastră, secțiunea Comenzi.', 'ro')
  })
  beforeEach(async () => {
    await save((s) => {
      s.newContacts = { replyBot: false, aiBot: true }
    })
  })

  it('answers a known question, then hands over when the customer asks for a person', async () => {
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'buna, cat dureaza livrarea la Cluj?')
    await settled()
    expect(texts(waId)).toEqual(['Livrarea durează 1-2 zile lucrătoare în toată țara.'])
    const answer = (await json(await pair.server.api(`/api/conversations/${conversationId}/messages`))).items.find((m: any) => m.direction === 'out')
    expect(answer.bot).toBe('ai')
    expect((await conversationOf(conversationId)).botHandover).toBeNull()

    // An agent had taken it; the hand-over gives it back to the team.
    expect((await pair.server.api(`/api/conversations/${conversationId}/assign`, {
      json: { assigneeId: agent.id },
    })).status).toBe(200)
    await customerWrites(pair, waId, 'Vreau să vorbesc cu un om, vă rog')
    await settled()
    const conversation = await conversationOf(conversationId)
    expect(conversation.assigneeId).toBeNull()
    expect(conversation.botHandover).toMatchObject({ reason: 'asked_for_human' })
    expect(texts(waId).at(-1)).toBe('Vă transfer către un coleg, care vă va răspunde în curând.')
    const notifications = await json(await agent.api('/api/notifications'))
    expect(notifications.items.filter((n: any) => n.kind === 'handover' && n.conversationId === conversationId)).toHaveLength(1)
    const events = await json(await pair.server.api(`/api/conversations/${conversationId}/events`))
    expect(events.items.at(-1)).toMatchObject({
      kind: 'assigned',
      actorId: null,
      from: agent.id,
      to: null,
    })

    // The history reads in the order things happened: each answer after its question.
    const history = (await json(await pair.server.api(`/api/conversations/${conversationId}/messages`))).items.sort((a: any, b: any) => a.timestamp - b.timestamp).map((m: any) => `${m.direction}:${m.content.body ?? m.content.text}`)
    expect(history).toEqual([
      'in:buna, cat dureaza livrarea la Cluj?',
      'out:Livrarea durează 1-2 zile lucrătoare în toată țara.',
      'in:Vreau să vorbesc cu un om, vă rog',
      'out:Vă transfer către un coleg, care vă va răspunde în curând.',
    ])

    // Handed over: the AI Bot stays out of it, even for a question it knows.
    await customerWrites(pair, waId, 'cat dureaza livrarea?')
    await settled()
    expect(texts(waId)).toHaveLength(2)

    // Turning the AI Bot on again puts it back in charge.
    await pair.server.api(`/api/contacts/${conversation.contactId}`, {
      method: 'PATCH',
      json: { aiBot: false },
    })
    await pair.server.api(`/api/contacts/${conversation.contactId}`, {
      method: 'PATCH',
      json: { aiBot: true },
    })
    expect((await conversationOf(conversationId)).botHandover).toBeNull()
  })

  it('hands over a question the knowledge base cannot answer, and after maxTurns answers', async () => {
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'Aveți parcare pentru camioane la depozitul din Brașov?')
    await settled()
    expect((await conversationOf(conversationId)).botHandover).toMatchObject({ reason: 'low_confidence' })

    await save((s) => {
      s.aiBot.maxTurns = 2
    })
    const other = nextWaId()
    const second = await customerWrites(pair, other, 'How long does delivery take?')
    await settled()
    await customerWrites(pair, other, 'and how long does delivery take to Iasi?')
    await settled()
    await customerWrites(pair, other, 'delivery time for Timisoara?')
    await settled()
    expect((await conversationOf(second.conversationId)).botHandover).toMatchObject({ reason: 'max_turns' })
    expect(texts(other)).toEqual([
      'Delivery takes 1-2 working days anywhere in Romania.',
      'Delivery takes 1-2 working days anywhere in Romania.',
      'I am passing you to a colleague, who will answer you shortly.',
    ])
  })

  it('writes the answer with the configured provider from the retrieved entries', async () => {
    llm.setMode('answer')
    await save((s) => {
      s.aiBot.provider = {
        baseUrl: llm.url,
        model: 'sim-llm',
        auth: 'bearer',
        timeoutMs: 5000,
        systemPrompt: 'You are the shop\'s assistant.',
        apiKey: 'sk-test-key-123',
      }
    })
    const view = await json(await pair.server.api('/api/bots'))
    expect(view.aiBot.provider).toMatchObject({ apiKeySet: true })
    expect(JSON.stringify(view)).not.toContain('sk-test-key-123')
    const before = llm.requests.length
    const waId = nextWaId()
    await customerWrites(pair, waId, 'how long does delivery take?')
    await settled()
    const request = llm.requests.slice(before).find(r => r.path.endsWith('/chat/completions'))!
    expect(request.headers.authorization).toBe('Bearer sk-test-key-123')
    expect(request.body.messages[0].content).toContain('You are the shop\'s assistant.')
    expect(request.body.messages[0].content).toContain('Delivery takes 1-2 working days')
    expect(request.body.messages.at(-1)).toEqual({ role: 'user', content: 'how long does delivery take?' })
    const [answer] = texts(waId)
    expect(answer).toContain('Delivery takes 1-2 working days')
  })

  it.each([
    ['slow', 'provider_timeout'],
    ['fail', 'provider_error'],
    ['garbage', 'provider_invalid'],
    ['refuse', 'provider_refused'],
  ] as const)('a provider that is %s: hands over (%s), never sends a broken reply', async (mode, reason) => {
    llm.setMode(mode, { delayMs: 5000 })
    await save((s) => {
      s.aiBot.provider = {
        baseUrl: llm.url,
        model: 'sim-llm',
        auth: 'bearer',
        timeoutMs: 1000,
        systemPrompt: '',
        apiKey: 'sk-test-key-123',
      }
    })
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'How long does delivery take?')
    await settled()
    expect((await conversationOf(conversationId)).botHandover).toMatchObject({ reason })
    expect(texts(waId)).toEqual(['I am passing you to a colleague, who will answer you shortly.'])
    llm.setMode('answer')
  })

  it('the webhook never waits for a slow provider', async () => {
    llm.setMode('slow', { delayMs: 3000 })
    await save((s) => {
      s.aiBot.provider = {
        baseUrl: llm.url,
        model: 'sim-llm',
        auth: 'bearer',
        timeoutMs: 10_000,
        systemPrompt: '',
        apiKey: 'sk-test-key-123',
      }
    })
    const waId = nextWaId()
    const started = Date.now()
    await customerWrites(pair, waId, 'How long does delivery take?')
    const stored = Date.now() - started
    expect(stored).toBeLessThan(2500) // acknowledged and stored while the provider still thinks
    await settled()
    expect(texts(waId)[0]).toContain('Delivery takes 1-2 working days')
    llm.setMode('answer')
  })

  it('suggests a reply to an agent from the knowledge base, or says there is none', async () => {
    await save((s) => {
      s.newContacts = { replyBot: false, aiBot: false }
    })
    const waId = nextWaId()
    const { conversationId } = await customerWrites(pair, waId, 'cum fac retur la o comanda?')
    await settled()
    const res = await agent.api(`/api/conversations/${conversationId}/suggest-reply`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await json(res)).toMatchObject({
      source: 'knowledge',
      text: expect.stringContaining('30 de zile'),
    })
    expect(texts(waId)).toEqual([]) // a suggestion is never sent

    const other = nextWaId()
    const second = await customerWrites(pair, other, 'Ce culoare are cerul pe Marte?')
    const none = await agent.api(`/api/conversations/${second.conversationId}/suggest-reply`, { method: 'POST' })
    expect(none.status).toBe(422)
    expect((await json(none)).error.code).toBe('no_suggestion')
  })
})
