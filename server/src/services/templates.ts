/** Template list synced from the WhatsApp Business Account (paged), one transaction per number. */
import type { Db } from '../storage/db.ts'
import type { GraphClient } from '../whatsapp/graph-client.ts'
import type { Committed } from './changes.ts'
import { newId } from '../ids.ts'
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
