/** Template list synced from the WhatsApp Business Account (paged), one transaction per number. */
import type { Db } from '../storage/db.ts'
import type { GraphClient } from '../whatsapp/graph-client.ts'
import { newId } from '../ids.ts'

export async function syncTemplates(db: Db, graph: GraphClient, channelId: string, now = Date.now()): Promise<number> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirstOrThrow()
  const templates = await graph.listTemplates(channel)
  await db.transaction().execute(async (trx) => {
    for (const t of templates) {
      const values = {
        meta_id: t.id,
        status: t.status,
        category: t.category,
        parameter_format: t.parameter_format,
        components: JSON.stringify(t.components),
        synced_at: now,
      }
      await trx.insertInto('templates')
        .values({
          id: newId(),
          workspace_id: channel.workspace_id,
          channel_id: channel.id,
          name: t.name,
          language: t.language,
          ...values,
        })
        .onConflict(oc => oc.columns(['channel_id', 'name', 'language']).doUpdateSet(values))
        .execute()
    }
    // Templates deleted at Meta disappear here too.
    await trx.deleteFrom('templates').where('channel_id', '=', channel.id).where('synced_at', '<', now).execute()
  })
  return templates.length
}

export async function syncAllTemplates(db: Db, graph: GraphClient): Promise<number> {
  const channels = await db.selectFrom('channels').select('id').execute()
  let total = 0
  for (const c of channels)
    total += await syncTemplates(db, graph, c.id)
  return total
}
