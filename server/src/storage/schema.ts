/**
 * Table types for Kysely. The same tables exist on SQLite and PostgreSQL: timestamps are integer
 * milliseconds (BIGINT on PostgreSQL), JSON is stored as text, booleans as 0/1, ids are UUIDv7
 * strings. Keeping one representation means one query layer and identical results on both engines.
 */
import type { Generated } from 'kysely'

export interface WorkspacesTable {
  id: string
  name: string
  created_at: number
  /** the last change number handed out (see services/sequencer.ts) */
  change_seq: Generated<number>
  /** JSON: workspace settings (default country, …) */
  settings: Generated<string>
}

export interface AgentsTable {
  id: string
  workspace_id: string
  email: string
  name: string
  role: 'admin' | 'agent'
  password_hash: string
  active: number
  created_at: number
  updated_at: number
  availability: Generated<'online' | 'away' | 'offline'>
  availability_at: number | null
  /** 1 = sees only conversations assigned to them or to one of their teams */
  restricted: Generated<number>
}

export interface TeamsTable {
  id: string
  workspace_id: string
  name: string
  name_key: string
  created_at: number
  updated_at: number
}

export interface TeamMembersTable {
  team_id: string
  agent_id: string
  workspace_id: string
}

export interface SessionsTable {
  id: string
  workspace_id: string
  agent_id: string
  token_hash: string
  created_at: number
  last_used_at: number
  expires_at: number
  revoked_at: number | null
}

export interface ChannelsTable {
  id: string
  workspace_id: string
  phone_number_id: string
  waba_id: string
  display_phone_number: string | null
  access_token: string
  app_secret: string
  verify_token: string
  throughput_per_second: number
  created_at: number
  updated_at: number
}

export interface ContactsTable {
  id: string
  workspace_id: string
  wa_id: string | null
  user_id: string | null
  username: string | null
  profile_name: string | null
  created_at: number
  updated_at: number
  /** the name agents gave the contact (shown instead of the WhatsApp profile name) */
  name: string | null
  /** a phone number entered by an agent (E.164 digits), for contacts not yet seen on WhatsApp */
  phone: string | null
  email: string | null
  language: string | null
  /** JSON object of string values */
  custom_fields: Generated<string>
  ai_bot: Generated<number>
  reply_bot: Generated<number>
  blocked: Generated<number>
  search_text: Generated<string>
  search_digits: Generated<string>
}

export interface ConversationsTable {
  id: string
  workspace_id: string
  channel_id: string
  contact_id: string
  status: string
  unread_count: number
  last_message_id: string | null
  last_message_at: number | null
  last_message_preview: string | null
  last_message_direction: 'in' | 'out' | null
  last_message_type: string | null
  last_inbound_at: number | null
  window_expires_at: number | null
  created_at: number
  updated_at: number
  assignee_id: string | null
  team_id: string | null
  /** with status 'snoozed': when it reopens; null = at the customer's next message */
  snoozed_until: number | null
  /** inbound messages ever counted as unread; per-agent unread = this − what the agent read */
  inbound_count: Generated<number>
  status_changed_at: number | null
  assigned_at: number | null
  /** the AI Bot handed the chat to the humans (cleared on close or when an agent turns it on again) */
  bot_handover_at?: number | null
  bot_handover_reason?: string | null
}

export interface ConversationEventsTable {
  id: string
  workspace_id: string
  conversation_id: string
  kind: 'assigned' | 'team' | 'status'
  actor_id: string | null
  from_value: string | null
  to_value: string | null
  created_at: number
}

export interface ConversationReadsTable {
  conversation_id: string
  agent_id: string
  workspace_id: string
  read_inbound_count: number
  marked_unread: Generated<number>
  updated_at: number
}

export interface LabelsTable {
  id: string
  workspace_id: string
  name: string
  name_key: string
  color: string
  created_at: number
  updated_at: number
}

export interface ContactLabelsTable {
  contact_id: string
  label_id: string
  workspace_id: string
  created_by: string | null
  created_at: number
}

export interface NotesTable {
  id: string
  workspace_id: string
  contact_id: string
  author_id: string
  body: string
  /** JSON array of mentioned agent ids */
  mentions: Generated<string>
  created_at: number
  updated_at: number
}

export interface NotificationsTable {
  id: string
  workspace_id: string
  agent_id: string
  kind: string
  actor_id: string | null
  contact_id: string | null
  conversation_id: string | null
  note_id: string | null
  created_at: number
  read_at: number | null
}

export interface QuickRepliesTable {
  id: string
  workspace_id: string
  shortcut: string
  title: string
  body: string
  created_at: number
  updated_at: number
}

export interface ChangesTable {
  id: string
  workspace_id: string
  /** null until the sequencer numbers it (services/sequencer.ts) */
  seq: number | null
  kind: string
  entity_id: string
  conversation_id: string | null
  contact_id: string | null
  agent_id: string | null
  created_at: number
}

export interface MutationsTable {
  workspace_id: string
  agent_id: string
  client_id: string
  type: string
  result: string
  created_at: number
}

export interface MessagesTable {
  id: string
  workspace_id: string
  conversation_id: string
  channel_id: string
  wamid: string | null
  client_id: string | null
  direction: 'in' | 'out'
  type: string
  status: string
  content: string
  context: string | null
  referral: string | null
  error: string | null
  reaction: string | null
  raw: string | null
  timestamp: number
  created_at: number
  updated_at: number
  sent_at: number | null
  delivered_at: number | null
  read_at: number | null
  played_at: number | null
  failed_at: number | null
  /** the agent who sent an outbound message */
  sent_by: string | null
  /** the bot that sent an outbound message: 'reply' | 'ai' */
  bot?: string | null
}

/** Every status webhook, deduplicated by (channel, wamid, status); kept for statuses that arrive before the send finished. */
export interface StatusEventsTable {
  id: string
  channel_id: string
  wamid: string
  status: string
  timestamp: number
  errors: string | null
  raw: string
  created_at: number
}

/** `value.errors`, unknown webhook fields and changes for unknown numbers: recorded, never lost. */
export interface WebhookEventsTable {
  id: string
  workspace_id: string | null
  channel_id: string | null
  kind: 'error' | 'unknown_field' | 'unknown_number' | 'malformed'
  field: string | null
  code: number | null
  payload: string
  created_at: number
}

export interface OutboundJobsTable {
  id: string
  workspace_id: string
  channel_id: string
  message_id: string | null
  kind: 'send' | 'mark_read'
  recipient: string
  payload: string
  state: 'queued' | 'running' | 'done' | 'failed'
  attempts: number
  run_at: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

export interface TemplatesTable {
  id: string
  workspace_id: string
  channel_id: string
  meta_id: string | null
  name: string
  language: string
  status: string
  category: string | null
  parameter_format: string
  components: string
  synced_at: number
}

/** Media an agent uploaded for sending: our id → Meta's media id on the channel it was uploaded to. */
export interface MediaTable {
  id: string
  workspace_id: string
  channel_id: string
  meta_media_id: string
  mime_type: string
  filename: string | null
  size: number
  created_at: number
}

export interface BotSettingsTable {
  workspace_id: string
  /** JSON: protocol BotSettings, with the provider's key (never sent to clients) */
  config: string
  kb_version: Generated<number>
  updated_at: number
}

export interface KbEntriesTable {
  id: string
  workspace_id: string
  kind: 'qa' | 'document'
  title: string
  body: string
  language: 'any' | 'ro' | 'en'
  enabled: number
  created_at: number
  updated_at: number
}

/** A new customer message waiting for the bots' decision (server/src/bots/runner.ts). */
export interface BotJobsTable {
  id: string
  workspace_id: string
  conversation_id: string
  message_id: string
  state: 'queued' | 'done'
  attempts: number
  run_at: number
  locked_until: number | null
  result: string | null
  created_at: number
  updated_at: number
}

export interface Database {
  workspaces: WorkspacesTable
  agents: AgentsTable
  sessions: SessionsTable
  channels: ChannelsTable
  contacts: ContactsTable
  conversations: ConversationsTable
  messages: MessagesTable
  status_events: StatusEventsTable
  webhook_events: WebhookEventsTable
  outbound_jobs: OutboundJobsTable
  templates: TemplatesTable
  media: MediaTable
  teams: TeamsTable
  team_members: TeamMembersTable
  conversation_events: ConversationEventsTable
  conversation_reads: ConversationReadsTable
  labels: LabelsTable
  contact_labels: ContactLabelsTable
  notes: NotesTable
  notifications: NotificationsTable
  quick_replies: QuickRepliesTable
  changes: ChangesTable
  mutations: MutationsTable
  bot_settings: BotSettingsTable
  kb_entries: KbEntriesTable
  bot_jobs: BotJobsTable
}
