import type { BotSettings, BotTrace, KbEntry } from '~/protocol/bots'
import { vi } from 'vitest'

/** The server's defaults (server/src/bots/settings.ts) with one rule and a provider whose key is set. */
export function botSettings(patch: Partial<BotSettings> = {}): BotSettings {
  return {
    replyBot: {
      enabled: true,
      rules: [
        {
          id: 'r-price',
          name: 'Prices',
          enabled: true,
          match: 'keyword',
          patterns: ['pret*', 'cost'],
          language: 'any',
          reply: {
            text: 'Our prices are on shop.example.com/prices',
            buttons: ['Talk to us'],
          },
        },
        {
          id: 'r-hours',
          name: 'Opening hours',
          enabled: false,
          match: 'regex',
          patterns: ['\\bprogram\\b', 'open(ing)? hours'],
          language: 'ro',
          reply: {
            text: 'Suntem deschiși L–V 9–17.',
            template: { name: 'hours_info', language: 'ro' },
          },
        },
      ],
      welcome: {
        enabled: false,
        text: { default: 'Hello!', ro: 'Bună ziua!' },
      },
      away: {
        enabled: true,
        text: { default: 'We are closed.' },
      },
      confirmation: {
        enabled: false,
        text: { default: 'We answer within {minutes} minutes.' },
      },
      confirmationMinutes: 15,
    },
    aiBot: {
      enabled: true,
      threshold: 0.5,
      maxTurns: 3,
      handoverPhrases: ['operator'],
      handoverMessage: { default: 'A colleague will answer you.', ro: 'Un coleg vă răspunde.' },
      provider: {
        baseUrl: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        apiVersion: null,
        auth: 'bearer',
        timeoutMs: 15_000,
        systemPrompt: '',
        apiKeySet: true,
      },
    },
    hours: {
      timeZone: 'Europe/Bucharest',
      schedule: [
        { day: 1, from: '09:00', to: '17:00' },
        { day: 2, from: '09:00', to: '24:00' },
      ],
      holidays: ['2025-12-25'],
    },
    agentQuietMinutes: 30,
    maxRepliesPerHour: 6,
    handoverTeamId: null,
    newContacts: { replyBot: false, aiBot: false },
    ...patch,
  }
}

export function kbEntry(id: string, patch: Partial<KbEntry> = {}): KbEntry {
  return {
    id,
    kind: 'qa',
    title: `Question ${id}`,
    body: `Answer ${id}`,
    language: 'any',
    enabled: true,
    createdAt: 1,
    updatedAt: Date.UTC(2025, 0, 10),
    ...patch,
  }
}

export function trace(patch: Partial<BotTrace> = {}): BotTrace {
  return {
    language: 'ro',
    normalized: 'cat costa livrarea',
    hours: { open: false, local: 'Sat 18:05 Europe/Bucharest', holiday: false },
    handoverRequested: false,
    rule: null,
    knowledge: [],
    threshold: 0.5,
    decision: {
      action: 'none',
      bot: null,
      source: null,
      text: null,
      buttons: [],
      handoverReason: null,
      silentReason: 'no_match',
    },
    tookMs: 3.2,
    ...patch,
  }
}

export interface FakeCall {
  method: string
  path: string
  search: URLSearchParams
  body: unknown
}

type Handler = (call: FakeCall) => unknown

export function json(status: number, body: unknown): Response {
  return new Response(body === undefined
    ? null
    : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

export function apiError(status: number, code: string, extra: { field?: string, details?: unknown } = {}): Response {
  return json(status, {
    error: { code, message: code, ...extra },
  })
}

/**
 * A `fetch` answering `"METHOD /path"` routes (a handler returns a body, or a Response for a
 * status of its own); every call is recorded with its parsed JSON body.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: FakeCall[] = []
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL
      ? input
      : input.url)
    const method = init?.method ?? 'GET'
    const call: FakeCall = {
      method,
      path: url.pathname,
      search: url.searchParams,
      body: init?.body
        ? JSON.parse(String(init.body))
        : undefined,
    }
    calls.push(call)
    const handler = routes[`${method} ${url.pathname}`]
      ?? Object.entries(routes).find(([key]) => key.endsWith('*') && `${method} ${url.pathname}`.startsWith(key.slice(0, -1)))?.[1]
    if (!handler)
      return apiError(404, 'not_found')
    const answer = await handler(call)
    if (answer instanceof Response)
      return answer
    return answer === undefined
      ? new Response(null, { status: 204 })
      : json(200, answer)
  })
  vi.stubGlobal('fetch', fetch)
  return {
    fetch,
    calls,
    of: (method: string, path: string) => calls.filter(c => c.method === method && c.path === path),
  }
}
