/**
 * The change log behind `GET /api/sync` and `/api/live`.
 *
 * Every writing transaction collects what it changed in a `ChangeSet` and `commitChanges` stores
 * the entries, unnumbered, as part of the same transaction: writers never wait on each other for
 * a number. After the commit the writer calls `app.publish`, which wakes the sequencer
 * (services/sequencer.ts); it numbers committed entries per workspace, one round at a time across
 * every server instance, so change numbers become visible strictly in order and a cursor never
 * skips a change that committed late.
 *
 * Entries name an entity (kind + id), not its content: sync reads the entity as it is when pulled,
 * and an entity that no longer exists is served as a deletion.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import { sql } from 'kysely'
import { SYNC_KINDS } from '../../../protocol/sync.ts'
import { newId } from '../ids.ts'
import { isPostgres } from '../storage/db.ts'

/** What sync serves, plus `resync` (internal, per agent: what they may see changed wholesale, so sync restarts their snapshot). */
export const CHANGE_KINDS = [...SYNC_KINDS, 'resync'] as const
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

/**
 * A workspace whose change log a committed transaction added to; `seq` when it was numbered in
 * the transaction (SQLite), absent when the sequencer numbers it (PostgreSQL). Publish it.
 */
export interface Committed { workspaceId: string, seq?: number }

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
 * Stores the set's entries in the transaction. On PostgreSQL they are stored unnumbered (ids are
 * UUIDv7, so within a workspace the sequencer numbers them in the order they were recorded). On
 * SQLite, where writers run one at a time anyway, they are numbered right here from the
 * workspace's counter: the same guarantee without a second write.
 */
export async function commitChanges(trx: Trx, changes: ChangeSet, now: number): Promise<Committed[]> {
  const committed: Committed[] = []
  const numberHere = !isPostgres(trx)
  for (const [workspaceId, entries] of changes.entries()) {
    if (entries.length === 0)
      continue
    let first: number | null = null
    if (numberHere) {
      const head = await trx.updateTable('workspaces')
        .set({ change_seq: sql`change_seq + ${entries.length}` })
        .where('id', '=', workspaceId)
        .returning('change_seq')
        .executeTakeFirst()
      if (!head)
        throw new Error(`changes for an unknown workspace ${workspaceId}`)
      first = Number(head.change_seq) - entries.length + 1
    }
    const rows = entries.map((e, i) => ({
      id: newId(),
      workspace_id: workspaceId,
      seq: first === null
        ? null
        : first + i,
      kind: e.kind,
      entity_id: e.id,
      conversation_id: e.conversationId ?? null,
      contact_id: e.contactId ?? null,
      agent_id: e.agentId ?? null,
      created_at: now,
    }))
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
      await trx.insertInto('changes').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute()
    committed.push(first === null
      ? { workspaceId }
      : { workspaceId, seq: first + entries.length - 1 })
  }
  return committed
}

export interface WriteResult<T> { value: T, committed: Committed[] }

/**
 * Runs `fn` in a transaction with a fresh ChangeSet and stores its changes with it. PostgreSQL's
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
 * Deletes numbered change-log entries older than the retention (a bounded batch per call).
 * Numbers are contiguous per workspace, so a gap below the oldest kept entry tells sync a cursor
 * is too old.
 */
export async function pruneChanges(db: Db, olderThan: number, batch = 5000): Promise<number> {
  const old = await db.selectFrom('changes').select(['workspace_id', 'seq']).where('created_at', '<', olderThan).where('seq', 'is not', null).orderBy('created_at').limit(batch).execute()
  let deleted = 0
  const byWorkspace = new Map<string, number>()
  for (const row of old)
    byWorkspace.set(row.workspace_id, Math.max(byWorkspace.get(row.workspace_id) ?? 0, row.seq!))
  for (const [workspaceId, upTo] of byWorkspace) {
    const result = await db.deleteFrom('changes').where('workspace_id', '=', workspaceId).where('seq', '<=', upTo).executeTakeFirst()
    deleted += Number(result.numDeletedRows)
  }
  return deleted
}

/** The workspace's latest change number (what `/api/live` says hello with). */
export async function workspaceHead(db: Db, workspaceId: string): Promise<number> {
  const head = await db.selectFrom('workspaces').select('change_seq').where('id', '=', workspaceId).executeTakeFirstOrThrow()
  return head.change_seq
}
