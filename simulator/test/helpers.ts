// Test helpers: a real node:http webhook receiver and a simulator wired to it, plus a small Graph
// client. Tests talk to the simulator only over HTTP, as the server's connector does.

import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Simulator, SimulatorConfig } from '../src/index.ts'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { startSimulator } from '../src/index.ts'

export const APP_SECRET = 'test-app-secret'
export const ACCESS_TOKEN = 'EAAG-test-access-token'
export const VERIFY_TOKEN = 'verify-me'
export const WABA_ID = '102290129340398'
export const PHONE_NUMBER_ID = '106540352242922'
export const DISPLAY_NUMBER = '15550783881'

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  raw: Buffer
  text: string
  json: any
}

export interface Receiver {
  url: string
  requests: ReceivedRequest[]
  /** POST bodies parsed, in arrival order. */
  posts: () => ReceivedRequest[]
  close: () => Promise<void>
}

type Responder = (request: ReceivedRequest, index: number) => number | { status: number, body?: string }

/** A webhook endpoint that records raw bytes and answers 200 unless `respond` says otherwise. */
export async function startReceiver(respond?: Responder): Promise<Receiver> {
  const requests: ReceivedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const text = raw.toString('utf8')
      let json: unknown
      try {
        json = text
          ? JSON.parse(text)
          : undefined
      }
      catch {}
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        raw,
        text,
        json,
      }
      requests.push(request)
      let answer = respond?.(request, requests.length - 1) ?? 200
      if (typeof answer === 'number')
        answer = { status: answer }
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' })
      res.end(answer.body ?? (answer.status === 200
        ? 'EVENT_RECEIVED'
        : 'nope'))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    requests,
    posts: () => requests.filter(request => request.method === 'POST'),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

export interface Harness {
  sim: Simulator
  hook: Receiver
  graph: (method: string, path: string, body?: unknown, options?: { token?: string | null, headers?: Record<string, string> }) => Promise<GraphAnswer>
  /** Every webhook `value` in arrival order (POSTs flattened over entries and changes). */
  values: () => any[]
  /** Every status object received, in arrival order. */
  statuses: () => any[]
  /** Every inbound message object received, in arrival order. */
  messages: () => any[]
  close: () => Promise<void>
}

export interface GraphAnswer {
  status: number
  json: any
  text: string
  headers: Headers
}

export async function graphCall(base: string, method: string, path: string, body?: unknown, options: { token?: string | null, headers?: Record<string, string> } = {}): Promise<GraphAnswer> {
  const headers: Record<string, string> = { ...options.headers }
  const token = options.token === undefined
    ? ACCESS_TOKEN
    : options.token
  if (token !== null)
    headers.Authorization = `Bearer ${token}`
  let payload: FormData | string | undefined
  if (body instanceof FormData) {
    payload = body
  }
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = typeof body === 'string'
      ? body
      : JSON.stringify(body)
  }
  const response = await fetch(path.startsWith('http')
    ? path
    : `${base}${path}`, { method, headers, body: payload })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  }
  catch {}
  return {
    status: response.status,
    json,
    text,
    headers: response.headers,
  }
}

export async function startHarness(config: Partial<SimulatorConfig> = {}, respond?: Responder): Promise<Harness> {
  const hook = await startReceiver(respond)
  const sim = await startSimulator({
    appSecret: APP_SECRET,
    accessToken: ACCESS_TOKEN,
    verifyToken: VERIFY_TOKEN,
    wabaId: WABA_ID,
    phoneNumberId: PHONE_NUMBER_ID,
    displayPhoneNumber: DISPLAY_NUMBER,
    webhookUrl: hook.url,
    seed: 42,
    ...config,
  })
  const values = () => hook.posts().flatMap(post => (post.json?.entry ?? []).flatMap((entry: any) => entry.changes.map((change: any) => change.value)))
  return {
    sim,
    hook,
    graph: (method, path, body, options) => graphCall(sim.url, method, path, body, options),
    values,
    statuses: () => values().flatMap(value => value.statuses ?? []),
    messages: () => values().flatMap(value => value.messages ?? []),
    async close() {
      await sim.close()
      await hook.close()
    },
  }
}

export function textTo(to: string, body: string, extra: Record<string, unknown> = {}) {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { body },
    ...extra,
  }
}

export const MESSAGES_PATH = `/v25.0/${PHONE_NUMBER_ID}/messages`
