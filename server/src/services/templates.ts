/** Template list synced from the WhatsApp Business Account (paged), one transaction per number. */
import type { Template } from '../../../protocol/conversations.ts'
import type { Db } from '../storage/db.ts'
import type { GraphClient } from '../whatsapp/graph-client.ts'
import type { Committed } from './changes.ts'
import type { SessionAgent } from './sessions.ts'
import { AppError } from '../errors.ts'
import { newId } from '../ids.ts'
import { toTemplate } from '../serialize.ts'
import { GraphError } from '../whatsapp/graph-client.ts'
import { writeTransaction } from './changes.ts'

export async function syncTemplates(db: Db, graph: GraphClient, channelId: string, now = Date.now()): Promise<{ count: number, committed: Committed[] }> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirstOrThrow()
  const templates = await graph.listTemplates(channel)
  const { committed } = await writeTransaction(db, async (trx, changes) => {
    for (const t of templates) {
      const values = {
        meta_id: t.id,
        status: t.status,
        category: t.category,
        parameter_format: t.parameter_format,
        components: JSON.stringify(t.components),
        synced_at: now,
      }
      const row = await trx.insertInto('templates')
        .values({
          id: newId(),
          workspace_id: channel.workspace_id,
          channel_id: channel.id,
          name: t.name,
          language: t.language,
          ...values,
        })
        .onConflict(oc => oc.columns(['channel_id', 'name', 'language']).doUpdateSet(values))
        .returning('id')
        .executeTakeFirstOrThrow()
      changes.add(channel.workspace_id, { kind: 'template', id: row.id })
    }
    // Templates deleted at Meta disappear here too (sync serves them as deletions).
    const deleted = await trx.deleteFrom('templates').where('channel_id', '=', channel.id).where('synced_at', '<', now).returning('id').execute()
    for (const d of deleted)
      changes.add(channel.workspace_id, { kind: 'template', id: d.id })
  })
  return { count: templates.length, committed }
}

export async function syncAllTemplates(db: Db, graph: GraphClient, publish: (committed: Committed[]) => void): Promise<number> {
  const channels = await db.selectFrom('channels').select('id').execute()
  let total = 0
  for (const c of channels) {
    const { count, committed } = await syncTemplates(db, graph, c.id)
    publish(committed)
    total += count
  }
  return total
}

/** The caller's workspace's templates, by name then language. */
export async function listTemplates(db: Db, agent: SessionAgent): Promise<Template[]> {
  const rows = await db.selectFrom('templates').selectAll().where('workspace_id', '=', agent.workspace_id).orderBy('name').orderBy('language').execute()
  return rows.map(toTemplate)
}

/** An admin syncs the templates of every number of their workspace; answers how many there are. */
export async function syncWorkspaceTemplates(app: { db: Db, graph: GraphClient, publish: (committed: Committed[]) => void }, agent: SessionAgent): Promise<number> {
  if (agent.role !== 'admin')
    throw new AppError(403, 'forbidden', 'only an admin can sync templates')
  const channels = await app.db.selectFrom('channels').select('id').where('workspace_id', '=', agent.workspace_id).execute()
  let synced = 0
  try {
    for (const c of channels) {
      const { count, committed } = await syncTemplates(app.db, app.graph, c.id)
      app.publish(committed)
      synced += count
    }
  }
  catch (error) {
    if (error instanceof GraphError) {
      throw new AppError(502, 'whatsapp_error', `template sync failed: ${error.message}`, {
        details: { code: error.code },
      })
    }
    throw error
  }
  return synced
}
