/**
 * Writes one `GET /api/sync` page into Dexie, in one transaction together with its cursor, so a
 * page is either fully applied (and never asked for again) or not at all.
 */
import type { Table } from 'dexie'
import type { AppDB, Message, StoredConversation, SyncTableName } from '../db'
import type { SyncKind, SyncResponse } from '~/protocol/sync'
import { SYNC_TABLES } from '../db'
import { listAtOf } from '../db/types'

export function syncTables(db: AppDB): Table[] {
  return Object.values(SYNC_TABLES).map(name => db.table(name))
}

/** Answers how many changes were applied. */
export async function applySyncPage(db: AppDB, page: SyncResponse): Promise<number> {
  // Each change carries the entity as it is now, so the last change of an entity in a page wins.
  const last = new Map<string, SyncResponse['changes'][number]>()
  for (const change of page.changes) {
    const key = `${change.kind}|${change.id}`
    last.delete(key)
    last.set(key, change)
  }
  const puts = new Map<SyncTableName, unknown[]>()
  const deletes = new Map<SyncKind, string[]>()
  for (const change of last.values()) {
    if (!(change.kind in SYNC_TABLES))
      continue // a kind this client version does not know: skip rather than fail the page
    if (change.op === 'upsert' && change.data && typeof change.data === 'object') {
      const table = SYNC_TABLES[change.kind]
      if (change.kind === 'conversation')
        withListAt(change.data as StoredConversation)
      const rows = puts.get(table)
      if (rows)
        rows.push(change.data)
      else puts.set(table, [change.data])
    }
    else if (change.op === 'delete') {
      const ids = deletes.get(change.kind)
      if (ids)
        ids.push(change.id)
      else deletes.set(change.kind, [change.id])
    }
  }

  await db.transaction('rw', [
    ...syncTables(db),
    db.meta,
  ], async () => {
    if (page.reset) {
      // A snapshot replaces everything synced; the outbox (the user's pending actions) stays.
      await Promise.all(syncTables(db).map(table => table.clear()))
    }
    for (const [kind, ids] of deletes) {
      await db.table(SYNC_TABLES[kind]).bulkDelete(ids)
      // What hangs off a removed entity goes with it (the server does not list it separately).
      if (kind === 'conversation')
        await db.messages.where('conversationId').anyOf(ids).delete()
      if (kind === 'contact')
        await db.notes.where('contactId').anyOf(ids).delete()
    }
    for (const [table, rows] of puts)
      await db.table(table).bulkPut(rows)
    await replaceLocalMessages(db, puts.get('messages') as Message[] | undefined)
    await db.meta.put({ key: 'syncCursor', value: page.cursor })
  })
  return page.changes.length
}

/**
 * A message the agent sent is shown at once as a local copy whose id is its `clientId`; when the
 * server's message with that `clientId` arrives, the copy goes. Call inside a transaction on
 * `messages`.
 */
export async function replaceLocalMessages(db: AppDB, messages: readonly Message[] | undefined): Promise<void> {
  const local = (messages ?? []).filter(message => message.clientId && message.clientId !== message.id)
  if (local.length > 0)
    await db.messages.bulkDelete(local.map(message => message.clientId!))
}

/** Sets the chat list's sort time on a conversation row (in place). */
export function withListAt<T extends StoredConversation>(row: T): T {
  row.listAt = listAtOf(row)
  return row
}
