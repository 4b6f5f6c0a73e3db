/**
 * Quick replies: canned answers an agent inserts by typing `/shortcut` in the composer. Every
 * agent reads them; admins manage them. Shortcuts are unique per workspace, case-insensitively.
 */
import type { Transaction } from 'kysely'
import type { CreateQuickReply, QuickReply, UpdateQuickReply } from '../../../protocol/contacts.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { Committed } from './changes.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { requireAdmin } from './access.ts'
import { writeTransaction } from './changes.ts'
import { loadQuickReplies } from './entities.ts'
import { isUniqueViolation } from './labels.ts'

type Trx = Transaction<Database>
interface App { db: Db, publish: (c: Committed[]) => void }

function shortcutTaken(): AppError {
  return new AppError(409, 'shortcut_taken', 'shortcut: another quick reply uses this shortcut', { field: 'shortcut' })
}

async function requireFreeShortcut(trx: Trx, workspaceId: string, shortcut: string, exceptId: string | null): Promise<void> {
  let query = trx.selectFrom('quick_replies').select('id').where('workspace_id', '=', workspaceId).where(sql`lower(shortcut)`, '=', shortcut.toLowerCase())
  if (exceptId)
    query = query.where('id', '<>', exceptId)
  if (await query.executeTakeFirst())
    throw shortcutTaken()
}

/** Two writes of the same shortcut at once: the unique index refuses the second. */
function mapConflict(error: unknown): never {
  if (isUniqueViolation(error))
    throw shortcutTaken()
  throw error
}

export async function listQuickReplies(db: Db, agent: SessionAgent): Promise<QuickReply[]> {
  return await loadQuickReplies(db, agent.workspace_id)
}

export async function createQuickReply(app: App, agent: SessionAgent, body: CreateQuickReply): Promise<QuickReply> {
  requireAdmin(agent)
  const ws = agent.workspace_id
  const id = newId()
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    await requireFreeShortcut(trx, ws, body.shortcut, null)
    await trx.insertInto('quick_replies').values({
      id,
      workspace_id: ws,
      shortcut: body.shortcut,
      title: body.title,
      body: body.body,
      created_at: now,
      updated_at: now,
    }).execute()
    changes.add(ws, { kind: 'quick_reply', id })
  }).catch(mapConflict)
  app.publish(committed)
  return (await loadQuickReplies(app.db, ws, [id]))[0]!
}

export async function updateQuickReply(app: App, agent: SessionAgent, id: string, patch: UpdateQuickReply): Promise<QuickReply> {
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await trx.selectFrom('quick_replies').selectAll().where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst()
    if (!row)
      throw notFound('quick reply')
    requireAdmin(agent)
    const set: { shortcut?: string, title?: string, body?: string } = {}
    if (patch.shortcut !== undefined && patch.shortcut !== row.shortcut) {
      await requireFreeShortcut(trx, ws, patch.shortcut, id)
      set.shortcut = patch.shortcut
    }
    if (patch.title !== undefined && patch.title !== row.title)
      set.title = patch.title
    if (patch.body !== undefined && patch.body !== row.body)
      set.body = patch.body
    if (Object.keys(set).length === 0)
      return
    await trx.updateTable('quick_replies').set({ ...set, updated_at: now }).where('id', '=', id).execute()
    changes.add(ws, { kind: 'quick_reply', id })
  }).catch(mapConflict)
  app.publish(committed)
  return (await loadQuickReplies(app.db, ws, [id]))[0]!
}

export async function deleteQuickReply(app: App, agent: SessionAgent, id: string): Promise<void> {
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes) => {
    const row = await trx.selectFrom('quick_replies').select('id').where('workspace_id', '=', ws).where('id', '=', id).executeTakeFirst()
    if (!row)
      throw notFound('quick reply')
    requireAdmin(agent)
    await trx.deleteFrom('quick_replies').where('id', '=', id).execute()
    changes.add(ws, { kind: 'quick_reply', id })
  })
  app.publish(committed)
}
