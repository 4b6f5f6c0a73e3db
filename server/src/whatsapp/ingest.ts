/**
 * Stores one webhook POST in one transaction: contacts upserted, conversations created or
 * updated, messages inserted idempotently by wamid, statuses applied monotonically, errors and
 * anything unknown recorded. The route answers 200 only after this commits, so an acknowledged
 * event is never lost; a failure rolls the whole batch back and Meta redelivers it.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Committed } from '../services/changes.ts'
import type { Db, Engine } from '../storage/db.ts'
import type { ChannelsTable, Database } from '../storage/schema.ts'
import type { InboundContact, InboundMessage, InboundStatus } from './inbound.ts'
import { sql } from 'kysely'
import { newId } from '../ids.ts'
import { ChangeSet, commitChanges } from '../services/changes.ts'
import { searchColumns } from '../services/search.ts'
import { parseContact, parseInboundMessage, parseStatus, toWhatsAppError } from './inbound.ts'

export type Channel = Pick<ChannelsTable, 'id' | 'workspace_id' | 'phone_number_id' | 'waba_id' | 'app_secret'>
type Trx = Kysely<Database> | Transaction<Database>
type Json = Record<string, unknown>

const WINDOW_MS = 24 * 60 * 60 * 1000

/** The bot switches a contact first seen on WhatsApp starts with (the workspace's bot settings). */
interface BotDefaults { ai_bot: number, reply_bot: number }
const NO_BOTS: BotDefaults = { ai_bot: 0, reply_bot: 0 }

async function botDefaults(trx: Trx, workspaceId: string): Promise<BotDefaults> {
  const row = await trx.selectFrom('bot_settings').select('config').where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (!row)
    return NO_BOTS
  const fresh = (JSON.parse(row.config) as { newContacts?: { aiBot?: boolean, replyBot?: boolean } }).newContacts
  return {
    ai_bot: fresh?.aiBot ? 1 : 0,
    reply_bot: fresh?.replyBot ? 1 : 0,
  }
}

export interface ResolvedChange {
  channel: Channel
  value: Json
}

export interface UnresolvedChange {
  kind: 'unknown_field' | 'unknown_number' | 'malformed'
  field: string | null
  channel: Channel | null
  payload: unknown
}

export interface IngestResult {
  inserted: number
  duplicates: number
  statuses: number
  /** statuses stored for a wamid we have not stored yet (the send may still be completing) */
  orphans: Array<{ channelId: string, wamid: string }>
  /** the change numbers committed, per workspace (one POST may carry several workspaces' numbers) */
  committed: Committed[]
  /** customer messages queued for the bots */
  botJobs: number
}

/** Status order: a status only ever moves forward; `failed` is kept once set. */
export const STATUS_RANK: Record<string, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
}
const STATUS_TIME_COLUMN = {
  sent: 'sent_at',
  delivered: 'delivered_at',
  read: 'read_at',
  played: 'played_at',
  failed: 'failed_at',
} as const

/** Types that do not open the 24-hour window or count as unread (a reaction's effect on the window is undocumented). */
const PASSIVE_TYPES = new Set(['reaction', 'system'])

export async function ingestBatch(db: Db, engine: Engine, changes: ResolvedChange[], unresolved: UnresolvedChange[], now: number): Promise<IngestResult> {
  // PostgreSQL aborts one side of a deadlock (40P01) or a serialization conflict (40001); the
  // transaction left nothing behind, so run it again rather than make Meta redeliver the batch.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ingestOnce(db, engine, changes, unresolved, now)
    }
    catch (error) {
      const code = (error as { code?: string }).code
      if (attempt >= 5 || (code !== '40P01' && code !== '40001'))
        throw error
      await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}

async function ingestOnce(db: Db, engine: Engine, changes: ResolvedChange[], unresolved: UnresolvedChange[], now: number): Promise<IngestResult> {
  const result: IngestResult = {
    inserted: 0,
    duplicates: 0,
    statuses: 0,
    orphans: [],
    committed: [],
    botJobs: 0,
  }
  await db.transaction().execute(async (trx) => {
    const changeSet = new ChangeSet()
    for (const change of changes)
      await ingestChange(trx, engine, change, now, result, changeSet)
    for (const u of unresolved) {
      await insertWebhookEvent(trx, {
        kind: u.kind,
        field: u.field,
        channel: u.channel,
        code: null,
        payload: u.payload,
        now,
      })
    }
    result.committed = await commitChanges(trx, changeSet, now)
  })
  return result
}

interface ConversationDelta {
  unread: number
  lastInbound: number | null
  last: { id: string, at: number, preview: string, type: string } | null
}

function list(value: unknown): unknown[] {
  return Array.isArray(value)
    ? value
    : []
}
const identityKey = (who: InboundContact) => `${who.waId ?? ''}|${who.userId ?? ''}`
/** Multi-row statements stay well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200

function chunks<T>(items: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size))
  return out
}

/**
 * One change (one phone number's messages, statuses and errors) in a handful of set-based
 * statements: contacts, conversations and messages are each looked up and inserted for the whole
 * batch at once; only conversation updates and status moves are per row. Rows are written in key
 * order so concurrent batches on PostgreSQL take row locks in the same order (no deadlocks).
 */
async function ingestChange(trx: Trx, engine: Engine, change: ResolvedChange, now: number, result: IngestResult, changeSet: ChangeSet): Promise<void> {
  const { channel, value } = change
  await recordMalformedFields(trx, channel, value, now)
  const contacts = list(value.contacts).map(parseContact).filter((c): c is InboundContact => c !== null)
  const parsed = await parseMessages(trx, channel, contacts, list(value.messages), now, result)
  if (parsed.length > 0)
    await storeMessages(trx, engine, channel, parsed, now, result, changeSet)
  await ingestStatuses(trx, channel, list(value.statuses), now, result, changeSet)
  await recordErrors(trx, channel, list(value.errors), now)
}

/** A `contacts`/`messages`/`statuses`/`errors` field that is not an array is kept, not silently dropped. */
async function recordMalformedFields(trx: Trx, channel: Channel, value: Json, now: number) {
  for (const key of [
    'contacts',
    'messages',
    'statuses',
    'errors',
  ]) {
    if (value[key] !== undefined && !Array.isArray(value[key])) {
      await insertWebhookEvent(trx, {
        kind: 'malformed',
        field: key,
        channel,
        code: null,
        payload: value[key],
        now,
      })
    }
  }
}

interface ParsedMessage { message: InboundMessage, identity: InboundContact }

/**
 * The change's messages with the sender each came from (its `from`, completed by the matching
 * `contacts` entry). Unusable ones are recorded as malformed; a wamid repeated in the batch counts
 * as a duplicate.
 */
async function parseMessages(trx: Trx, channel: Channel, contacts: InboundContact[], rawMessages: unknown[], now: number, result: IngestResult): Promise<ParsedMessage[]> {
  const parsed: ParsedMessage[] = []
  const wamids = new Set<string>()
  for (const rawMessage of rawMessages) {
    const message = parseInboundMessage(rawMessage, now)
    const info = message
      ? matchContact(contacts, message)
      : null
    const identity: InboundContact | null = message
      ? {
          waId: message.from ?? info?.waId ?? null,
          userId: message.fromUserId ?? info?.userId ?? null,
          username: info?.username ?? null,
          profileName: info?.profileName ?? null,
        }
      : null
    if (!message || !identity || (!identity.waId && !identity.userId)) {
      await insertWebhookEvent(trx, {
        kind: 'malformed',
        field: 'messages',
        channel,
        code: null,
        payload: rawMessage,
        now,
      })
      continue
    }
    if (wamids.has(message.wamid)) {
      result.duplicates++
      continue
    }
    wamids.add(message.wamid)
    parsed.push({ message, identity })
  }
  return parsed
}

/**
 * Contacts, conversations and messages for the whole batch at once, then per conversation its
 * unread count, window and last message, and the bot jobs of the new customer messages.
 */
async function storeMessages(trx: Trx, engine: Engine, channel: Channel, parsed: ParsedMessage[], now: number, result: IngestResult, changeSet: ChangeSet) {
  const ws = channel.workspace_id
  const changedContacts = new Set<string>()
  const botsOn = new Map<string, boolean>()
  const contactIds = await resolveContacts(trx, channel.workspace_id, parsed.map(p => p.identity), now, changedContacts, botsOn)
  // New or updated profiles only (a returning customer's message changes no contact).
  for (const id of changedContacts)
    changeSet.add(ws, { kind: 'contact', id, contactId: id })
  const conversationIds = await resolveConversations(trx, channel, [
    ...new Set(contactIds.values()),
  ], now)
  const rows = parsed.map(({ message, identity }) => messageRow(channel, message, conversationIds.get(contactIds.get(identityKey(identity))!)!, now))
  const inserted = await insertMessages(trx, rows)

  const statusById = await lockConversations(trx, engine, rows.filter(r => inserted.has(r.wamid)).map(r => r.conversation_id))
  const deltas = new Map<string, ConversationDelta>()
  for (const [i, { message, identity }] of parsed.entries()) {
    const row = rows[i]!
    if (!inserted.has(message.wamid)) {
      result.duplicates++ // delivered before: Meta redelivers and duplicates
      continue
    }
    result.inserted++
    changeSet.message(ws, row.id, row.conversation_id)
    const contactId = contactIds.get(identityKey(identity))!
    for (const target of await applySideEffects(trx, channel, contactId, message, now))
      changeSet.message(ws, target.id, target.conversation_id)
    if (message.type === 'system') // e.g. the customer's new number moved onto the contact
      changeSet.add(ws, { kind: 'contact', id: contactId, contactId })
    changeSet.conversation(ws, row.conversation_id, contactId)
    addToDelta(deltas, row.conversation_id, row.id, message)
  }
  await applyConversationDeltas(trx, ws, deltas, statusById, now)
  await queueBotJobs(trx, ws, parsed.flatMap(({ message, identity }, i) => inserted.has(message.wamid) && !PASSIVE_TYPES.has(message.type) && message.type !== 'unsupported'
    ? [
        {
          messageId: rows[i]!.id,
          conversationId: rows[i]!.conversation_id,
          contactId: contactIds.get(identityKey(identity))!,
          at: message.timestamp,
        },
      ]
    : []), botsOn, now, result)
}

function messageRow(channel: Channel, message: InboundMessage, conversationId: string, now: number) {
  return {
    id: newId(),
    workspace_id: channel.workspace_id,
    conversation_id: conversationId,
    channel_id: channel.id,
    wamid: message.wamid,
    client_id: null,
    direction: 'in' as const,
    type: message.type,
    status: 'delivered',
    content: JSON.stringify(message.content),
    context: message.context
      ? JSON.stringify(message.context)
      : null,
    referral: message.referral
      ? JSON.stringify(message.referral)
      : null,
    error: null,
    reaction: null,
    raw: JSON.stringify(message.raw),
    timestamp: message.timestamp,
    created_at: now,
    updated_at: now,
    sent_at: null,
    delivered_at: now,
    read_at: null,
    played_at: null,
    failed_at: null,
  }
}

/** Inserts idempotently by (channel, wamid); the wamids that were new. */
async function insertMessages(trx: Trx, rows: ReturnType<typeof messageRow>[]): Promise<Set<string>> {
  const inserted = new Set<string>()
  for (const chunk of chunks(rows)) {
    const returned = await trx.insertInto('messages').values(chunk).onConflict(oc => oc.columns(['channel_id', 'wamid']).doNothing()).returning('wamid').execute()
    for (const r of returned)
      inserted.add(r.wamid!)
  }
  return inserted
}

/** A new customer message's share of its conversation update: unread, window, last message. */
function addToDelta(deltas: Map<string, ConversationDelta>, conversationId: string, messageId: string, message: InboundMessage) {
  const delta = deltas.get(conversationId) ?? { unread: 0, lastInbound: null, last: null }
  if (!PASSIVE_TYPES.has(message.type)) {
    delta.unread++
    // The window runs from WhatsApp's own second (the stored time may refine it within the second).
    delta.lastInbound = Math.max(delta.lastInbound ?? 0, Math.floor(message.timestamp / 1000) * 1000)
  }
  if (message.type !== 'reaction' && (!delta.last || message.timestamp >= delta.last.at)) {
    delta.last = {
      id: messageId,
      at: message.timestamp,
      preview: message.preview,
      type: message.type,
    }
  }
  deltas.set(conversationId, delta)
}

/** Error webhooks (no message attached) are kept as events with their code. */
async function recordErrors(trx: Trx, channel: Channel, errors: unknown[], now: number) {
  for (const error of errors) {
    const raw = Number((error as Json | null)?.code)
    const code = Number.isInteger(raw) && Math.abs(raw) < 2 ** 31
      ? raw
      : Number.NaN // column is int32; raw value stays in payload
    await insertWebhookEvent(trx, {
      kind: 'error',
      field: 'messages',
      channel,
      code: Number.isFinite(code)
        ? code
        : null,
      payload: error,
      now,
    })
  }
}

/**
 * One bot job per new customer message of a contact with a bot on, in the batch's transaction: the
 * bots decide after the commit (server/src/bots/runner.ts), never on the webhook's time.
 */
async function queueBotJobs(trx: Trx, ws: string, fresh: Array<{ messageId: string, conversationId: string, contactId: string, at: number }>, botsOn: Map<string, boolean>, now: number, result: IngestResult): Promise<void> {
  if (fresh.length === 0)
    return
  const withBots = new Set([...botsOn].filter(([, on]) => on).map(([id]) => id))
  // Only contacts whose switches the lookup above did not read (rare: created concurrently).
  for (const chunk of chunks([
    ...new Set(fresh.map(f => f.contactId).filter(id => !botsOn.has(id))),
  ])) {
    const rows = await trx.selectFrom('contacts').select('id').where('id', 'in', chunk).where(eb => eb.or([
      eb('ai_bot', '=', 1),
      eb('reply_bot', '=', 1),
    ])).execute()
    for (const r of rows)
      withBots.add(r.id)
  }
  const jobs = fresh.filter(f => withBots.has(f.contactId)).sort((a, b) => a.at - b.at).map(f => ({
    id: newId(),
    workspace_id: ws,
    conversation_id: f.conversationId,
    message_id: f.messageId,
    state: 'queued' as const,
    attempts: 0,
    run_at: now,
    locked_until: null,
    result: null,
    created_at: now,
    updated_at: now,
  }))
  for (const chunk of chunks(jobs))
    await trx.insertInto('bot_jobs').values(chunk).onConflict(oc => oc.column('message_id').doNothing()).execute()
  result.botJobs += jobs.length
}

/** Contact id for every identity in the batch: one lookup, one multi-row insert, rare fallbacks. */
async function resolveContacts(trx: Trx, workspaceId: string, identities: InboundContact[], now: number, changed: Set<string>, botsOn: Map<string, boolean>): Promise<Map<string, string>> {
  const byKey = new Map<string, InboundContact>()
  for (const who of identities) {
    const previous = byKey.get(identityKey(who))
    // The same customer twice in a batch: keep the richest profile seen.
    byKey.set(identityKey(who), previous
      ? { ...previous, username: who.username ?? previous.username, profileName: who.profileName ?? previous.profileName }
      : who)
  }
  const unique = [
    ...byKey.entries(),
  ].sort(([a], [b]) => (a < b
    ? -1
    : a > b
      ? 1
      : 0))
  const waIds = unique.map(([, w]) => w.waId).filter((v): v is string => v !== null)
  const userIds = unique.map(([, w]) => w.userId).filter((v): v is string => v !== null)
  const existing = await trx.selectFrom('contacts')
    .select([
      'id',
      'wa_id',
      'user_id',
      'username',
      'profile_name',
      'name',
      'email',
      'phone',
      'ai_bot',
      'reply_bot',
    ])
    .where('workspace_id', '=', workspaceId)
    .where(eb => eb.or([
      ...(waIds.length > 0
        ? [
            eb('wa_id', 'in', waIds),
          ]
        : []),
      ...(userIds.length > 0
        ? [
            eb('user_id', 'in', userIds),
          ]
        : []),
    ]))
    .execute()
  const ids = new Map<string, string>()
  const missing: Array<[string, InboundContact]> = []
  for (const [key, who] of unique) {
    const match = existing.find(c => who.waId !== null && c.wa_id === who.waId) ?? existing.find(c => who.userId !== null && c.user_id === who.userId)
    if (match) {
      if (await patchContact(trx, workspaceId, match, who, now))
        changed.add(match.id)
      ids.set(key, match.id)
      botsOn.set(match.id, match.ai_bot === 1 || match.reply_bot === 1)
    }
    else {
      missing.push([key, who])
    }
  }
  const bots = missing.length > 0
    ? await botDefaults(trx, workspaceId)
    : NO_BOTS
  for (const chunk of chunks(missing)) {
    const returned = await trx.insertInto('contacts').values(chunk.map(([, who]) => contactRow(workspaceId, who, now, bots))).onConflict(oc => oc.doNothing()).returning(['id', 'wa_id', 'user_id']).execute()
    for (const [key, who] of chunk) {
      const row = returned.find(r => r.wa_id === who.waId && r.user_id === who.userId)
      // Not inserted: a concurrent batch (or another identity in this one) created the customer first.
      const id = row
        ? row.id
        : await upsertContact(trx, workspaceId, who, now, bots)
      ids.set(key, id)
      changed.add(id)
      if (row) // an upserted one may be a concurrent batch's contact: queueBotJobs reads its switches
        botsOn.set(id, bots.ai_bot === 1 || bots.reply_bot === 1)
    }
  }
  return ids
}

/** A new conversation of a contact on a number: open, empty, assigned only when given. */
export function newConversationRow(c: { workspaceId: string, channelId: string, contactId: string, now: number, assigneeId?: string | null }) {
  return {
    id: newId(),
    workspace_id: c.workspaceId,
    channel_id: c.channelId,
    contact_id: c.contactId,
    status: 'open',
    unread_count: 0,
    created_at: c.now,
    updated_at: c.now,
    assignee_id: c.assigneeId ?? null,
    assigned_at: c.assigneeId
      ? c.now
      : null,
  }
}

/** Conversation id per contact on this number, creating the missing ones in one statement. */
async function resolveConversations(trx: Trx, channel: Channel, contactIds: string[], now: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  const sorted = [...contactIds].sort()
  const lookup = async (wanted: string[]) => {
    for (const chunk of chunks(wanted)) {
      const rows = await trx.selectFrom('conversations').select(['id', 'contact_id']).where('channel_id', '=', channel.id).where('contact_id', 'in', chunk).execute()
      for (const r of rows)
        ids.set(r.contact_id, r.id)
    }
  }
  await lookup(sorted)
  const missing = sorted.filter(id => !ids.has(id))
  for (const chunk of chunks(missing)) {
    const returned = await trx.insertInto('conversations').values(chunk.map(contactId => newConversationRow({
      workspaceId: channel.workspace_id,
      channelId: channel.id,
      contactId,
      now,
    }))).onConflict(oc => oc.columns(['channel_id', 'contact_id']).doNothing()).returning(['id', 'contact_id']).execute()
    for (const r of returned)
      ids.set(r.contact_id, r.id)
  }
  const raced = missing.filter(id => !ids.has(id))
  if (raced.length > 0)
    await lookup(raced) // created by a concurrent batch between our lookup and insert
  return ids
}

/** Statuses of one change: stored once each (deduplicated), then applied to the messages we have. */
async function ingestStatuses(trx: Trx, channel: Channel, raw: unknown[], now: number, result: IngestResult, changeSet: ChangeSet): Promise<void> {
  const statuses: InboundStatus[] = []
  const keys = new Set<string>()
  for (const rawStatus of raw) {
    const status = parseStatus(rawStatus, now)
    if (!status) {
      await insertWebhookEvent(trx, {
        kind: 'malformed',
        field: 'statuses',
        channel,
        code: null,
        payload: rawStatus,
        now,
      })
      continue
    }
    const key = `${status.wamid}|${status.status}`
    if (!keys.has(key)) {
      keys.add(key)
      statuses.push(status)
    }
  }
  if (statuses.length === 0)
    return
  const stored = new Set<string>()
  for (const chunk of chunks(statuses)) {
    const returned = await trx.insertInto('status_events').values(chunk.map(s => ({
      id: newId(),
      channel_id: channel.id,
      wamid: s.wamid,
      status: s.status,
      timestamp: s.timestamp,
      errors: s.errors
        ? JSON.stringify(s.errors)
        : null,
      raw: JSON.stringify(s.raw),
      created_at: now,
    }))).onConflict(oc => oc.columns(['channel_id', 'wamid', 'status']).doNothing()).returning(['wamid', 'status']).execute()
    for (const r of returned)
      stored.add(`${r.wamid}|${r.status}`)
  }
  const fresh = statuses.filter(s => stored.has(`${s.wamid}|${s.status}`))
  result.statuses += fresh.length
  if (fresh.length === 0)
    return
  const messages = new Map<string, { id: string, conversation_id: string }>()
  for (const chunk of chunks([
    ...new Set(fresh.map(s => s.wamid)),
  ])) {
    const rows = await trx.selectFrom('messages').select(['id', 'conversation_id', 'wamid']).where('channel_id', '=', channel.id).where('wamid', 'in', chunk).execute()
    for (const r of rows)
      messages.set(r.wamid!, r)
  }
  const ordered = fresh.sort((a, b) => (messages.get(a.wamid)?.id ?? a.wamid).localeCompare(messages.get(b.wamid)?.id ?? b.wamid) || (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9))
  for (const status of ordered) {
    const message = messages.get(status.wamid)
    if (message) {
      await applyStatusTo(trx, message, status.status, status.timestamp, status.errors)
      changeSet.message(channel.workspace_id, message.id, message.conversation_id)
      if (status.status === 'failed')
        changeSet.conversation(channel.workspace_id, message.conversation_id)
    }
    else {
      result.orphans.push({ channelId: channel.id, wamid: status.wamid })
    }
  }
}

function matchContact(contacts: InboundContact[], message: InboundMessage): InboundContact | null {
  return contacts.find(c => (message.from && c.waId === message.from) || (message.fromUserId && c.userId === message.fromUserId))
    ?? (contacts.length === 1
      ? contacts[0]!
      : null)
}

function contactRow(workspaceId: string, who: InboundContact, now: number, bots: BotDefaults = NO_BOTS) {
  return {
    id: newId(),
    workspace_id: workspaceId,
    ...bots,
    wa_id: who.waId,
    user_id: who.userId,
    username: who.username,
    profile_name: who.profileName,
    created_at: now,
    updated_at: now,
    ...searchColumns({ wa_id: who.waId, username: who.username, profile_name: who.profileName }),
  }
}

/** Fills in what the customer's profile adds; answers whether anything changed. */
async function patchContact(trx: Trx, workspaceId: string, existing: { id: string, wa_id: string | null, user_id: string | null, username: string | null, profile_name: string | null, name: string | null, email: string | null, phone: string | null }, who: InboundContact, now: number): Promise<boolean> {
  const patch: Record<string, string | number> = {}
  if (who.profileName && who.profileName !== existing.profile_name)
    patch.profile_name = who.profileName
  if (who.username && who.username !== existing.username)
    patch.username = who.username
  if (who.userId && !existing.user_id && !(await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('user_id', '=', who.userId).executeTakeFirst()))
    patch.user_id = who.userId
  if (who.waId && !existing.wa_id && !(await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('wa_id', '=', who.waId).executeTakeFirst()))
    patch.wa_id = who.waId
  if (Object.keys(patch).length > 0) {
    await trx.updateTable('contacts').set({
      ...patch,
      ...searchColumns({
        ...existing,
        ...patch,
      }),
      updated_at: now,
    }).where('id', '=', existing.id).execute()
    return true
  }
  return false
}

async function upsertContact(trx: Trx, workspaceId: string, who: InboundContact, now: number, bots: BotDefaults = NO_BOTS): Promise<string> {
  const existing = await findContact(trx, workspaceId, who)
  if (existing) {
    await patchContact(trx, workspaceId, existing, who, now)
    return existing.id
  }
  const inserted = await trx.insertInto('contacts').values(contactRow(workspaceId, who, now, bots)).onConflict(oc => oc.doNothing()).returning('id').executeTakeFirst()
  if (inserted)
    return inserted.id
  // A concurrent batch created the same customer first.
  const again = await findContact(trx, workspaceId, who)
  if (!again)
    throw new Error('contact upsert conflict could not be resolved')
  return again.id
}

async function findContact(trx: Trx, workspaceId: string, who: InboundContact) {
  const columns = [
    'id',
    'wa_id',
    'user_id',
    'username',
    'profile_name',
    'name',
    'email',
    'phone',
  ] as const
  if (who.waId) {
    const byWaId = await trx.selectFrom('contacts').select(columns).where('workspace_id', '=', workspaceId).where('wa_id', '=', who.waId).executeTakeFirst()
    if (byWaId)
      return byWaId
  }
  if (who.userId)
    return await trx.selectFrom('contacts').select(columns).where('workspace_id', '=', workspaceId).where('user_id', '=', who.userId).executeTakeFirst()
  return undefined
}

/** Effects of a message on other rows: reactions land on their target, number changes move the contact. */
async function applySideEffects(trx: Trx, channel: Channel, contactId: string, message: InboundMessage, now: number): Promise<Array<{ id: string, conversation_id: string }>> {
  let targets: Array<{ id: string, conversation_id: string }> = []
  if (message.type === 'reaction') {
    targets = await trx.updateTable('messages')
      .set({ reaction: (message.content.emoji as string | null) ?? null, updated_at: now })
      .where('channel_id', '=', channel.id)
      .where('wamid', '=', message.content.messageId as string)
      .returning(['id', 'conversation_id'])
      .execute()
  }
  if (message.type === 'system' && message.content.systemType === 'user_changed_number' && typeof message.content.waId === 'string') {
    const newWaId = message.content.waId
    const taken = await trx.selectFrom('contacts').select('id').where('workspace_id', '=', channel.workspace_id).where('wa_id', '=', newWaId).executeTakeFirst()
    if (!taken)
      await trx.updateTable('contacts').set({ wa_id: newWaId, search_digits: newWaId, updated_at: now }).where('id', '=', contactId).execute()
  }
  return targets
}

/**
 * Locks the batch's conversations (PostgreSQL; id order) and reads their status. Taken before a
 * reaction updates its target message, so every path takes conversation before message and a
 * reaction racing a status for the same message cannot deadlock. NO KEY UPDATE does not conflict
 * with the KEY SHARE lock that inserting a message takes on its conversation.
 */
async function lockConversations(trx: Trx, engine: Engine, conversationIds: string[]): Promise<Map<string, string>> {
  const statusById = new Map<string, string>()
  for (const chunk of chunks([
    ...new Set(conversationIds),
  ].sort())) {
    const rows = engine === 'postgres'
      ? (await sql<{ id: string, status: string }>`SELECT id, status FROM conversations WHERE id IN (${sql.join(chunk)}) ORDER BY id FOR NO KEY UPDATE`.execute(trx)).rows
      : await trx.selectFrom('conversations').select(['id', 'status']).where('id', 'in', chunk).execute()
    for (const r of rows)
      statusById.set(r.id, r.status)
  }
  return statusById
}

/**
 * All of a batch's conversation changes in one statement. The expressions read each row as it is
 * when the UPDATE runs, so concurrent batches for one conversation add up instead of overwriting.
 * The rows were locked by `lockConversations`, so batches mostly queue instead of deadlocking;
 * `ingestBatch` retries the rare deadlock left.
 */
async function applyConversationDeltas(trx: Trx, workspaceId: string, deltas: Map<string, ConversationDelta>, statusById: Map<string, string>, now: number): Promise<void> {
  const ids = [
    ...deltas.keys(),
  ].sort()
  for (const chunk of chunks(ids)) {
    // A customer's message reopens a closed or snoozed conversation (recorded for reports).
    const reopened = chunk.filter(id => (statusById.get(id) ?? 'open') !== 'open' && (deltas.get(id)?.unread ?? 0) > 0)
    if (reopened.length > 0) {
      await trx.insertInto('conversation_events').values(reopened.map(id => ({
        id: newId(),
        workspace_id: workspaceId,
        conversation_id: id,
        kind: 'status' as const,
        actor_id: null,
        from_value: statusById.get(id)!,
        to_value: 'open',
        created_at: now,
      }))).execute()
    }
    const values = sql.join(chunk.map((id) => {
      const d = deltas.get(id)!
      return sql`(${id}, CAST(${d.unread} AS integer), CAST(${d.lastInbound} AS bigint), CAST(${d.last?.id ?? null} AS text), CAST(${d.last?.at ?? null} AS bigint), CAST(${d.last?.preview ?? null} AS text), CAST(${d.last?.type ?? null} AS text))`
    }))
    // d.column1..7 = id, unread, last inbound time, last message id, its time, preview, type
    const newerInbound = sql`d.column3 IS NOT NULL AND coalesce(conversations.last_inbound_at, 0) < d.column3`
    const newerLast = sql`d.column5 IS NOT NULL AND coalesce(conversations.last_message_at, 0) <= d.column5`
    await sql`
      UPDATE conversations SET
        updated_at = ${now},
        status = CASE WHEN d.column2 > 0 THEN 'open' ELSE conversations.status END,
        snoozed_until = CASE WHEN d.column2 > 0 THEN NULL ELSE conversations.snoozed_until END,
        status_changed_at = CASE WHEN d.column2 > 0 AND conversations.status <> 'open' THEN ${now} ELSE conversations.status_changed_at END,
        unread_count = conversations.unread_count + d.column2,
        inbound_count = conversations.inbound_count + d.column2,
        last_inbound_at = CASE WHEN ${newerInbound} THEN d.column3 ELSE conversations.last_inbound_at END,
        window_expires_at = CASE WHEN ${newerInbound} THEN d.column3 + ${WINDOW_MS} ELSE conversations.window_expires_at END,
        last_message_id = CASE WHEN ${newerLast} THEN d.column4 ELSE conversations.last_message_id END,
        last_message_preview = CASE WHEN ${newerLast} THEN d.column6 ELSE conversations.last_message_preview END,
        last_message_type = CASE WHEN ${newerLast} THEN d.column7 ELSE conversations.last_message_type END,
        last_message_direction = CASE WHEN ${newerLast} THEN 'in' ELSE conversations.last_message_direction END,
        last_message_at = CASE WHEN ${newerLast} THEN d.column5 ELSE conversations.last_message_at END
      FROM (VALUES ${values}) AS d
      WHERE conversations.id = d.column1`.execute(trx)
  }
}

/**
 * Applies one status to the message with this wamid, if we have it. The WHERE clause makes the
 * move monotonic inside the database, so concurrent or reordered webhooks cannot move it back.
 * Returns the message, or null when the wamid is unknown (yet).
 */
async function applyStatus(trx: Trx, channelId: string, wamid: string, status: string, timestamp: number, errors: Json[] | null): Promise<{ id: string, conversation_id: string, workspace_id: string } | null> {
  const message = await trx.selectFrom('messages').select(['id', 'conversation_id', 'workspace_id']).where('channel_id', '=', channelId).where('wamid', '=', wamid).executeTakeFirst()
  if (!message)
    return null
  await applyStatusTo(trx, message, status, timestamp, errors)
  return message
}

async function applyStatusTo(trx: Trx, message: { id: string, conversation_id: string }, status: string, timestamp: number, errors: Json[] | null): Promise<void> {
  if (status === 'failed') {
    const error = toWhatsAppError(errors) ?? { code: 0, title: 'Unknown error' }
    await trx.updateTable('messages')
      .set({
        status: 'failed',
        error: JSON.stringify(error),
        failed_at: sql`coalesce(failed_at, ${timestamp})`,
        updated_at: Date.now(),
      })
      .where('id', '=', message.id)
      .execute()
    if (error.code === 131047) // closed by now at the latest, whatever clock the status carries
      await closeWindow(trx, message.conversation_id, Math.min(timestamp, Date.now()))
    return
  }
  // Only Meta's forward statuses move a message; anything else ('pending', 'deleted', a typo, a
  // prototype key) is stored in status_events and otherwise ignored.
  if (status === 'pending' || !Object.hasOwn(STATUS_RANK, status))
    return
  const rank = STATUS_RANK[status]!
  const lower = Object.keys(STATUS_RANK).filter(s => STATUS_RANK[s]! < rank)
  const column = STATUS_TIME_COLUMN[status as keyof typeof STATUS_TIME_COLUMN]
  await trx.updateTable('messages')
    .set({
      status: sql`CASE WHEN status IN (${sql.join(lower)}) THEN ${status} ELSE status END`,
      [column]: sql`coalesce(${sql.ref(column)}, ${timestamp})`,
      updated_at: Date.now(),
    })
    .where('id', '=', message.id)
    .execute()
}

/** WhatsApp said the window is closed (131047): trust it over our own clock. */
export async function closeWindow(trx: Trx, conversationId: string, at: number): Promise<void> {
  await trx.updateTable('conversations')
    .set({ window_expires_at: sql`CASE WHEN window_expires_at IS NULL OR window_expires_at > ${at} THEN ${at} ELSE window_expires_at END` })
    .where('id', '=', conversationId)
    .execute()
}

/**
 * Statuses stored while their message did not exist yet are applied right after both commits; if
 * that step itself failed (a crash, a dropped connection), this sweep finds them: stored in the
 * last `windowMs`, their message now exists and still shows an earlier status.
 */
export async function sweepUnappliedStatuses(db: Db, now: number, windowMs = 24 * 60 * 60 * 1000): Promise<Committed[]> {
  const behind = sql<boolean>`(
    (se.status = 'failed' AND m.status <> 'failed')
    OR (m.status <> 'failed' AND (
      (se.status = 'sent' AND m.status = 'pending')
      OR (se.status = 'delivered' AND m.status IN ('pending', 'sent'))
      OR (se.status = 'read' AND m.status IN ('pending', 'sent', 'delivered'))
      OR (se.status = 'played' AND m.status IN ('pending', 'sent', 'delivered', 'read'))
    ))
  )`
  const rows = await db.selectFrom('status_events as se')
    .innerJoin('messages as m', join => join.onRef('m.channel_id', '=', 'se.channel_id').onRef('m.wamid', '=', 'se.wamid'))
    .select(['se.channel_id as channelId', 'se.wamid as wamid'])
    .where('se.created_at', '>', now - windowMs)
    .where(behind)
    .distinct()
    .limit(500)
    .execute()
  return rows.length > 0
    ? await applyOrphanStatuses(db, rows)
    : []
}

/** Applies every stored status for these wamids to messages that now exist (idempotent). */
export async function applyOrphanStatuses(db: Db, orphans: Array<{ channelId: string, wamid: string }>): Promise<Committed[]> {
  const committed: Committed[] = []
  for (const { channelId, wamid } of orphans) {
    const events = await db.selectFrom('status_events').selectAll().where('channel_id', '=', channelId).where('wamid', '=', wamid).execute()
    if (events.length === 0)
      continue
    await db.transaction().execute(async (trx) => {
      const changeSet = new ChangeSet()
      for (const e of events.sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9))) {
        const message = await applyStatus(trx, channelId, wamid, e.status, e.timestamp, e.errors
          ? JSON.parse(e.errors)
          : null)
        if (message) {
          changeSet.message(message.workspace_id, message.id, message.conversation_id)
          if (e.status === 'failed')
            changeSet.conversation(message.workspace_id, message.conversation_id)
        }
      }
      committed.push(...await commitChanges(trx, changeSet, Date.now()))
    })
  }
  return committed
}

async function insertWebhookEvent(trx: Trx, e: { kind: 'error' | 'unknown_field' | 'unknown_number' | 'malformed', field: string | null, channel: Channel | null, code: number | null, payload: unknown, now: number }): Promise<void> {
  await trx.insertInto('webhook_events').values({
    id: newId(),
    workspace_id: e.channel?.workspace_id ?? null,
    channel_id: e.channel?.id ?? null,
    kind: e.kind,
    field: e.field,
    code: e.code,
    payload: JSON.stringify(e.payload ?? null),
    created_at: e.now,
  }).execute()
}
