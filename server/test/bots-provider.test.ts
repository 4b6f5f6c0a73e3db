/**
 * The AI Bot's OpenAI-compatible client against the simulator's LLM stand-in over real HTTP: what
 * it sends, and that every way a provider can fail becomes a typed failure, never a reply.
 */
import type { AddressInfo } from 'node:net'
import type { LlmStandIn } from '../../simulator/src/index.ts'
import type { ChatTurn, ProviderConfig, ProviderResult } from '../src/bots/provider.ts'
import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LLM_GARBAGE_VARIANTS, startLlmStandIn } from '../../simulator/src/index.ts'
import { DEFAULT_SYSTEM_PROMPT, generateAnswer } from '../src/bots/provider.ts'

const KEY = 'sk-test-4f9a1c2e8b7d6a5f0e1d2c3b'
const PASSAGES = [
  { title: 'Delivery times', passage: 'We deliver in 2-3 working days anywhere in Romania.' },
  { title: 'Returns', passage: 'You can return any product within 30 days.' },
]
const HISTORY: ChatTurn[] = [
  { role: 'user', content: 'Hello' },
  { role: 'assistant', content: 'Hi! How can I help?' },
  { role: 'user', content: 'How long does delivery take?' },
]
const input = {
  passages: PASSAGES,
  history: HISTORY,
  language: 'en',
  purpose: 'customer' as const,
}

let llm: LlmStandIn

function config(overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    baseUrl: llm.url,
    model: 'gpt-4o-mini',
    apiKey: KEY,
    auth: 'bearer',
    timeoutMs: 5000,
    systemPrompt: 'You are the assistant of Acme Shop. Answer only from the knowledge. Otherwise answer HANDOVER.',
    ...overrides,
  }
}

function failure(result: ProviderResult) {
  expect(result.ok).toBe(false)
  if (result.ok)
    throw new Error('expected a failure')
  expect(result.detail).not.toContain(KEY)
  expect(result.detail.length).toBeLessThanOrEqual(200)
  return result
}

beforeAll(async () => {
  llm = await startLlmStandIn({ apiKey: KEY })
})
afterEach(() => {
  llm.setMode('answer')
  llm.requests.length = 0
})
afterAll(async () => {
  await llm.close()
})

describe('a good answer', () => {
  it('sends the prompt, the numbered passages, the language and the history, and returns the text', async () => {
    const result = await generateAnswer(config({ baseUrl: `${llm.url}/` }), input)
    expect(result).toEqual({ ok: true, text: `Happy to help! ${PASSAGES[0]!.passage}` })

    expect(llm.requests).toHaveLength(1)
    const request = llm.requests[0]!
    expect(request.path).toBe('/v1/chat/completions')
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(request.headers['api-key']).toBeUndefined()
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 500 })
    const [system, ...rest] = request.body.messages
    expect(system.role).toBe('system')
    expect(system.content).toContain('You are the assistant of Acme Shop.')
    expect(system.content).toContain('[1] Delivery times\nWe deliver in 2-3 working days anywhere in Romania.')
    expect(system.content).toContain('[2] Returns\nYou can return any product within 30 days.')
    expect(system.content).toContain('English')
    expect(rest).toEqual(HISTORY)
  })

  it('uses the default prompt when the admin left it empty, and answers in the customer\'s language', async () => {
    const result = await generateAnswer(config({ systemPrompt: '  ' }), { ...input, language: 'ro' })
    expect(result).toEqual({ ok: true, text: `Sigur! ${PASSAGES[0]!.passage}` })
    const system = llm.requests[0]!.body.messages[0].content as string
    expect(system.startsWith(DEFAULT_SYSTEM_PROMPT)).toBe(true)
    expect(system).toContain('Romanian (ro)')
  })

  it('adds the HANDOVER rule when the admin\'s own prompt lacks it', async () => {
    await generateAnswer(config({ systemPrompt: 'Be nice.' }), input)
    const system = llm.requests[0]!.body.messages[0].content as string
    expect(system).toMatch(/reply with exactly HANDOVER/)
  })

  it('sends the key as api-key and the api-version to an Azure deployment URL', async () => {
    const origin = new URL(llm.url).origin
    const result = await generateAnswer(config({
      baseUrl: `${origin}/openai/deployments/support-gpt`,
      auth: 'api-key',
      apiVersion: '2024-10-21',
    }), input)
    expect(result.ok).toBe(true)
    const request = llm.requests[0]!
    expect(request.path).toBe('/openai/deployments/support-gpt/chat/completions?api-version=2024-10-21')
    expect(request.headers['api-key']).toBe(KEY)
    expect(request.headers.authorization).toBeUndefined()
  })

  it('sends no auth header when there is no key (Ollama, vLLM)', async () => {
    const open = await startLlmStandIn()
    try {
      const result = await generateAnswer(config({ baseUrl: open.url, apiKey: null }), input)
      expect(result.ok).toBe(true)
      expect(open.requests[0]!.headers.authorization).toBeUndefined()
      expect(open.requests[0]!.headers['api-key']).toBeUndefined()
    }
    finally {
      await open.close()
    }
  })

  it('asks for a draft, never HANDOVER alone, for a suggestion', async () => {
    const result = await generateAnswer(config(), { ...input, passages: [], purpose: 'suggestion' })
    expect(result.ok).toBe(true)
    if (result.ok)
      expect(result.text).toContain('Missing from the knowledge base')
    const system = llm.requests[0]!.body.messages[0].content as string
    expect(system).toContain('Never answer with HANDOVER alone')
  })
})

describe('failures', () => {
  it('times out on a slow provider (provider_timeout)', async () => {
    llm.setMode('slow', { delayMs: 10_000 })
    const started = Date.now()
    const result = failure(await generateAnswer(config({ timeoutMs: 300 }), input))
    expect(result.reason).toBe('provider_timeout')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('turns 500 and 503 into provider_error with the provider\'s message', async () => {
    llm.setMode('fail')
    const first = failure(await generateAnswer(config(), input))
    expect(first.reason).toBe('provider_error')
    expect(first.detail).toBe('HTTP 500: The server had an error while processing your request. Sorry about that!')
    const second = failure(await generateAnswer(config(), input))
    expect(second.reason).toBe('provider_error')
    expect(second.detail).toMatch(/^HTTP 503: The engine is currently overloaded/)
  })

  it('turns a wrong key into provider_error without the key in the detail', async () => {
    const wrongKey = 'sk-wrong-0000111122223333444455556666'
    const result = failure(await generateAnswer(config({ apiKey: wrongKey }), input))
    expect(result.reason).toBe('provider_error')
    expect(result.detail).toMatch(/^HTTP 401: Incorrect API key provided/)
    expect(result.detail).not.toContain(wrongKey)
    expect(result.detail).not.toContain(wrongKey.slice(-4))
  })

  it('turns every garbage variant into provider_invalid', async () => {
    llm.setMode('garbage')
    for (const variant of LLM_GARBAGE_VARIANTS) {
      const result = failure(await generateAnswer(config(), input))
      expect([variant, result.reason]).toEqual([variant, 'provider_invalid'])
    }
  })

  it.each([
    ['refuse', /^refusal: I'm sorry/],
    ['handover', /HANDOVER/],
    ['filter', /content filter/],
  ] as const)('turns %s into provider_refused', async (mode, detail) => {
    llm.setMode(mode)
    const result = failure(await generateAnswer(config(), input))
    expect(result.reason).toBe('provider_refused')
    expect(result.detail).toMatch(detail)
  })

  it('hands over when there is no knowledge (the model answers HANDOVER)', async () => {
    const result = failure(await generateAnswer(config(), { ...input, passages: [] }))
    expect(result.reason).toBe('provider_refused')
  })

  it('turns a refused connection into provider_error', async () => {
    const closed = await startLlmStandIn()
    const url = closed.url
    await closed.close()
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result.reason).toBe('provider_error')
    expect(result.detail).toContain('ECONNREFUSED')
  })

  it('turns an unknown path into provider_error (404)', async () => {
    const result = failure(await generateAnswer(config({ baseUrl: `${new URL(llm.url).origin}/nope` }), input))
    expect(result).toMatchObject({ reason: 'provider_error', detail: 'HTTP 404: Invalid URL (POST /nope/chat/completions)' })
  })
})

describe('answers a stand-in cannot give', () => {
  // A one-route server answering whatever the test says, for the shapes the stand-in never sends.
  let answer: { status: number, body: string, headers?: Record<string, string> }
  let url: string
  let close: () => Promise<void>
  beforeAll(async () => {
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers })
        res.end(answer.body)
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
    close = () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  })
  afterAll(() => close())

  const completion = (content: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: 'stop',
        ...extra,
      },
    ],
  })

  it.each([
    [
      'HANDOVER with punctuation',
      completion(' **Handover.** '),
      'provider_refused',
    ],
    [
      'HANDOVER after some text',
      completion('I am not sure. HANDOVER'),
      'provider_refused',
    ],
    [
      'a reasoning block then HANDOVER',
      completion('<think>not in the passages</think>\nHANDOVER'),
      'provider_refused',
    ],
    [
      'an unclosed reasoning block',
      completion('<think>the customer wants'),
      'provider_invalid',
    ],
    [
      'a Llama end token',
      completion('We deliver soon.<|eot_id|>'),
      'provider_invalid',
    ],
    [
      'content as a number',
      completion(42),
      'provider_invalid',
    ],
    ['a JSON array body', '[]', 'provider_invalid'],
    ['an empty body', '', 'provider_invalid'],
  ])('%s → %s', async (_name, body, reason) => {
    answer = { status: 200, body }
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result.reason).toBe(reason)
  })

  it('keeps the answer after a reasoning block, trimmed', async () => {
    answer = {
      status: 200,
      body: completion('<think>passage 1 answers it</think>\n\n  We deliver in 2-3 days.  '),
    }
    expect(await generateAnswer(config({ baseUrl: url }), input)).toEqual({ ok: true, text: 'We deliver in 2-3 days.' })
  })

  it('lets a suggestion mention HANDOVER inside a longer draft', async () => {
    answer = {
      status: 200,
      body: completion('Draft: we could not find it; consider a HANDOVER to sales.'),
    }
    expect((await generateAnswer(config({ baseUrl: url }), { ...input, purpose: 'suggestion' })).ok).toBe(true)
  })

  it('accepts an answer of exactly 4096 characters', async () => {
    answer = {
      status: 200,
      body: completion('a'.repeat(4096)),
    }
    expect((await generateAnswer(config({ baseUrl: url }), input)).ok).toBe(true)
  })

  it('stops reading a response over 1 MB (provider_invalid)', async () => {
    answer = {
      status: 200,
      body: completion('x'.repeat(1_100_000)),
    }
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result).toMatchObject({
      reason: 'provider_invalid',
      detail: expect.stringContaining('larger than'),
    })
  })

  it('treats Azure\'s prompt filter (400 content_filter) as a refusal', async () => {
    answer = {
      status: 400,
      body: JSON.stringify({
        error: {
          message: 'The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy.',
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
        },
      }),
    }
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result.reason).toBe('provider_refused')
  })

  it('reads Ollama\'s string error, truncates to 200 characters, and blanks the key', async () => {
    answer = {
      status: 404,
      body: JSON.stringify({ error: `model "${KEY}" not found, try pulling it first ${'.'.repeat(300)}` }),
    }
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result.reason).toBe('provider_error')
    expect(result.detail).toMatch(/^HTTP 404: model "\[key\]" not found/)
    expect(result.detail).toHaveLength(200)
  })

  it('does not follow a redirect (the key would go along)', async () => {
    answer = {
      status: 307,
      body: '',
      headers: { Location: 'http://127.0.0.1:1/elsewhere' },
    }
    const result = failure(await generateAnswer(config({ baseUrl: url }), input))
    expect(result).toMatchObject({
      reason: 'provider_error',
      detail: expect.stringMatching(/^HTTP 307.*redirects are not followed/),
    })
  })

  it('refuses a base URL that is not http(s) without calling anything', async () => {
    const result = failure(await generateAnswer(config({ baseUrl: 'ftp://example.com/v1' }), input))
    expect(result).toMatchObject({ reason: 'provider_error', detail: 'invalid base URL' })
  })
})
