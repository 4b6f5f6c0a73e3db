import type { Kysely } from 'kysely'

/**
 * Reports read a workspace's messages by time (the period) and its closes before the period
 * (where a still-open cycle starts); the live overview counts open conversations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_workspace_time').on('messages').columns(['workspace_id', 'timestamp']).execute()
  await db.schema.createIndex('conversations_workspace_status').on('conversations').columns(['workspace_id', 'status']).execute()
}
