/**
 * Starts real servers for tests: a fresh database per server (a temp SQLite file, or a fresh
 * PostgreSQL schema when TEST_ENGINE=postgres), listening on a random loopback port, so tests talk
 * to it over HTTP exactly as Meta and the extension do.
 */
import type { FastifyInstance } from 'fastify'
import type { Config } from '../src/config.ts'
import type { GraphClient } from '../src/whatsapp/graph-client.ts'
import type { ScratchDatabase } from './scratch-database.ts'
import net from 'node:net'
import { metaStringify } from '../../simulator/src/meta-json.ts'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { sign } from '../src/whatsapp/signature.ts'
import { scratchDatabase } from './scratch-database.ts'

export const engine: 'sqlite' | 'postgres' = process.env.TEST_ENGINE === 'postgres'
  ? 'postgres'
  : 'sqlite'
const postgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export const WA = {
  appSecret: 'test-app-secret',
  verifyToken: 'test-verify-token',
  accessToken: 'test-access-token',
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '15550783881',
}

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' }

export type TestDatabase = ScratchDatabase

export async function freshDatabase(): Promise<TestDatabase> {
  return await scratchDatabase(engine, postgresUrl)
}

export function baseEnv(db: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: db.dataDir,
    ...(db.databaseUrl
      ? { DATABASE_URL: db.databaseUrl }
      : {}),
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WHATSAPP_APP_SECRET: WA.appSecret,
    WHATSAPP_VERIFY_TOKEN: WA.verifyToken,
    WHATSAPP_ACCESS_TOKEN: WA.accessToken,
    WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId,
    WHATSAPP_BUSINESS_ACCOUNT_ID: WA.wabaId,
    WHATSAPP_DISPLAY_PHONE_NUMBER: WA.displayPhoneNumber,
    WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9',
    SYNC_TEMPLATES_ON_START: '0',
    // Tests sign many agents in from one address; the limit itself is tested with its own value.
    LOGIN_LIMIT_PER_IP: '100000',
    ...extra,
  }
}

export interface TestServer {
  url: string
  app: FastifyInstance
  config: Config
  database: TestDatabase
  /** POST a webhook body (string or object) signed with the app secret, as Meta would */
  webhook: (body: unknown, options?: { secret?: string, signature?: string | null }) => Promise<Response>
  /** an authenticated fetch as the bootstrap admin */
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>
  close: () => Promise<void>
}

export async function startServer(options: { env?: Record<string, string>, graph?: GraphClient, database?: TestDatabase, keepDatabase?: boolean } = {}): Promise<TestServer> {
  const database = options.database ?? await freshDatabase()
  const config = loadConfig(baseEnv(database, options.env))
  const app = await buildApp({ config, logger: false, graph: options.graph })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address
    ? address.port
    : 0}`
  let token: string | null = null

  const server: TestServer = {
    url,
    app,
    config,
    database,
    webhook: (body, opts = {}) => postWebhook(url, body, opts.secret ?? WA.appSecret, opts.signature),
    async api(p, init = {}) {
      if (!token)
        token = await login(url)
      const { json, ...rest } = init
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(rest.headers as Record<string, string> | undefined) }
      if (json !== undefined)
        headers['content-type'] = 'application/json'
      return await fetch(`${url}${p}`, {
        ...rest,
        headers,
        ...(json !== undefined
          ? {
              body: JSON.stringify(json),
              method: rest.method ?? 'POST',
            }
          : {}),
      })
    },
    async close() {
      await app.close()
      if (!options.keepDatabase)
        await database.drop()
    },
  }
  return server
}

/**
 * A port nothing listens on now, chosen by the OS (for a server started in its own process). A
 * random pick in a fixed range can land in the ephemeral range, where parallel tests' sockets are.
 */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

export async function login(url: string, email = ADMIN.email, password = ADMIN.password): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (res.status !== 200)
    throw new Error(`login failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { token: string }).token
}

/** Serialises like Meta (\uXXXX for non-ASCII, escaped slashes): the simulator's serialiser. */
export const metaJson = metaStringify

export async function postWebhook(url: string, body: unknown, secret: string, signature?: string | null): Promise<Response> {
  const raw = typeof body === 'string'
    ? body
    : metaJson(body)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const sig = signature === undefined
    ? sign(raw, secret)
    : signature
  if (sig !== null)
    headers['x-hub-signature-256'] = sig
  return await fetch(`${url}/webhooks/whatsapp`, { method: 'POST', headers, body: raw })
}

let seq = 0
/** A unique wamid in Meta's shape. */
export function wamid(): string {
  seq++
  return `wamid.HBgL${Buffer.from(`${Date.now()}-${seq}-${Math.random()}`).toString('base64').replace(/=+$/, '')}`
}

export interface EnvelopeChange {
  phoneNumberId?: string
  contacts?: unknown[]
  messages?: unknown[]
  statuses?: unknown[]
  errors?: unknown[]
  field?: string
}

/** A webhook envelope as Meta sends it: one entry per change list given. */
export function envelope(...changes: EnvelopeChange[]): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: changes.map(c => ({
      id: WA.wabaId,
      changes: [
        {
          field: c.field ?? 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: WA.displayPhoneNumber, phone_number_id: c.phoneNumberId ?? WA.phoneNumberId },
            ...(c.contacts
              ? { contacts: c.contacts }
              : {}),
            ...(c.messages
              ? { messages: c.messages }
              : {}),
            ...(c.statuses
              ? { statuses: c.statuses }
              : {}),
            ...(c.errors
              ? { errors: c.errors }
              : {}),
          },
        },
      ],
    })),
  }
}

export function customer(waId: string, name: string) {
  return {
    profile: { name },
    wa_id: waId,
  }
}

export function textMessage(from: string, body: string, extra: Record<string, unknown> = {}) {
  return {
    from,
    id: wamid(),
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: 'text',
    text: { body },
    ...extra,
  }
}

export async function json<T = any>(res: Response): Promise<T> {
  return await res.json() as T
}

/** Polls `check` until it returns a truthy value (for effects of background work: sends, statuses). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value)
        return value
    }
    catch (error) {
      last = error
    }
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}${last
    ? `: ${String(last)}`
    : ''}`)
}
