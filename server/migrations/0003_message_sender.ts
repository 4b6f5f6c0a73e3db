import type { Kysely } from 'kysely'

/** Which agent sent an outbound message (null: sent before this was recorded, or by a bot later). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('sent_by', 'text').execute()
}
