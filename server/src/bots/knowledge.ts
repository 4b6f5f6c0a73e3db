import type { Transaction } from 'kysely'
/**
 * The knowledge base: admin-managed Q&A entries and documents, and the retrieval index built from
 * the enabled ones. The index is cached per workspace and rebuilt when `bot_settings.kb_version`
 * (bumped by every write, in the same transaction) moves, so every server instance follows.
 */
import type { CreateKbEntry, KbEntry, KbPage, ListKbQuery, UpdateKbEntry } from '../../../protocol/bots.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import type { Database, KbEntriesTable } from '../storage/schema.ts'
import type { KbIndex } from './retrieval.ts'
import { sql } from 'kysely'
import { BOT_LIMITS } from '../../../protocol/bots.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { requireAdmin } from '../services/access.ts'
import { buildIndex } from './retrieval.ts'
import { defaultSettings } from './settings.ts'

type Trx = Transaction<Database>

export function toKbEntry(row: KbEntriesTable): KbEntry {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    language: row.language,
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

/** Bumps the workspace's knowledge version (creating its settings row with defaults if needed). */
async function bump(trx: Trx, workspaceId: string, now: number): Promise<void> {
  const updated = await trx.updateTable('bot_settings').set(eb => ({
    kb_version: eb('kb_version', '+', 1),
  })).where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (Number(updated.numUpdatedRows) === 0) {
    await trx.insertInto('bot_settings').values({
      workspace_id: workspaceId,
      config: JSON.stringify(defaultSettings()),
      kb_version: 1,
      updated_at: now,
    }).onConflict(oc => oc.column('workspace_id').doUpdateSet(eb => ({
      kb_version: eb('bot_settings.kb_version', '+', 1),
    }))).execute()
  }
}

export async function listKnowledge(db: Db, agent: SessionAgent, query: ListKbQuery): Promise<KbPage> {
  requireAdmin(agent)
  const limit = query.limit ?? 50
  let q = db.selectFrom('kb_entries').selectAll().where('workspace_id', '=', agent.workspace_id)
  if (query.cursor)
    q = q.where('id', '>', query.cursor)
  const needle = query.q?.trim().toLowerCase()
  if (needle) {
    const pattern = `%${needle.replace(/[%_\\]/g, '\\$&')}%`
    q = q.where(sql<boolean>`(lower(title) like ${pattern} escape '\\' or lower(body) like ${pattern} escape '\\')`)
  }
  const rows = await q.orderBy('id').limit(limit + 1).execute()
  const items = rows.slice(0, limit).map(toKbEntry)
  return {
    items,
    nextCursor: rows.length > limit
      ? items.at(-1)!.id
      : null,
  }
}

export async function createKnowledge(db: Db, agent: SessionAgent, body: CreateKbEntry, now = Date.now()): Promise<KbEntry> {
  requireAdmin(agent)
  const row: KbEntriesTable = {
    id: newId(),
    workspace_id: agent.workspace_id,
    kind: body.kind,
    title: body.title.trim(),
    body: body.body.trim(),
    language: body.language ?? 'any',
    enabled: body.enabled === false
      ? 0
      : 1,
    created_at: now,
    updated_at: now,
  }
  if (row.title === '' || row.body === '') {
    throw new AppError(400, 'invalid_request', `${row.title === ''
      ? 'title'
      : 'body'}: cannot be blank`, {
      field: row.title === ''
        ? 'title'
        : 'body',
    })
  }
  await db.transaction().execute(async (trx) => {
    const { n } = await trx.selectFrom('kb_entries').select(eb => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', agent.workspace_id).executeTakeFirstOrThrow()
    if (Number(n) >= BOT_LIMITS.kbEntries)
      throw new AppError(400, 'invalid_request', `the knowledge base holds at most ${BOT_LIMITS.kbEntries} entries`, { field: 'kind' })
    await trx.insertInto('kb_entries').values(row).execute()
    await bump(trx, agent.workspace_id, now)
  })
  return toKbEntry(row)
}

export async function updateKnowledge(db: Db, agent: SessionAgent, id: string, patch: UpdateKbEntry, now = Date.now()): Promise<KbEntry> {
  requireAdmin(agent)
  return await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('kb_entries').selectAll().where('workspace_id', '=', agent.workspace_id).where('id', '=', id).executeTakeFirst()
    if (!row)
      throw notFound('knowledge entry')
    const next: KbEntriesTable = {
      ...row,
      kind: patch.kind ?? row.kind,
      title: patch.title?.trim() ?? row.title,
      body: patch.body?.trim() ?? row.body,
      language: patch.language ?? row.language,
      enabled: patch.enabled === undefined
        ? row.enabled
        : patch.enabled ? 1 : 0,
      updated_at: now,
    }
    if (next.title === '' || next.body === '') {
      throw new AppError(400, 'invalid_request', `${next.title === ''
        ? 'title'
        : 'body'}: cannot be blank`, {
        field: next.title === ''
          ? 'title'
          : 'body',
      })
    }
    await trx.updateTable('kb_entries').set({
      kind: next.kind,
      title: next.title,
      body: next.body,
      language: next.language,
      enabled: next.enabled,
      updated_at: now,
    }).where('id', '=', id).execute()
    await bump(trx, agent.workspace_id, now)
    return toKbEntry(next)
  })
}

export async function deleteKnowledge(db: Db, agent: SessionAgent, id: string, now = Date.now()): Promise<void> {
  requireAdmin(agent)
  await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('kb_entries').where('workspace_id', '=', agent.workspace_id).where('id', '=', id).executeTakeFirst()
    if (Number(deleted.numDeletedRows) === 0)
      throw notFound('knowledge entry')
    await bump(trx, agent.workspace_id, now)
  })
}

const cache = new Map<string, { version: number, index: KbIndex }>()

/** The workspace's retrieval index (null when the knowledge base has no enabled entry). */
export async function knowledgeIndex(db: Db, workspaceId: string): Promise<KbIndex | null> {
  const state = await db.selectFrom('bot_settings').select('kb_version').where('workspace_id', '=', workspaceId).executeTakeFirst()
  const version = Number(state?.kb_version ?? 0)
  const cached = cache.get(workspaceId)
  if (cached && cached.version === version) {
    return cached.index.size > 0
      ? cached.index
      : null
  }
  const rows = await db.selectFrom('kb_entries').select([
    'id',
    'kind',
    'title',
    'body',
    'language',
  ]).where('workspace_id', '=', workspaceId).where('enabled', '=', 1).orderBy('id').execute()
  const index = buildIndex(rows)
  if (cache.size > 200)
    cache.clear()
  cache.set(workspaceId, { version, index })
  return index.size > 0
    ? index
    : null
}
