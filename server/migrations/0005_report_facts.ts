import type { Kysely } from 'kysely'
import type { Engine } from '../src/storage/db.ts'
import { sql } from 'kysely'

/**
 * Materialised report facts (reports/facts-refresh.ts): the output of the reports replay kept
 * per conversation and packed per UTC day, refreshed incrementally.
 *
 * - `report_dirty`: append-only queue of conversations whose history changed, filled by triggers
 *   on messages, conversation events and conversations (so every writer — API, webhooks, imports,
 *   tests inserting rows directly — is covered). Append-only: no row is ever updated, so a
 *   trigger never waits for a lock and a refresh never blocks a writer.
 * - `report_conv`: per conversation its dense index and, per UTC day, a hash of its facts (a
 *   refresh rewrites only the days whose facts changed) plus the cycles the 90-day lookback needs.
 * - `report_segments`: per workspace and UTC day, the facts of every conversation on that day,
 *   columnar in one blob, with a version the in-memory cache checks.
 * - `report_keys`: dense indexes of agent / team / channel / failure-reason ids used in segments.
 * - `report_state`: per workspace the version (bumped by each refresh that wrote) and next index.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const ms = engine === 'postgres'
    ? 'bigint'
    : 'integer'
  if (engine === 'postgres') {
    await sql`CREATE TABLE report_dirty (seq bigserial PRIMARY KEY, workspace_id text NOT NULL, conversation_id text NOT NULL)`.execute(db)
  }
  else {
    await sql`CREATE TABLE report_dirty (seq integer PRIMARY KEY, workspace_id text NOT NULL, conversation_id text NOT NULL)`.execute(db)
  }
  await db.schema.createIndex('report_dirty_workspace').on('report_dirty').columns(['workspace_id', 'seq']).execute()

  await db.schema.createTable('report_conv')
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('conversation_id', 'text', c => c.notNull())
    .addColumn('idx', 'integer', c => c.notNull())
    .addColumn('days', 'text', c => c.notNull())
    .addColumn('open_since', ms)
    .addColumn('long_cycles', 'text')
    .addPrimaryKeyConstraint('report_conv_pk', ['workspace_id', 'conversation_id'])
    .execute()
  await db.schema.createIndex('report_conv_idx').unique().on('report_conv').columns(['workspace_id', 'idx']).execute()
  await db.schema.createIndex('report_conv_open').on('report_conv').columns(['workspace_id', 'open_since']).execute()

  await db.schema.createTable('report_segments')
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('day', 'integer', c => c.notNull())
    .addColumn('version', ms, c => c.notNull())
    .addColumn('data', engine === 'postgres'
      ? 'bytea'
      : 'blob', c => c.notNull())
    .addPrimaryKeyConstraint('report_segments_pk', ['workspace_id', 'day'])
    .execute()

  await db.schema.createTable('report_keys')
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('kind', 'text', c => c.notNull())
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('idx', 'integer', c => c.notNull())
    .addPrimaryKeyConstraint('report_keys_pk', ['workspace_id', 'kind', 'key'])
    .execute()

  await db.schema.createTable('report_state')
    .addColumn('workspace_id', 'text', c => c.primaryKey())
    .addColumn('version', ms, c => c.notNull())
    .addColumn('next_conv', 'integer', c => c.notNull())
    .execute()

  // What changes a report: a message's existence, time, direction, sender, failure (not its
  // delivery receipts); any conversation event; a conversation's assignee / team (its state before
  // the first recorded event), channel, or its deletion.
  const messageChanged = `OLD.conversation_id IS DISTINCT FROM NEW.conversation_id OR OLD.timestamp IS DISTINCT FROM NEW.timestamp
    OR OLD.direction IS DISTINCT FROM NEW.direction OR OLD.sent_by IS DISTINCT FROM NEW.sent_by
    OR (OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed') OR (NEW.status = 'failed' AND OLD.error IS DISTINCT FROM NEW.error)`
  const conversationChanged = `OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.team_id IS DISTINCT FROM NEW.team_id
    OR OLD.channel_id IS DISTINCT FROM NEW.channel_id OR OLD.contact_id IS DISTINCT FROM NEW.contact_id`
  // Only workspaces that use reports (a `report_state` row, created by their first report) queue
  // anything: the others pay one indexed lookup per write, and nothing grows for them.
  const mark = (row: 'OLD' | 'NEW', column: string) => `INSERT INTO report_dirty (workspace_id, conversation_id) SELECT ${row}.workspace_id, ${row}.${column} WHERE EXISTS (SELECT 1 FROM report_state WHERE workspace_id = ${row}.workspace_id);`

  if (engine === 'postgres') {
    for (const [fn, column] of [
      ['report_mark_conversation_id', 'conversation_id'],
      ['report_mark_id', 'id'],
    ] as const) {
      await sql.raw(`CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${mark('NEW', column)}
  ELSIF TG_OP = 'DELETE' THEN
    ${mark('OLD', column)}
  ELSE
    ${mark('OLD', column)}
    IF OLD.${column} IS DISTINCT FROM NEW.${column} THEN ${mark('NEW', column)} END IF;
  END IF;
  RETURN NULL;
END $$`).execute(db)
    }
    const triggers = [
      `CREATE TRIGGER report_messages_insert AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION report_mark_conversation_id()`,
      `CREATE TRIGGER report_messages_update AFTER UPDATE ON messages FOR EACH ROW WHEN (${messageChanged}) EXECUTE FUNCTION report_mark_conversation_id()`,
      `CREATE TRIGGER report_messages_delete AFTER DELETE ON messages FOR EACH ROW EXECUTE FUNCTION report_mark_conversation_id()`,
      `CREATE TRIGGER report_events_change AFTER INSERT OR UPDATE OR DELETE ON conversation_events FOR EACH ROW EXECUTE FUNCTION report_mark_conversation_id()`,
      `CREATE TRIGGER report_conversations_update AFTER UPDATE ON conversations FOR EACH ROW WHEN (${conversationChanged}) EXECUTE FUNCTION report_mark_id()`,
      `CREATE TRIGGER report_conversations_delete AFTER DELETE ON conversations FOR EACH ROW EXECUTE FUNCTION report_mark_id()`,
    ]
    for (const t of triggers)
      await sql.raw(t).execute(db)
  }
  else {
    const sqliteChanged = (text: string) => text.replaceAll('IS DISTINCT FROM', 'IS NOT')
    const triggers = [
      `CREATE TRIGGER report_messages_insert AFTER INSERT ON messages BEGIN ${mark('NEW', 'conversation_id')} END`,
      `CREATE TRIGGER report_messages_update AFTER UPDATE ON messages WHEN ${sqliteChanged(messageChanged)} BEGIN ${mark('OLD', 'conversation_id')} ${mark('NEW', 'conversation_id')} END`,
      `CREATE TRIGGER report_messages_delete AFTER DELETE ON messages BEGIN ${mark('OLD', 'conversation_id')} END`,
      `CREATE TRIGGER report_events_insert AFTER INSERT ON conversation_events BEGIN ${mark('NEW', 'conversation_id')} END`,
      `CREATE TRIGGER report_events_update AFTER UPDATE ON conversation_events BEGIN ${mark('OLD', 'conversation_id')} ${mark('NEW', 'conversation_id')} END`,
      `CREATE TRIGGER report_events_delete AFTER DELETE ON conversation_events BEGIN ${mark('OLD', 'conversation_id')} END`,
      `CREATE TRIGGER report_conversations_update AFTER UPDATE ON conversations WHEN ${sqliteChanged(conversationChanged)} BEGIN ${mark('OLD', 'id')} ${mark('NEW', 'id')} END`,
      `CREATE TRIGGER report_conversations_delete AFTER DELETE ON conversations BEGIN ${mark('OLD', 'id')} END`,
    ]
    for (const t of triggers)
      await sql.raw(t).execute(db)
  }
  // Nothing is queued here: a workspace's first report queues all of its conversations
  // (reports/facts-refresh.ts, startTracking).
}
