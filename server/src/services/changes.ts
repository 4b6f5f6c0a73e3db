/**
 * The change log behind `GET /api/sync` and `/api/live`.
 *
 * Every writing transaction collects what it changed in a `ChangeSet`; `commitChanges` runs as the
 * transaction's last statements: it takes the workspace's counter with `UPDATE … RETURNING` (a row
 * lock on PostgreSQL, the database lock on SQLite) and numbers the entries from it. The lock is
 * held until commit, so a transaction holding number n commits before anyone can take n + 1:
 * change numbers are visible in exactly the order they were handed out, and a reader that has
 * seen n has seen everything below n. Taking the counter last keeps the lock short and means no
 * other lock is ever requested while holding it (no deadlock through the counter).
 *
 * Entries name an entity (kind + id), not its content: sync reads the entity as it is when pulled,
 * and an entity that no longer exists is served as a deletion.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import { sql } from 'kysely'
import { isPostgres } from '../storage/db.ts'
import { LIVE_CHANNEL, LIVE_INSTANCE } from './live.ts'

export const CHANGE_KINDS = [
  'workspace',
  'agent',
  'team',
  'channel',
  'template',
  'label',
  'quick_reply',
  'contact',
  'note',
  'conversation',
  'message',
  'notification',
  /** internal, per agent: what they may see changed wholesale (teams, restriction); sync restarts their snapshot */
  'resync',
] as const
export type ChangeKind = typeof CHANGE_KINDS[number]

export interface ChangeEntry {
  kind: ChangeKind
  id: string
  /** the conversation the entity belongs to (messages, conversations): for visibility */
  conversationId?: string | null
  /** the contact the entity belongs to (contacts, notes): for visibility */
  contactId?: string | null
  /** set = a change only this agent sees (their read state, their notifications) */
  agentId?: string | null
}

export interface Committed { workspaceId: string, seq: number }

type Trx = Kysely<Database> | Transaction<Database>

/** What one transaction changed, per workspace, each entity once. */
export class ChangeSet {
  private readonly byWorkspace = new Map<string, Map<string, ChangeEntry>>()

  add(workspaceId: string, entry: ChangeEntry): this {
    let entries = this.byWorkspace.get(workspaceId)
    if (!entries) {
      entries = new Map()
      this.byWorkspace.set(workspaceId, entries)
    }
    const key = `${entry.kind}|${entry.id}|${entry.agentId ?? ''}`
    entries.delete(key) // re-added: keep the latest position
    entries.set(key, entry)
    return this
  }

  conversation(workspaceId: string, conversationId: string, contactId?: string | null): this {
    return this.add(workspaceId, {
      kind: 'conversation',
      id: conversationId,
      conversationId,
      contactId,
    })
  }

  message(workspaceId: string, messageId: string, conversationId: string): this {
    return this.add(workspaceId, { kind: 'message', id: messageId, conversationId })
  }

  get size(): number {
    let n = 0
    for (const entries of this.byWorkspace.values())
      n += entries.size
    return n
  }

  entries(): Array<[string, ChangeEntry[]]> {
    return [...this.byWorkspace].map(([ws, entries]) => [
      ws,
      [
        ...entries.values(),
      ],
    ])
  }
}

const ROWS_PER_STATEMENT = 200

/**
 * Numbers and stores the set's entries. Call it as the last thing a transaction does. Workspaces
 * are taken in id order, so two transactions spanning the same workspaces cannot deadlock.
 */
export async function commitChanges(trx: Trx, changes: ChangeSet, now: number): Promise<Committed[]> {
  const committed: Committed[] = []
  const all = changes.entries().sort(([a], [b]) => a < b
    ? -1
    : a > b
      ? 1
      : 0)
  for (const [workspaceId, entries] of all) {
    if (entries.length === 0)
      continue
    const row = await trx.updateTable('workspaces')
      .set({ change_seq: sql`change_seq + ${entries.length}` })
      .where('id', '=', workspaceId)
      .returning('change_seq')
      .executeTakeFirst()
    if (!row)
      throw new Error(`changes for an unknown workspace ${workspaceId}`)
    const first = Number(row.change_seq) - entries.length + 1
    const rows = entries.map((e, i) => ({
      workspace_id: workspaceId,
      seq: first + i,
      kind: e.kind,
      entity_id: e.id,
      conversation_id: e.conversationId ?? null,
      contact_id: e.contactId ?? null,
      agent_id: e.agentId ?? null,
      created_at: now,
    }))
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
      await trx.insertInto('changes').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute()
    const seq = first + entries.length - 1
    // Other server instances hear it when (and only if) this transaction commits.
    if (isPostgres(trx))
      await sql`SELECT pg_notify(${LIVE_CHANNEL}, ${JSON.stringify({ i: LIVE_INSTANCE, w: workspaceId, s: seq })})`.execute(trx)
    committed.push({ workspaceId, seq })
  }
  return committed
}

export interface WriteResult<T> { value: T, committed: Committed[] }

/**
 * Runs `fn` in a transaction with a fresh ChangeSet and commits its changes last. PostgreSQL's
 * deadlock (40P01) and serialization (40001) aborts leave nothing behind, so they are retried.
 */
export async function writeTransaction<T>(db: Db, fn: (trx: Transaction<Database>, changes: ChangeSet, now: number) => Promise<T>): Promise<WriteResult<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const changes = new ChangeSet()
        const now = Date.now()
        const value = await fn(trx, changes, now)
        const committed = await commitChanges(trx, changes, now)
        return { value, committed }
      })
    }
    catch (error) {
      const code = (error as { code?: string }).code
      if (attempt >= 5 || (code !== '40P01' && code !== '40001'))
        throw error
      await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}

/**
 * Deletes change-log entries older than the retention (a bounded batch per call). Numbers are
 * contiguous per workspace, so a gap below the oldest kept entry tells sync a cursor is too old.
 */
export async function pruneChanges(db: Db, olderThan: number, batch = 5000): Promise<number> {
  const old = await db.selectFrom('changes').select(['workspace_id', 'seq']).where('created_at', '<', olderThan).orderBy('created_at').limit(batch).execute()
  let deleted = 0
  const byWorkspace = new Map<string, number>()
  for (const row of old)
    byWorkspace.set(row.workspace_id, Math.max(byWorkspace.get(row.workspace_id) ?? 0, row.seq))
  for (const [workspaceId, upTo] of byWorkspace) {
    const result = await db.deleteFrom('changes').where('workspace_id', '=', workspaceId).where('seq', '<=', upTo).executeTakeFirst()
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}
