/**
 * Team API figures (issue #3), each against a server in its own process:
 *  - `team_list_search`: conversation list and search latency on a workspace of 20,000 contacts
 *    and 200,000 messages (every view and filter an agent uses; target p95 < 20 ms);
 *  - `sync_initial_pull`: a 10,000-conversation workspace pulled from scratch through
 *    `GET /api/sync` (changes/s: conversations, contacts, latest messages, agents, labels …);
 *  - `live_latency`: from a webhook POST to the `changed` event at each of 200 connected
 *    WebSocket clients (target p95 < 100 ms).
 * The big workspaces are written straight into the database first (multi-row inserts), so the
 * figures measure reading, not seeding.
 */
import type { BenchDatabase } from './lib.ts'
import { createHmac } from 'node:crypto'
import { sql } from 'kysely'
import { migrate, openStorage } from '../server/src/storage/db.ts'
import { benchDatabase, emit, percentile, startServerProcess, WA } from './lib.ts'

const FIRST = [
  'Maria',
  'Ion',
  'Elena',
  'Andrei',
  'Ana',
  'Mihai',
  'Ioana',
  'Alexandru',
  'Ștefan',
  'Cristina',
  'George',
  'Irina',
  'John',
  'Emma',
  'Oliver',
  'Sofia',
  'Lucas',
  'Mia',
  'Radu',
  'Diana',
]
const LAST = [
  'Popescu',
  'Ionescu',
  'Popa',
  'Dumitru',
  'Stan',
  'Stoica',
  'Gheorghe',
  'Rusu',
  'Munteanu',
  'Matei',
  'Smith',
  'Brown',
  'Taylor',
  'Wilson',
  'Lungu',
  'Marin',
  'Tudor',
  'Dinu',
  'Ene',
  'Constantin',
]
const LABELS = [
  'VIP',
  'Urgent',
  'Order',
  'Refund',
  'Lead',
  'Wholesale',
  'Complaint',
  'Delivery',
  'Returning',
  'Newsletter',
]
const DAY = 24 * 60 * 60 * 1000

function fold(s: string) {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** Seeds one workspace with `contacts` contacts (one conversation each) and `perConversation` messages each. */
async function seedWorkspace(db: BenchDatabase, options: { workspaceId: string, channelId: string, phoneNumberId: string, contacts: number, perConversation: number, agents: number }): Promise<{ agentIds: string[], labelIds: string[] }> {
  const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir, sqliteSynchronous: 'NORMAL' })
  await migrate(storage)
  const dbx = storage.db
  const now = Date.now()
  const ws = options.workspaceId
  const existing = await dbx.selectFrom('workspaces').select('id').where('id', '=', ws).executeTakeFirst()
  if (!existing)
    await dbx.insertInto('workspaces').values({ id: ws, name: `bench ${ws}`, created_at: now }).execute()
  await dbx.insertInto('channels').values({
    id: options.channelId,
    workspace_id: ws,
    phone_number_id: options.phoneNumberId,
    waba_id: WA.wabaId,
    display_phone_number: null,
    access_token: 'x',
    app_secret: WA.appSecret,
    verify_token: 'x',
    throughput_per_second: 80,
    created_at: now,
    updated_at: now,
  }).execute()
  const agentIds = Array.from({ length: options.agents }, (_, i) => `${ws}-agent-${String(i).padStart(3, '0')}`)
  if (agentIds.length > 0) {
    await dbx.insertInto('agents').values(agentIds.map((id, i) => ({
      id,
      workspace_id: ws,
      email: `${id}@bench.test`,
      name: `Agent ${i}`,
      role: 'agent' as const,
      password_hash: 'x',
      active: 1,
      created_at: now,
      updated_at: now,
    }))).execute()
  }
  const labelIds = LABELS.map((_, i) => `${ws}-label-${i}`)
  await dbx.insertInto('labels').values(LABELS.map((name, i) => ({
    id: labelIds[i]!,
    workspace_id: ws,
    name,
    name_key: name.toLowerCase(),
    color: 'blue',
    created_at: now,
    updated_at: now,
  }))).execute()

  const ROWS = 200
  let contacts: any[] = []
  let conversations: any[] = []
  const messages: any[] = []
  let contactLabels: any[] = []
  // Parents before children (foreign keys): contacts, conversations, then their messages.
  const flush = async (force = false) => {
    if (contacts.length < ROWS && !force)
      return
    if (contacts.length)
      await dbx.insertInto('contacts').values(contacts).execute()
    if (conversations.length)
      await dbx.insertInto('conversations').values(conversations).execute()
    if (contactLabels.length)
      await dbx.insertInto('contact_labels').values(contactLabels).execute()
    contacts = []
    conversations = []
    contactLabels = []
    while (messages.length > 0)
      await dbx.insertInto('messages').values(messages.splice(0, ROWS)).execute()
  }
  for (let i = 0; i < options.contacts; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`
    const waId = `407${String(20_000_000 + i).padStart(8, '0')}`
    const contactId = `${ws}-c-${String(i).padStart(7, '0')}`
    const conversationId = `${ws}-v-${String(i).padStart(7, '0')}`
    contacts.push({
      id: contactId,
      workspace_id: ws,
      wa_id: waId,
      user_id: null,
      username: null,
      profile_name: name,
      created_at: now - 90 * DAY,
      updated_at: now,
      search_text: fold(name),
      search_digits: waId,
    })
    if (i % 7 === 0) {
      contactLabels.push({
        contact_id: contactId,
        label_id: labelIds[i % labelIds.length]!,
        workspace_id: ws,
        created_by: null,
        created_at: now,
      })
    }
    const start = now - ((i * 7919) % (90 * DAY))
    let last = null as null | { id: string, at: number, preview: string, direction: 'in' | 'out' }
    let inbound = 0
    for (let m = 0; m < options.perConversation; m++) {
      const at = start + m * 60_000
      const direction = m % 2 === 0
        ? 'in' as const
        : 'out' as const
      const id = `${conversationId}-m-${String(m).padStart(3, '0')}`
      const body = direction === 'in'
        ? `Hello, question ${m} about my order ${i}`
        : `Thanks, we are looking into it (${m})`
      if (direction === 'in')
        inbound++
      messages.push({
        id,
        workspace_id: ws,
        conversation_id: conversationId,
        channel_id: options.channelId,
        wamid: `wamid.bench.${ws}.${i}.${m}`,
        client_id: null,
        direction,
        type: 'text',
        status: direction === 'in'
          ? 'delivered'
          : 'read',
        content: JSON.stringify({ body }),
        context: null,
        referral: null,
        error: null,
        reaction: null,
        raw: null,
        timestamp: at,
        created_at: at,
        updated_at: at,
      })
      last = { id, at, preview: body, direction }
    }
    const status = i % 10 < 7
      ? 'open'
      : i % 10 < 9
        ? 'closed'
        : 'snoozed'
    conversations.push({
      id: conversationId,
      workspace_id: ws,
      channel_id: options.channelId,
      contact_id: contactId,
      status,
      snoozed_until: status === 'snoozed'
        ? now + DAY
        : null,
      unread_count: i % 3 === 0
        ? 1
        : 0,
      inbound_count: inbound,
      assignee_id: agentIds.length > 0 && i % 5 < 3
        ? agentIds[i % agentIds.length]!
        : null,
      last_message_id: last?.id ?? null,
      last_message_at: last?.at ?? null,
      last_message_preview: last?.preview ?? null,
      last_message_direction: last?.direction ?? null,
      last_message_type: last ? 'text' : null,
      last_inbound_at: last?.at ?? null,
      window_expires_at: last
        ? last.at + DAY
        : null,
      created_at: start,
      updated_at: now,
    })
    await flush()
  }
  await flush(true)
  // Fresh bulk-loaded tables have no planner statistics yet; a running database would (autovacuum,
  // SQLite's optimize). Measure the steady state.
  await sql`ANALYZE`.execute(dbx)
  await storage.close()
  return { agentIds, labelIds }
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  if (!res.ok)
    throw new Error(`login failed: ${res.status}`)
  return ((await res.json()) as { token: string }).token
}

/** Sequential requests (one agent clicking around), a warm-up first. */
async function latency(url: string, token: string, path: string, count: number): Promise<{ p50: number, p95: number, p99: number, items: number }> {
  const times: number[] = []
  let items = 0
  for (let i = 0; i < count + 20; i++) {
    const t0 = performance.now()
    const res = await fetch(`${url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const body = await res.json() as { items?: unknown[] }
    if (!res.ok)
      throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`)
    if (i >= 20)
      times.push(performance.now() - t0)
    items = body.items?.length ?? 0
  }
  times.sort((a, b) => a - b)
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    items,
  }
}

const ADMIN = { email: 'bench@example.com', password: 'bench-password' }

export async function benchListSearch(engine: 'sqlite' | 'postgres', postgresUrl: string, contacts: number, perConversation: number, requests: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  try {
    // The server bootstraps its own workspace; seed a second, big one and log in as its agent.
    const ws = 'ws-big'
    const seeded = await seedWorkspace(db, {
      workspaceId: ws,
      channelId: 'ch-big',
      phoneNumberId: '999000111',
      contacts,
      perConversation,
      agents: 20,
    })
    const server = await startServerProcess(db)
    try {
      // Give one of the seeded agents a real password, through the API as an admin would.
      const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })
      const adminHash = (await storage.db.selectFrom('agents').select('password_hash').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).password_hash
      await storage.db.updateTable('agents').set({ password_hash: adminHash, role: 'admin' }).where('id', '=', seeded.agentIds[0]!).execute()
      // And a restricted agent (sees only their own conversations: 1 in 20 of the assigned ones).
      await storage.db.updateTable('agents').set({ password_hash: adminHash, restricted: 1 }).where('id', '=', seeded.agentIds[1]!).execute()
      await storage.close()
      const token = await login(server.url, `${seeded.agentIds[0]}@bench.test`, ADMIN.password)
      const restrictedToken = await login(server.url, `${seeded.agentIds[1]}@bench.test`, ADMIN.password)
      const queries: Record<string, string> = {
        all: '/api/conversations?limit=50',
        mine: '/api/conversations?view=mine&limit=50',
        unassigned: '/api/conversations?view=unassigned&limit=50',
        label: `/api/conversations?label=${seeded.labelIds[3]}&limit=50`,
        unread: '/api/conversations?unread=true&limit=50',
        closed: '/api/conversations?status=closed&limit=50',
        search_name: `/api/conversations?q=${encodeURIComponent('stefan')}&status=all&limit=50`,
        search_name_rare: `/api/conversations?q=${encodeURIComponent('irina lungu 1')}&status=all&limit=50`,
        search_phone: '/api/conversations?q=0720000123&status=all&limit=50',
        search_phone_prefix: `/api/conversations?q=${encodeURIComponent('+40 720 001')}&status=all&limit=50`,
        second_page: '',
      }
      const first = await (await fetch(`${server.url}/api/conversations?limit=50`, {
        headers: { authorization: `Bearer ${token}` },
      })).json() as { nextCursor: string }
      queries.second_page = `/api/conversations?limit=50&cursor=${first.nextCursor}`
      const restricted: Record<string, string> = {
        restricted_all: '/api/conversations?limit=50',
        restricted_search_name: `/api/conversations?q=${encodeURIComponent('stefan')}&status=all&limit=50`,
        restricted_search_phone: '/api/conversations?q=0720000&status=all&limit=50',
      }
      for (const [query, path] of [
        ...Object.entries(queries),
        ...Object.entries(restricted),
      ]) {
        const r = await latency(server.url, query.startsWith('restricted')
          ? restrictedToken
          : token, path, requests)
        emit({
          bench: 'team_list_search',
          engine,
          query,
          contacts,
          messages: contacts * perConversation,
          requests,
          p50_ms: r.p50,
          p95_ms: r.p95,
          p99_ms: r.p99,
          items: r.items,
          target_p95_ms: 20,
        })
      }
    }
    finally {
      await server.stop()
    }
  }
  finally {
    await db.drop()
  }
}

export async function benchSyncPull(engine: 'sqlite' | 'postgres', postgresUrl: string, conversations: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  try {
    const seeded = await seedWorkspace(db, {
      workspaceId: 'ws-sync',
      channelId: 'ch-sync',
      phoneNumberId: '999000222',
      contacts: conversations,
      perConversation: 2,
      agents: 20,
    })
    const server = await startServerProcess(db)
    try {
      const storage = openStorage({ databaseUrl: db.databaseUrl, dataDir: db.dataDir })
      const adminHash = (await storage.db.selectFrom('agents').select('password_hash').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()).password_hash
      await storage.db.updateTable('agents').set({ password_hash: adminHash }).where('id', '=', seeded.agentIds[0]!).execute()
      await storage.close()
      const token = await login(server.url, `${seeded.agentIds[0]}@bench.test`, ADMIN.password)
      for (const limit of [1000]) {
        const t0 = performance.now()
        let cursor: string | undefined
        let changes = 0
        let pages = 0
        let bytes = 0
        for (;;) {
          const res = await fetch(`${server.url}/api/sync?limit=${limit}${cursor
            ? `&since=${encodeURIComponent(cursor)}`
            : ''}`, {
            headers: { authorization: `Bearer ${token}` },
          })
          const text = await res.text()
          bytes += text.length
          const body = JSON.parse(text) as { changes: unknown[], cursor: string, hasMore: boolean }
          changes += body.changes.length
          pages++
          cursor = body.cursor
          if (!body.hasMore)
            break
        }
        const ms = performance.now() - t0
        emit({
          bench: 'sync_initial_pull',
          engine,
          conversations,
          page_limit: limit,
          changes,
          pages,
          mb: Math.round(bytes / 1e5) / 10,
          seconds: Math.round(ms) / 1000,
          changes_per_s: Math.round(changes / (ms / 1000)),
        })
      }
    }
    finally {
      await server.stop()
    }
  }
  finally {
    await db.drop()
  }
}

function signed(body: string): string {
  return `sha256=${createHmac('sha256', WA.appSecret).update(body).digest('hex')}`
}

export async function benchLiveLatency(engine: 'sqlite' | 'postgres', postgresUrl: string, clients: number, events: number): Promise<void> {
  const db = await benchDatabase(engine, postgresUrl)
  try {
    const server = await startServerProcess(db)
    const sockets: WebSocket[] = []
    try {
      const token = await login(server.url, ADMIN.email, ADMIN.password)
      const waiting = new Map<WebSocket, (seq: number) => void>()
      await Promise.all(Array.from({ length: clients }, async () => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/live`)
        sockets.push(ws)
        await new Promise<void>((resolve, reject) => {
          ws.addEventListener('message', (event) => {
            const m = JSON.parse(String(event.data)) as { type: string, seq: number }
            if (m.type === 'hello')
              resolve()
            if (m.type === 'changed')
              waiting.get(ws)?.(m.seq)
          })
          ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token })), { once: true })
          ws.addEventListener('error', () => reject(new Error('socket failed')), { once: true })
        })
      }))
      const latencies: number[] = []
      let missed = 0
      for (let e = 0; e < events + 5; e++) {
        const waId = `4076${String(e).padStart(7, '0')}`
        const body = JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: WA.wabaId,
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: WA.displayPhoneNumber, phone_number_id: WA.phoneNumberId },
                    contacts: [
                      {
                        profile: { name: `Live ${e}` },
                        wa_id: waId,
                      },
                    ],
                    messages: [
                      {
                        from: waId,
                        id: `wamid.live.${e}.${Date.now()}`,
                        timestamp: String(Math.floor(Date.now() / 1000)),
                        type: 'text',
                        text: { body: 'ping' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        })
        const t0 = performance.now()
        const arrivals = Promise.all(sockets.map(ws => new Promise<number>((resolve) => {
          const timer = setTimeout(() => {
            waiting.delete(ws)
            resolve(-1)
          }, 2000)
          waiting.set(ws, () => {
            clearTimeout(timer)
            waiting.delete(ws)
            resolve(performance.now() - t0)
          })
        })))
        const res = await fetch(`${server.url}/webhooks/whatsapp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': signed(body),
          },
          body,
        })
        if (!res.ok)
          throw new Error(`webhook answered ${res.status}`)
        const times = await arrivals
        if (e >= 5) { // the first few warm the server up
          for (const t of times) {
            if (t < 0)
              missed++
            else latencies.push(t)
          }
        }
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      latencies.sort((a, b) => a - b)
      emit({
        bench: 'live_latency',
        engine,
        clients,
        events,
        samples: latencies.length,
        missed,
        p50_ms: percentile(latencies, 50),
        p95_ms: percentile(latencies, 95),
        p99_ms: percentile(latencies, 99),
        max_ms: percentile(latencies, 100),
        target_p95_ms: 100,
      })
    }
    finally {
      for (const ws of sockets)
        ws.close()
      await server.stop()
    }
  }
  finally {
    await db.drop()
  }
}
