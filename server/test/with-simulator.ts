/**
 * A server wired to the WhatsApp Cloud API simulator over real HTTP, both ways: the server's Graph
 * calls go to the simulator, the simulator's signed webhooks go to the server.
 */
import type { Simulator, SimulatorConfig } from '../../simulator/src/index.ts'
import type { GraphClient } from '../src/whatsapp/graph-client.ts'
import type { TestServer } from './helper.ts'
import { startSimulator } from '../../simulator/src/index.ts'
import { eventually, json, startServer, WA } from './helper.ts'

export interface Pair { server: TestServer, sim: Simulator, close: () => Promise<void> }

export async function startPair(options: { sim?: Partial<SimulatorConfig>, env?: Record<string, string>, wrapGraph?: (graph: GraphClient) => GraphClient } = {}): Promise<Pair> {
  const sim = await startSimulator({
    appSecret: WA.appSecret,
    accessToken: WA.accessToken,
    verifyToken: WA.verifyToken,
    wabaId: WA.wabaId,
    phoneNumberId: WA.phoneNumberId,
    displayPhoneNumber: WA.displayPhoneNumber,
    statusDelaysMs: { sent: 5, delivered: 10, read: null },
    retryDelaysMs: [50, 200, 1000],
    ...options.sim,
  })
  let graph: GraphClient | undefined
  if (options.wrapGraph) {
    const { createGraphClient } = await import('../src/whatsapp/graph-client.ts')
    graph = options.wrapGraph(createGraphClient({ graphUrl: sim.url, apiVersion: 'v25.0' }))
  }
  const server = await startServer({
    env: { WHATSAPP_GRAPH_URL: sim.url, ...options.env },
    graph,
  })
  sim.setWebhookUrl(`${server.url}/webhooks/whatsapp`)
  return {
    server,
    sim,
    async close() {
      await server.close()
      await sim.close()
    },
  }
}

/** A customer writes; returns the server's conversation for them once it is stored. */
export async function customerWrites(pair: Pair, waId: string, body = 'Bună ziua!', options: { timestamp?: number, name?: string } = {}) {
  const wamid = await pair.sim.receive({ waId, name: options.name ?? `Client ${waId.slice(-3)}` }, {
    type: 'text',
    body,
    ...(options.timestamp
      ? { timestamp: options.timestamp }
      : {}),
  })
  await pair.sim.flush()
  const conversation = await eventually(async () => {
    const page = await json(await pair.server.api('/api/conversations?limit=200'))
    return page.items.find((c: any) => c.contact.waId === waId)
  }, 10_000, `a conversation with ${waId}`)
  const message = await pair.server.app.db.selectFrom('messages').select('id').where('wamid', '=', wamid).executeTakeFirstOrThrow()
  return { conversationId: conversation.id as string, wamid, messageId: message.id }
}

let clientSeq = 0
export function clientId(): string {
  return `c-${Date.now()}-${++clientSeq}`
}

export async function send(pair: Pair, conversationId: string, body: Record<string, unknown>) {
  return await pair.server.api(`/api/conversations/${conversationId}/messages`, {
    json: {
      clientId: clientId(),
      ...body,
    },
  })
}

export async function messageRow(pair: Pair, id: string) {
  return await pair.server.app.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** Waits until the stored message satisfies `check`. */
export async function messageUntil(pair: Pair, id: string, check: (row: Awaited<ReturnType<typeof messageRow>>) => boolean, what: string, timeoutMs = 10_000) {
  return await eventually(async () => {
    const row = await messageRow(pair, id)
    return check(row)
      ? row
      : null
  }, timeoutMs, what)
}

/** The simulator's record of the Graph sends addressed to this customer (mark-as-read excluded). */
export function sendsTo(pair: Pair, waId: string) {
  return pair.sim.outbound.filter(s => (s.body as any)?.to?.replace(/\D/g, '') === waId && (s.body as any)?.status !== 'read')
}
