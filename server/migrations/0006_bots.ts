import type { Kysely } from 'kysely'
import type { Engine } from '../src/storage/db.ts'

/**
 * Bots (server/src/bots): per-workspace settings, the knowledge base, and the durable queue of
 * customer messages waiting for a bot decision. A job is written in the webhook's own transaction
 * (one per new inbound message of a contact with a bot on), so a crash between the commit and the
 * decision loses nothing; the reply's client id is derived from the message, so a job that runs
 * twice never sends twice.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const ms = engine === 'postgres'
    ? 'bigint'
    : 'integer'

  await db.schema.createTable('bot_settings')
    .addColumn('workspace_id', 'text', c => c.primaryKey())
    .addColumn('config', 'text', c => c.notNull())
    /** bumped by every knowledge-base write: the cached retrieval index checks it */
    .addColumn('kb_version', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()

  await db.schema.createTable('kb_entries')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('kind', 'text', c => c.notNull())
    .addColumn('title', 'text', c => c.notNull())
    .addColumn('body', 'text', c => c.notNull())
    .addColumn('language', 'text', c => c.notNull())
    .addColumn('enabled', 'integer', c => c.notNull().defaultTo(1))
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('kb_entries_workspace').on('kb_entries').columns(['workspace_id', 'id']).execute()

  await db.schema.createTable('bot_jobs')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('conversation_id', 'text', c => c.notNull())
    .addColumn('message_id', 'text', c => c.notNull().unique())
    .addColumn('state', 'text', c => c.notNull())
    .addColumn('attempts', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('run_at', ms, c => c.notNull())
    .addColumn('locked_until', ms)
    /** JSON: the decision taken (for the record and the tests) */
    .addColumn('result', 'text')
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('bot_jobs_due').on('bot_jobs').columns(['state', 'run_at']).execute()
  // "is there an older job of this conversation still queued?" (one job per conversation at a time)
  await db.schema.createIndex('bot_jobs_conversation').on('bot_jobs').columns(['conversation_id', 'state', 'id']).execute()

  await db.schema.alterTable('messages').addColumn('bot', 'text').execute()
  await db.schema.alterTable('conversations').addColumn('bot_handover_at', ms).execute()
  await db.schema.alterTable('conversations').addColumn('bot_handover_reason', 'text').execute()
}
