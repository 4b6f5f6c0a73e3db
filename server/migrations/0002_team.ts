import type { Kysely } from 'kysely'
import type { Engine } from '../src/storage/db.ts'
import { sql } from 'kysely'

/**
 * The team inbox: agents' availability, visibility and teams; conversation assignment, status and
 * per-agent read state; contact fields, labels and notes; quick replies; the change log that
 * `/api/sync` serves and the record of applied client mutations.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const ms = engine === 'postgres'
    ? 'bigint'
    : 'integer'

  // The per-workspace change counter, advanced only by the sequencer.
  await db.schema.alterTable('workspaces').addColumn('change_seq', ms, c => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('workspaces').addColumn('settings', 'text', c => c.notNull().defaultTo('{}')).execute()

  await db.schema.alterTable('agents').addColumn('availability', 'text', c => c.notNull().defaultTo('offline')).execute()
  await db.schema.alterTable('agents').addColumn('restricted', 'integer', c => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('agents').addColumn('availability_at', ms).execute()

  await db.schema.createTable('teams')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('name_key', 'text', c => c.notNull())
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('teams_name').unique().on('teams').columns(['workspace_id', 'name_key']).execute()

  await db.schema.createTable('team_members')
    .addColumn('team_id', 'text', c => c.notNull().references('teams.id'))
    .addColumn('agent_id', 'text', c => c.notNull().references('agents.id'))
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'agent_id'])
    .execute()
  await db.schema.createIndex('team_members_agent').on('team_members').column('agent_id').execute()

  await db.schema.alterTable('conversations').addColumn('assignee_id', 'text').execute()
  await db.schema.alterTable('conversations').addColumn('team_id', 'text').execute()
  await db.schema.alterTable('conversations').addColumn('snoozed_until', ms).execute()
  await db.schema.alterTable('conversations').addColumn('inbound_count', 'integer', c => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('conversations').addColumn('status_changed_at', ms).execute()
  await db.schema.alterTable('conversations').addColumn('assigned_at', ms).execute()
  await sql`UPDATE conversations SET inbound_count = unread_count`.execute(db)
  // Lists sort by last activity; an expression index serves every view without a stored copy.
  await sql`CREATE INDEX conversations_activity ON conversations (workspace_id, (coalesce(last_message_at, created_at)) DESC, id DESC)`.execute(db)
  await sql`CREATE INDEX conversations_assignee_activity ON conversations (workspace_id, assignee_id, (coalesce(last_message_at, created_at)) DESC, id DESC)`.execute(db)
  await db.schema.createIndex('conversations_contact').on('conversations').column('contact_id').execute()
  await db.schema.createIndex('conversations_snoozed').on('conversations').columns(['status', 'snoozed_until']).execute()

  // Assignment and status history, with the actor (null = the system): reports read these.
  await db.schema.createTable('conversation_events')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('conversation_id', 'text', c => c.notNull().references('conversations.id'))
    .addColumn('kind', 'text', c => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('created_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('conversation_events_conversation').on('conversation_events').columns(['conversation_id', 'created_at']).execute()
  await db.schema.createIndex('conversation_events_workspace').on('conversation_events').columns(['workspace_id', 'created_at']).execute()

  // Per-agent read state. Without a row an agent sees the team's unread count.
  await db.schema.createTable('conversation_reads')
    .addColumn('conversation_id', 'text', c => c.notNull().references('conversations.id'))
    .addColumn('agent_id', 'text', c => c.notNull().references('agents.id'))
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('read_inbound_count', 'integer', c => c.notNull())
    .addColumn('marked_unread', 'integer', c => c.notNull().defaultTo(0))
    .addColumn('updated_at', ms, c => c.notNull())
    .addPrimaryKeyConstraint('conversation_reads_pk', ['conversation_id', 'agent_id'])
    .execute()

  await db.schema.alterTable('contacts').addColumn('name', 'text').execute()
  await db.schema.alterTable('contacts').addColumn('phone', 'text').execute()
  await db.schema.alterTable('contacts').addColumn('email', 'text').execute()
  await db.schema.alterTable('contacts').addColumn('language', 'text').execute()
  await db.schema.alterTable('contacts').addColumn('custom_fields', 'text', c => c.notNull().defaultTo('{}')).execute()
  await db.schema.alterTable('contacts').addColumn('ai_bot', 'integer', c => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('contacts').addColumn('reply_bot', 'integer', c => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('contacts').addColumn('blocked', 'integer', c => c.notNull().defaultTo(0)).execute()
  // Lower-case, accent-free names and the phone's digits: what search matches against.
  await db.schema.alterTable('contacts').addColumn('search_text', 'text', c => c.notNull().defaultTo('')).execute()
  await db.schema.alterTable('contacts').addColumn('search_digits', 'text', c => c.notNull().defaultTo('')).execute()
  await sql`UPDATE contacts SET search_digits = coalesce(wa_id, ''), search_text = lower(coalesce(profile_name, ''))`.execute(db)

  await db.schema.createTable('labels')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', c => c.notNull())
    .addColumn('name_key', 'text', c => c.notNull())
    .addColumn('color', 'text', c => c.notNull())
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('labels_name').unique().on('labels').columns(['workspace_id', 'name_key']).execute()

  await db.schema.createTable('contact_labels')
    .addColumn('contact_id', 'text', c => c.notNull().references('contacts.id'))
    .addColumn('label_id', 'text', c => c.notNull().references('labels.id'))
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', ms, c => c.notNull())
    .addPrimaryKeyConstraint('contact_labels_pk', ['contact_id', 'label_id'])
    .execute()
  await db.schema.createIndex('contact_labels_label').on('contact_labels').columns(['label_id', 'contact_id']).execute()

  await db.schema.createTable('notes')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('contact_id', 'text', c => c.notNull().references('contacts.id'))
    .addColumn('author_id', 'text', c => c.notNull())
    .addColumn('body', 'text', c => c.notNull())
    .addColumn('mentions', 'text', c => c.notNull().defaultTo('[]'))
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('notes_contact').on('notes').columns(['contact_id', 'created_at']).execute()

  // Per-agent notifications (an @mention in a note; later: hand-overs), synced to that agent only.
  await db.schema.createTable('notifications')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('agent_id', 'text', c => c.notNull())
    .addColumn('kind', 'text', c => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('note_id', 'text')
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('read_at', ms)
    .execute()
  await db.schema.createIndex('notifications_agent').on('notifications').columns(['agent_id', 'created_at']).execute()

  await db.schema.createTable('quick_replies')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('shortcut', 'text', c => c.notNull())
    .addColumn('title', 'text', c => c.notNull())
    .addColumn('body', 'text', c => c.notNull())
    .addColumn('created_at', ms, c => c.notNull())
    .addColumn('updated_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('quick_replies_shortcut').unique().on('quick_replies').columns(['workspace_id', 'shortcut']).execute()

  // The change log: one row per changed entity. Writers insert rows without a number (`seq` null)
  // and never wait on each other; the sequencer (services/sequencer.ts), one at a time across all
  // instances, numbers committed rows per workspace in its own transactions, so numbers become
  // visible strictly in order. `agent_id` set = only that agent's (read state, notifications);
  // `conversation_id` and `contact_id` let sync apply visibility without loading the entity.
  await db.schema.createTable('changes')
    .addColumn('id', 'text', c => c.primaryKey())
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('seq', ms)
    .addColumn('kind', 'text', c => c.notNull())
    .addColumn('entity_id', 'text', c => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('created_at', ms, c => c.notNull())
    .execute()
  await db.schema.createIndex('changes_seq').unique().on('changes').columns(['workspace_id', 'seq']).execute()
  await db.schema.createIndex('changes_pending').on('changes').column('id').where(sql.ref('seq'), 'is', null).execute()
  await db.schema.createIndex('changes_created').on('changes').column('created_at').execute()
  // Numbering updates every entry once, leaving dead index entries at the front of
  // `changes_pending`, where each round starts reading: vacuum this table early and often.
  if (engine === 'postgres')
    await sql`ALTER TABLE changes SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0)`.execute(db)

  // Client mutations already applied (POST /api/mutations is idempotent by the client's id).
  await db.schema.createTable('mutations')
    .addColumn('workspace_id', 'text', c => c.notNull())
    .addColumn('agent_id', 'text', c => c.notNull())
    .addColumn('client_id', 'text', c => c.notNull())
    .addColumn('type', 'text', c => c.notNull())
    .addColumn('result', 'text', c => c.notNull())
    .addColumn('created_at', ms, c => c.notNull())
    .addPrimaryKeyConstraint('mutations_pk', ['workspace_id', 'agent_id', 'client_id'])
    .execute()
}
