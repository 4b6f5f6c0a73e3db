/** The bots' admin API: settings (validation, the provider key), the knowledge base, and the "test this message" trace. */
import type { BotSettingsInput } from '../../../protocol/bots.ts'
import type { TestServer } from '../helper.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam, otherWorkspace } from '../team.ts'

let server: TestServer

async function current(): Promise<BotSettingsInput> {
  const view = await json(await server.api('/api/bots'))
  const provider = view.aiBot.provider
    ? (({ apiKeySet: _, ...rest }) => rest)(view.aiBot.provider)
    : null
  return {
    ...view,
    aiBot: { ...view.aiBot, provider },
  }
}

async function put(settings: BotSettingsInput) {
  return await server.api('/api/bots', { method: 'PUT', json: settings })
}

beforeAll(async () => {
  server = await startServer({
    env: { BOTS: '0' },
  })
})
afterAll(async () => {
  await server?.close()
})

describe('settings', () => {
  it('answers the defaults to an admin, 403 to an agent', async () => {
    const res = await server.api('/api/bots')
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body).toMatchObject({
      replyBot: {
        enabled: true,
        rules: [],
        welcome: { enabled: false },
      },
      aiBot: { threshold: 0.5, maxTurns: 3, provider: null },
      hours: { timeZone: 'Europe/Bucharest' },
      newContacts: { replyBot: false, aiBot: false },
    })
    const agent = await addAgent(server)
    const denied = await agent.api('/api/bots')
    expect(denied.status).toBe(403)
    expect((await json(denied)).error.code).toBe('forbidden')
    expect((await agent.api('/api/bots', { method: 'PUT', json: await current() })).status).toBe(403)
  })

  it('saves and reads back rules, hours and the hand-over team', async () => {
    const teamId = await addTeam(server, 'Support')
    const s = await current()
    s.replyBot.rules = [
      {
        id: 'r1',
        name: 'Price',
        enabled: true,
        match: 'regex',
        patterns: ['pre[tț]\\w*'],
        language: 'ro',
        reply: {
          text: 'Vezi lista de prețuri.',
          buttons: ['Da', 'Nu'],
        },
      },
    ]
    s.hours = {
      timeZone: 'Europe/London',
      schedule: [
        { day: 1, from: '08:30', to: '12:00' },
        { day: 1, from: '13:00', to: '17:00' },
      ],
      holidays: ['2026-12-25'],
    }
    s.handoverTeamId = teamId
    const res = await put(s)
    expect(res.status).toBe(200)
    expect(await current()).toEqual(s)
  })

  it.each([
    ['(unclosed', 'syntax'],
    ['(?=look)ahead', 'syntax'],
    ['(a)\\1', 'syntax'],
  ])('refuses the regular expression %j (%s), naming the pattern', async (pattern, reason) => {
    const s = await current()
    s.replyBot.rules = [
      {
        id: 'ok',
        name: 'ok',
        enabled: true,
        match: 'keyword',
        patterns: ['pret'],
        language: 'any',
        reply: { text: 'x' },
      },
      {
        id: 'bad',
        name: 'bad',
        enabled: true,
        match: 'regex',
        patterns: ['fine', pattern],
        language: 'any',
        reply: { text: 'x' },
      },
    ]
    const before = await current()
    const res = await put(s)
    expect(res.status).toBe(400)
    const { error } = await json(res)
    expect(error).toMatchObject({
      code: 'invalid_pattern',
      field: 'replyBot.rules.1.patterns.1',
      details: { reason },
    })
    expect(JSON.stringify(error)).not.toMatch(/at .*\.ts:\d+/) // no stack trace
    expect(await current()).toEqual(before) // nothing saved
  })

  it.each([
    [
      (s: BotSettingsInput) => { s.hours.timeZone = 'Mars/Olympus' },
      'hours.timeZone',
    ],
    [
      (s: BotSettingsInput) => {
        s.hours.schedule = [
          { day: 2, from: '17:00', to: '09:00' },
        ]
      },
      'hours.schedule.0.to',
    ],
    [
      (s: BotSettingsInput) => {
        s.replyBot.welcome = {
          enabled: true,
          text: { default: '  ' },
        }
      },
      'replyBot.welcome.text.default',
    ],
    [
      (s: BotSettingsInput) => { s.aiBot.threshold = 1.5 },
      'aiBot.threshold',
    ],
    [
      (s: BotSettingsInput) => {
        s.replyBot.rules = [0, 1].map(() => ({
          id: 'same',
          name: 'n',
          enabled: true,
          match: 'keyword' as const,
          patterns: ['a'],
          language: 'any' as const,
          reply: { text: 'x' },
        }))
      },
      'replyBot.rules.1.id',
    ],
    [
      (s: BotSettingsInput) => {
        s.replyBot.rules = [
          {
            id: 'b',
            name: 'n',
            enabled: true,
            match: 'keyword',
            patterns: ['a'],
            language: 'any',
            reply: {
              text: 'x',
              buttons: ['a title over twenty chars'],
            },
          },
        ]
      },
      'replyBot.rules.0.reply.buttons.0',
    ],
  ])('refuses bad input with invalid_request and the field (%#)', async (change, field) => {
    const s = await current()
    change(s)
    const res = await put(s)
    expect(res.status).toBe(400)
    expect((await json(res)).error).toMatchObject({ code: 'invalid_request', field })
  })

  it('refuses another workspace\'s team (404, as an unknown one)', async () => {
    const other = await otherWorkspace(server)
    const theirTeam = await addTeam(server, 'Theirs', other.workspaceId)
    const s = await current()
    s.handoverTeamId = theirTeam
    const res = await put(s)
    expect(res.status).toBe(404)
    expect((await json(res)).error.field).toBe('handoverTeamId')
  })

  it('keeps the provider key out of every answer; absent keeps it, null clears it', async () => {
    const s = await current()
    s.aiBot.provider = {
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
      auth: 'bearer',
      timeoutMs: 8000,
      systemPrompt: 'Be brief.',
      apiKey: 'sk-secret-777',
    }
    const saved = await put(s)
    expect(saved.status).toBe(200)
    const text = await saved.text()
    expect(text).not.toContain('sk-secret-777')
    expect(JSON.parse(text).aiBot.provider).toMatchObject({ apiKeySet: true, model: 'llama3' })

    const again = await current() // the admin never sees the key, so saves without it
    again.aiBot.provider!.model = 'llama3.1'
    expect((await json(await put(again))).aiBot.provider).toMatchObject({ apiKeySet: true, model: 'llama3.1' })
    const stored = await server.app.db.selectFrom('bot_settings').select('config').executeTakeFirstOrThrow()
    expect(JSON.parse(stored.config).aiBot.provider.apiKey).toBe('sk-secret-777')

    again.aiBot.provider!.apiKey = null
    expect((await json(await put(again))).aiBot.provider).toMatchObject({ apiKeySet: false })
  })
})

describe('knowledge base', () => {
  it('creates, lists (search, pages), edits and deletes entries; agents get 403', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const res = await server.api('/api/bots/knowledge', {
        json: {
          kind: 'qa',
          title: `Întrebarea ${i}?`,
          body: `Răspunsul ${i}.`,
          language: 'ro',
        },
      })
      expect(res.status).toBe(201)
      ids.push((await json(res)).id)
    }
    const doc = await json(await server.api('/api/bots/knowledge', {
      json: { kind: 'document', title: 'Termeni de livrare', body: 'Livrăm în 1-2 zile.\n\nColetele peste 30 kg costă extra.' },
    }))
    expect(doc).toMatchObject({ kind: 'document', language: 'any', enabled: true })

    const first = await json(await server.api('/api/bots/knowledge?limit=4'))
    expect(first.items).toHaveLength(4)
    const rest = await json(await server.api(`/api/bots/knowledge?limit=4&cursor=${first.nextCursor}`))
    expect(rest.nextCursor).toBeNull()
    expect([
      ...first.items,
      ...rest.items,
    ].map((e: any) => e.id)).toEqual(expect.arrayContaining([...ids, doc.id]))
    const found = await json(await server.api(`/api/bots/knowledge?q=${encodeURIComponent('30 KG')}`))
    expect(found.items.map((e: any) => e.id)).toEqual([doc.id])
    const literal = await json(await server.api(`/api/bots/knowledge?q=${encodeURIComponent('%')}`))
    expect(literal.items).toEqual([]) // % is a character here, not a wildcard

    const patched = await server.api(`/api/bots/knowledge/${ids[0]}`, {
      method: 'PATCH',
      json: { enabled: false, title: 'Altă întrebare?' },
    })
    expect(await json(patched)).toMatchObject({ enabled: false, title: 'Altă întrebare?', body: 'Răspunsul 0.' })
    expect((await server.api(`/api/bots/knowledge/${ids[1]}`, { method: 'DELETE' })).status).toBe(204)
    expect((await server.api(`/api/bots/knowledge/${ids[1]}`, { method: 'DELETE' })).status).toBe(404)
    expect((await server.api('/api/bots/knowledge', {
      json: { kind: 'qa', title: '   ', body: 'x' },
    })).status).toBe(400)

    const agent = await addAgent(server)
    expect((await agent.api('/api/bots/knowledge')).status).toBe(403)
    expect((await agent.api('/api/bots/knowledge', {
      json: { kind: 'qa', title: 'x', body: 'y' },
    })).status).toBe(403)
  })
})

describe('test this message', () => {
  it('shows which rule answers and why, then which knowledge entry, with the hours', async () => {
    await server.api('/api/bots/knowledge', {
      json: {
        kind: 'qa',
        title: 'Cât costă transportul?',
        body: 'Transportul costă 15 lei, gratuit peste 200 lei.',
        language: 'ro',
      },
    })
    const s = await current()
    s.replyBot.rules = [
      {
        id: 'hello',
        name: 'Salut',
        enabled: true,
        match: 'keyword',
        patterns: ['salut'],
        language: 'any',
        reply: { text: 'Salut! Cu ce vă ajutăm?' },
      },
    ]
    s.hours = {
      timeZone: 'Europe/Bucharest',
      schedule: [
        { day: 1, from: '09:00', to: '17:00' },
      ],
      holidays: [],
    }
    s.aiBot.provider = null // the local engine answers (a provider would write the text)
    expect((await put(s)).status).toBe(200)

    const rule = await json(await server.api('/api/bots/test', {
      json: {
        text: 'Salut!',
        at: Date.parse('2026-11-23T08:00:00Z'),
      },
    }))
    expect(rule).toMatchObject({
      rule: { id: 'hello', name: 'Salut', pattern: 'salut' },
      hours: { open: true, local: 'Mon 10:00 Europe/Bucharest', holiday: false },
      decision: {
        action: 'reply',
        bot: 'reply',
        source: 'rule',
        text: 'Salut! Cu ce vă ajutăm?',
      },
    })

    const kb = await json(await server.api('/api/bots/test', {
      json: { text: 'cat costa transportul pana la Iasi?', replyBot: false },
    }))
    expect(kb.rule).toBeNull()
    expect(kb.knowledge[0]).toMatchObject({
      title: 'Cât costă transportul?',
      matched: expect.arrayContaining([
        expect.stringMatching(/^transport/),
      ]),
    })
    expect(kb.knowledge[0].confidence).toBeGreaterThanOrEqual(kb.threshold)
    expect(kb.decision).toMatchObject({
      action: 'reply',
      bot: 'ai',
      source: 'knowledge',
      text: 'Transportul costă 15 lei, gratuit peste 200 lei.',
    })
    expect(kb.tookMs).toBeLessThan(1000)

    const person = await json(await server.api('/api/bots/test', {
      json: { text: 'vreau sa vorbesc cu un operator', language: 'ro' },
    }))
    expect(person).toMatchObject({
      handoverRequested: true,
      decision: { action: 'handover', handoverReason: 'asked_for_human' },
    })
  })
})
