// The OpenAI-compatible stand-in over real HTTP: response and error shapes, auth, routes, and
// every mode.

import type { LlmStandIn } from '../src/index.ts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LLM_GARBAGE_VARIANTS, LLM_MODEL, startLlmStandIn } from '../src/index.ts'

const KEY = 'sk-sim-0123456789abcdef'
const SYSTEM = [
  'You are a helpful assistant. Answer only from the knowledge.',
  '## Knowledge\n[1] Delivery\nWe deliver in 2-3 days.\nCourier included.\n\n[2] Returns\n30 days.',
  '## Customer language\nThe customer writes in English (en): reply in English.',
].join('\n\n')

let llm: LlmStandIn

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

async function chat(body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${KEY}` }, url = `${llm.url}/chat/completions`) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string'
      ? body
      : JSON.stringify(body),
  })
  const text = await response.text()
  let json: any
  try {
    json = JSON.parse(text)
  }
  catch {}
  return { status: response.status, text, json }
}

function ask(question: string, system = SYSTEM) {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: question },
    ],
  }
}

describe('answer mode', () => {
  it('answers from the first passage in OpenAI\'s chat.completion shape, and records the request', async () => {
    const { status, json } = await chat(ask('How long is delivery?'))
    expect(status).toBe(200)
    expect(json).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Happy to help! We deliver in 2-3 days.\nCourier included.', refusal: null },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        total_tokens: expect.any(Number),
      },
    })
    expect(llm.requests).toHaveLength(1)
    expect(llm.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      body: ask('How long is delivery?'),
    })
    expect(llm.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('answers in Romanian when the system message says so', async () => {
    const { json } = await chat(ask('Cât durează livrarea?', SYSTEM.replace('English (en): reply in English', 'Romanian (ro): reply in Romanian')))
    expect(json.choices[0].message.content).toBe('Sigur! We deliver in 2-3 days.\nCourier included.')
  })

  it('answers HANDOVER without knowledge or when the customer wants a person', async () => {
    expect((await chat(ask('Hi', 'Answer only from the knowledge.\n\n## Knowledge\n(none)'))).json.choices[0].message.content).toBe('HANDOVER')
    expect((await chat(ask('I want to talk to a human please'))).json.choices[0].message.content).toBe('HANDOVER')
  })

  it('writes a draft naming what is missing when asked for a draft', async () => {
    const { json } = await chat(ask('Do you ship to Mars?', 'Write a draft reply for an agent.\n\n## Knowledge\n(none)'))
    expect(json.choices[0].message.content).toContain('Missing from the knowledge base: an answer to "Do you ship to Mars?"')
  })

  it('lists its model', async () => {
    const response = await fetch(`${llm.url}/models`, {
      headers: { Authorization: `Bearer ${KEY}` },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      object: 'list',
      data: [
        {
          id: LLM_MODEL,
          object: 'model',
          created: expect.any(Number),
          owned_by: expect.any(String),
        },
      ],
    })
  })

  it('serves an Azure deployment URL with api-key auth; needs api-version', async () => {
    const origin = new URL(llm.url).origin
    const ok = await chat({ messages: ask('x').messages }, { 'api-key': KEY }, `${origin}/openai/deployments/support/chat/completions?api-version=2024-10-21`)
    expect(ok.status).toBe(200)
    expect(ok.json.model).toBe('support')
    const missing = await chat(ask('x'), { 'api-key': KEY }, `${origin}/openai/deployments/support/chat/completions`)
    expect(missing).toMatchObject({
      status: 404,
      json: {
        error: { code: '404', message: 'Resource not found' },
      },
    })
  })
})

describe('errors', () => {
  it('401 without a key and with a wrong one, the wrong key masked', async () => {
    const none = await chat(ask('x'), {})
    expect(none.status).toBe(401)
    expect(none.json.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null })
    const wrong = await chat(ask('x'), { Authorization: 'Bearer sk-wrong-key-1234567890' })
    expect(wrong.status).toBe(401)
    expect(wrong.json.error).toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringMatching(/^Incorrect API key provided: sk-\*+7890\./),
    })
  })

  it.each([
    [
      'not JSON',
      '{"model":',
      'invalid_request_error',
      null,
    ],
    [
      'no model',
      {
        messages: [
          { role: 'user', content: 'x' },
        ],
      },
      'invalid_request_error',
      null,
    ],
    [
      'no messages',
      { model: 'm' },
      'invalid_request_error',
      'missing_required_parameter',
    ],
    [
      'empty messages',
      { model: 'm', messages: [] },
      'invalid_request_error',
      'empty_array',
    ],
    [
      'a bad role',
      {
        model: 'm',
        messages: [
          { role: 'wizard', content: 'x' },
        ],
      },
      'invalid_request_error',
      'invalid_value',
    ],
  ])('400 for %s', async (_name, body, type, code) => {
    const { status, json } = await chat(body)
    expect(status).toBe(400)
    expect(json.error).toMatchObject({
      type,
      code,
      message: expect.any(String),
    })
    expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  })

  it('404 for an unknown path, 405 for a wrong method', async () => {
    const unknown = await chat(ask('x'), undefined, `${llm.url}/completions`)
    expect(unknown).toMatchObject({
      status: 404,
      json: {
        error: { message: 'Invalid URL (POST /v1/completions)' },
      },
    })
    const wrong = await fetch(`${llm.url}/chat/completions`, {
      headers: { Authorization: `Bearer ${KEY}` },
    })
    expect(wrong.status).toBe(405)
  })
})

describe('modes', () => {
  it('fail: 500, then 503, with OpenAI\'s error body', async () => {
    llm.setMode('fail')
    const first = await chat(ask('x'))
    const second = await chat(ask('x'))
    expect([first.status, second.status]).toEqual([500, 503])
    expect(first.json.error).toMatchObject({ type: 'server_error', param: null, code: null })
  })

  it('garbage: not JSON, then no choices, then the other variants in order', async () => {
    llm.setMode('garbage')
    const first = await chat(ask('x'))
    expect(first.status).toBe(200)
    expect(first.json).toBeUndefined()
    const second = await chat(ask('x'))
    expect(second.json.choices).toEqual([])
    const contents = []
    for (const _ of LLM_GARBAGE_VARIANTS.slice(2))
      contents.push((await chat(ask('x'))).json.choices[0].message.content)
    expect(contents[0]).toBeNull()
    expect(contents[1].trim()).toBe('')
    expect(contents[2]).toContain('<|im_end|>')
    expect(contents[3].startsWith('{')).toBe(true)
    expect(contents[4].length).toBeGreaterThan(4096)
    expect((await chat(ask('x'))).json).toBeUndefined() // and round again
  })

  it('refuse, handover, filter', async () => {
    llm.setMode('refuse')
    expect((await chat(ask('x'))).json.choices[0]).toMatchObject({
      message: {
        content: null,
        refusal: expect.stringMatching(/can't help/),
      },
      finish_reason: 'stop',
    })
    llm.setMode('handover')
    expect((await chat(ask('x'))).json.choices[0].message.content).toBe('HANDOVER')
    llm.setMode('filter')
    expect((await chat(ask('x'))).json.choices[0]).toMatchObject({
      message: { content: null },
      finish_reason: 'content_filter',
    })
  })

  it('slow: answers after the delay', async () => {
    llm.setMode('slow', { delayMs: 150 })
    const started = Date.now()
    const { json } = await chat(ask('How long is delivery?'))
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(json.choices[0].message.content).toMatch(/^Happy to help!/)
  })

  it('slow: a client that gives up does not block, and close() does not hang on a pending answer', async () => {
    const own = await startLlmStandIn({ mode: 'slow' }) // 30 s
    const aborted = fetch(`${own.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(ask('x')),
      signal: AbortSignal.timeout(100),
    })
    await expect(aborted).rejects.toThrow()
    const pending = fetch(`${own.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(ask('x')),
    }).catch(() => 'closed')
    while (own.requests.length < 2)
      await new Promise(resolve => setTimeout(resolve, 5))
    const started = Date.now()
    await own.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await pending).toBe('closed')
  })
})
