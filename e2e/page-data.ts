import type { SyncChange, SyncResponse } from '~/protocol/sync'
/**
 * Runs INSIDE an extension page (bundled by `bundlePageData` in e2e/page-script.ts and evaluated
 * there): a synthetic team inbox written through the extension's own Dexie schema and sync code,
 * for benchmarks and for tests that need many chats. Exposed as `globalThis.__waInbox`.
 */
import type { AppDB } from '~/utils/db'
import type { Agent, Contact, Conversation, Label } from '~/utils/db/types'
import { AppDB as Database } from '~/utils/db/app-db'
import { applySyncPage } from '~/utils/sync/apply'

export interface DatasetOptions {
  conversations: number
  /** the signed-in agent's id (some chats are assigned to them) */
  agentId?: string
  now?: number
}

const FIRST = [
  'Ana',
  'Maria',
  'Ioana',
  'Elena',
  'Andreea',
  'Ștefan',
  'Mihai',
  'Andrei',
  'Alexandru',
  'Radu',
  'James',
  'Sarah',
  'Emily',
  'Oliver',
  'Sofia',
  'Lucas',
  'Irina',
  'Cătălin',
  'Bogdan',
  'Diana',
]
const LAST = [
  'Popescu',
  'Ionescu',
  'Dumitrescu',
  'Stan',
  'Stoica',
  'Gheorghe',
  'Rusu',
  'Munteanu',
  'Matei',
  'Constantin',
  'Carter',
  'O\'Neill',
  'Smith',
  'Brown',
  'Țurcanu',
  'Lungu',
  'Mocanu',
  'Florea',
  'Dobre',
  'Barbu',
]
const PREVIEWS = [
  'Bună ziua! Mai aveți pe stoc?',
  'When will my order arrive?',
  'Mulțumesc frumos! 🙏',
  'Can I change the delivery address?',
  'Aveți mărimea 38?',
  'Ok, thanks 👍',
  'Factura, vă rog.',
  '',
]
const COLORS = [
  'gray',
  'red',
  'orange',
  'amber',
  'green',
  'teal',
  'blue',
  'indigo',
] as const

function pad(n: number): string {
  return String(n).padStart(6, '0')
}

export interface Dataset {
  me: Agent
  agents: Agent[]
  labels: Label[]
  contacts: Contact[]
  conversations: Conversation[]
}

/** Deterministic: the same options give the same rows. */
export function makeDataset(options: DatasetOptions): Dataset {
  const now = options.now ?? Date.now()
  const workspaceId = 'ws-bench'
  const agent = (i: number): Agent => ({
    id: i === 0
      ? (options.agentId ?? 'agent-000000')
      : `agent-${pad(i)}`,
    workspaceId,
    email: `agent${i}@bench.wa-inbox.test`,
    name: `${FIRST[i % FIRST.length]} Agent${i}`,
    role: i === 0
      ? 'admin'
      : 'agent',
    availability: 'online',
    restricted: false,
    active: true,
    teamIds: [],
    createdAt: now - 86_400_000,
    updatedAt: now - 86_400_000,
  })
  const agents = Array.from({ length: 6 }, (_, i) => agent(i))
  const labels: Label[] = COLORS.map((color, i) => ({
    id: `label-${pad(i)}`,
    name: `Label ${i}`,
    color,
    createdAt: now,
    updatedAt: now,
  }))
  const contacts: Contact[] = []
  const conversations: Conversation[] = []
  for (let i = 0; i < options.conversations; i++) {
    const first = FIRST[i % FIRST.length]!
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!
    const waId = `40722${pad(i)}`
    const contact: Contact = {
      id: `contact-${pad(i)}`,
      waId,
      userId: null,
      username: null,
      profileName: `${first} ${last}`,
      name: i % 3 === 0
        ? `${first} ${last} ${i}`
        : null,
      phone: `+${waId}`,
      email: null,
      language: i % 2
        ? 'ro'
        : 'en',
      customFields: {},
      aiBot: false,
      replyBot: false,
      blocked: false,
      labelIds: i % 4 === 0
        ? [labels[i % labels.length]!.id]
        : [],
      createdAt: now - (i + 1) * 60_000,
      updatedAt: now - (i + 1) * 60_000,
    }
    const at = now - i * 37_000
    const preview = PREVIEWS[i % PREVIEWS.length]!
    const assignee = i % 5 === 0
      ? null
      : agents[i % agents.length]!.id
    contacts.push(contact)
    conversations.push({
      id: `conv-${pad(i)}`,
      channelId: 'channel-000001',
      contactId: contact.id,
      contact,
      status: 'open',
      snoozedUntil: null,
      statusChangedAt: null,
      assigneeId: assignee,
      assignedAt: assignee ? at : null,
      teamId: null,
      unreadCount: i % 7 === 0
        ? (i % 4) + 1
        : 0,
      markedUnread: false,
      lastMessageAt: at,
      lastMessagePreview: preview,
      lastMessageDirection: i % 2
        ? 'in'
        : 'out',
      lastMessageType: preview ? 'text' : 'image',
      lastInboundAt: at,
      windowExpiresAt: at + 86_400_000,
      createdAt: at - 3_600_000,
      updatedAt: at,
    })
  }
  return {
    me: agents[0]!,
    agents,
    labels,
    contacts,
    conversations,
  }
}

/** The dataset as the server's snapshot pages (`GET /api/sync`), `pageSize` changes a page. */
export function snapshotPages(data: Dataset, pageSize = 1000): SyncResponse[] {
  const changes: SyncChange[] = []
  const push = (kind: SyncChange['kind'], entity: { id: string }) => changes.push({
    seq: changes.length + 1,
    kind,
    id: entity.id,
    op: 'upsert',
    data: entity,
  })
  push('workspace', { id: 'ws-bench', name: 'Bench shop', settings: {} } as { id: string })
  data.agents.forEach(agent => push('agent', agent))
  data.labels.forEach(label => push('label', label))
  data.contacts.forEach(contact => push('contact', contact))
  data.conversations.forEach(conversation => push('conversation', conversation))
  const pages: SyncResponse[] = []
  for (let i = 0; i < changes.length; i += pageSize) {
    const last = i + pageSize >= changes.length
    pages.push({
      changes: changes.slice(i, i + pageSize),
      cursor: `bench-${i}`,
      hasMore: !last,
      reset: i === 0,
      snapshot: !last,
    })
  }
  return pages
}

function allRows(page: SyncResponse): Map<string, unknown[]> {
  const byKind = new Map<string, unknown[]>()
  for (const change of page.changes) {
    const rows = byKind.get(change.kind) ?? []
    rows.push(change.data)
    byKind.set(change.kind, rows)
  }
  return byKind
}

const TABLE_OF: Record<string, string> = {
  workspace: 'workspaces',
  agent: 'agents',
  label: 'labels',
  contact: 'contacts',
  conversation: 'conversations',
}

async function clearSynced(db: AppDB): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    await Promise.all(db.tables.map(table => table.clear()))
  })
}

/**
 * Seeds the extension's own database (`wa-inbox`) as if `conversations` chats had just been
 * synced for the agent `session.agent`: snapshot pages through `applySyncPage`, the sync owner and
 * an up-to-date status. Write `session` to storage.local afterwards (the background then keeps
 * the data: same owner).
 */
export async function seedInbox(options: DatasetOptions & { serverUrl: string }): Promise<{ agent: Agent, rows: number, ms: number }> {
  const data = makeDataset(options)
  const db = new Database()
  const started = performance.now()
  for (const page of snapshotPages(data))
    await applySyncPage(db, page)
  await db.meta.put({ key: 'syncOwner', value: `${options.serverUrl}|${data.me.id}` })
  await db.meta.put({
    key: 'syncStatus',
    value: {
      state: 'idle',
      lastSyncedAt: Date.now(),
      error: null,
      snapshot: null,
      live: 'closed',
    },
  })
  const ms = performance.now() - started
  db.close()
  return { agent: data.me, rows: data.contacts.length + data.conversations.length, ms }
}

/**
 * The initial-sync benchmark: the same snapshot pages applied through `applySyncPage` vs written
 * with a plain `bulkPut` per table, one transaction a page, in a scratch database. Alternates
 * `rounds` times; answers each round's milliseconds.
 */
export async function syncBenchmark(options: { conversations: number, pageSize?: number, rounds?: number }): Promise<{ apply: number[], raw: number[], changes: number, pages: number }> {
  const pages = snapshotPages(makeDataset({ conversations: options.conversations, now: 1_750_000_000_000 }), options.pageSize)
  const db = new Database('wa-inbox-bench-sync')
  await db.open()
  const apply: number[] = []
  const raw: number[] = []
  const runApply = async () => {
    await clearSynced(db)
    const started = performance.now()
    for (const page of pages)
      await applySyncPage(db, page)
    apply.push(performance.now() - started)
  }
  const runRaw = async () => {
    await clearSynced(db)
    const started = performance.now()
    for (const page of pages) {
      const byKind = allRows(page)
      const tables = [
        ...byKind.keys(),
      ].map(kind => db.table(TABLE_OF[kind]!))
      await db.transaction('rw', [...tables, db.meta], async () => {
        for (const [kind, rows] of byKind)
          await db.table(TABLE_OF[kind]!).bulkPut(rows)
        await db.meta.put({ key: 'syncCursor', value: page.cursor })
      })
    }
    raw.push(performance.now() - started)
  }
  // Alternate which goes first, so neither always writes into a freshly cleared store.
  for (let round = 0; round < (options.rounds ?? 2); round++) {
    if (round % 2 === 0) {
      await runApply()
      await runRaw()
    }
    else {
      await runRaw()
      await runApply()
    }
  }
  await db.delete()
  return {
    apply,
    raw,
    changes: pages.reduce((n, page) => n + page.changes.length, 0),
    pages: pages.length,
  }
}

const api = {
  makeDataset,
  snapshotPages,
  seedInbox,
  syncBenchmark,
}
export type PageData = typeof api
;(globalThis as unknown as { __waInbox: PageData }).__waInbox = api
