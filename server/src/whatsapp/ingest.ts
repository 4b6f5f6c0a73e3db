/**
 * Stores one webhook POST in one transaction: contacts upserted, conversations created or
 * updated, messages inserted idempotently by wamid, statuses applied monotonically, errors and
 * anything unknown recorded. The route answers 200 only after this commits, so an acknowledged
 * event is never lost; a failure rolls the whole batch back and Meta redelivers it.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Db } from '../storage/db.ts'
import type { ChannelsTable, Database } from '../storage/schema.ts'
import type { InboundContact, InboundMessage, InboundStatus } from './inbound.ts'
import { sql } from 'kysely'
import { newId } from '../ids.ts'
import { parseContact, parseInboundMessage, parseStatus, toWhatsAppError } from './inbound.ts'

export type Channel = Pick<ChannelsTable, 'id' | 'workspace_id' | 'phone_number_id' | 'waba_id' | 'app_secret'>
type Trx = Kysely<Database> | Transaction<Database>
type Json = Record<string, unknown>

export const WINDOW_MS = 24 * 60 * 60 * 1000

export interface ResolvedChange {
  channel: Channel
  value: Json
}

export interface UnresolvedChange {
  kind: 'unknown_field' | 'unknown_number'
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
  conversationIds: string[]
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

export async function ingestBatch(db: Db, changes: ResolvedChange[], unresolved: UnresolvedChange[], now: number): Promise<IngestResult> {
  const result: IngestResult = {
    inserted: 0,
    duplicates: 0,
    statuses: 0,
    orphans: [],
    conversationIds: [],
  }
  await db.transaction().execute(async (trx) => {
    const touched = new Set<string>()
    for (const change of changes)
      await ingestChange(trx, change, now, result, touched)
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
    result.conversationIds = [...touched]
  })
  return result
}

interface ConversationDelta {
  unread: number
  lastInbound: number | null
  last: { id: string, at: number, preview: string, type: string } | null
}

async function ingestChange(trx: Trx, change: ResolvedChange, now: number, result: IngestResult, touched: Set<string>): Promise<void> {
  const { channel, value } = change
  const contacts = (Array.isArray(value.contacts)
    ? value.contacts
    : []).map(parseContact).filter((c): c is InboundContact => c !== null)
  const deltas = new Map<string, ConversationDelta>()
  const contactCache = new Map<string, string>()

  for (const rawMessage of Array.isArray(value.messages)
    ? value.messages
    : []) {
    const message = parseInboundMessage(rawMessage, now)
    if (!message) {
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
    const info = matchContact(contacts, message)
    const identity: InboundContact = {
      waId: message.from ?? info?.waId ?? null,
      userId: message.fromUserId ?? info?.userId ?? null,
      username: info?.username ?? null,
      profileName: info?.profileName ?? null,
    }
    if (!identity.waId && !identity.userId) {
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
    const cacheKey = `${identity.waId}|${identity.userId}`
    let contactId = contactCache.get(cacheKey)
    if (!contactId) {
      contactId = await upsertContact(trx, channel.workspace_id, identity, now)
      contactCache.set(cacheKey, contactId)
    }
    const conversationId = await conversationFor(trx, channel, contactId, now)
    const id = newId()
    const inserted = await trx.insertInto('messages').values({
      id,
      workspace_id: channel.workspace_id,
      conversation_id: conversationId,
      channel_id: channel.id,
      wamid: message.wamid,
      client_id: null,
      direction: 'in',
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
    }).onConflict(oc => oc.columns(['channel_id', 'wamid']).doNothing()).returning('id').executeTakeFirst()
    if (!inserted) {
      result.duplicates++
      continue
    }
    result.inserted++
    touched.add(conversationId)
    await applySideEffects(trx, channel, contactId, message, now)
    const delta = deltas.get(conversationId) ?? { unread: 0, lastInbound: null, last: null }
    if (!PASSIVE_TYPES.has(message.type)) {
      delta.unread++
      delta.lastInbound = Math.max(delta.lastInbound ?? 0, message.timestamp)
    }
    if (message.type !== 'reaction' && (!delta.last || message.timestamp >= delta.last.at)) {
      delta.last = {
        id,
        at: message.timestamp,
        preview: message.preview,
        type: message.type,
      }
    }
    deltas.set(conversationId, delta)
  }

  for (const [conversationId, delta] of deltas)
    await applyConversationDelta(trx, conversationId, delta, now)

  for (const rawStatus of Array.isArray(value.statuses)
    ? value.statuses
    : []) {
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
    const stored = await storeStatusEvent(trx, channel.id, status, now)
    if (!stored)
      continue
    result.statuses++
    const conversationId = await applyStatus(trx, channel.id, status.wamid, status.status, status.timestamp, status.errors)
    if (conversationId)
      touched.add(conversationId)
    else
      result.orphans.push({ channelId: channel.id, wamid: status.wamid })
  }

  for (const error of Array.isArray(value.errors)
    ? value.errors
    : []) {
    const code = Number((error as Json | null)?.code)
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

function matchContact(contacts: InboundContact[], message: InboundMessage): InboundContact | null {
  return contacts.find(c => (message.from && c.waId === message.from) || (message.fromUserId && c.userId === message.fromUserId))
    ?? (contacts.length === 1
      ? contacts[0]!
      : null)
}

async function upsertContact(trx: Trx, workspaceId: string, who: InboundContact, now: number): Promise<string> {
  const existing = await findContact(trx, workspaceId, who)
  if (existing) {
    const patch: Record<string, string | number> = {}
    if (who.profileName && who.profileName !== existing.profile_name)
      patch.profile_name = who.profileName
    if (who.username && who.username !== existing.username)
      patch.username = who.username
    if (who.userId && !existing.user_id && !(await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('user_id', '=', who.userId).executeTakeFirst()))
      patch.user_id = who.userId
    if (who.waId && !existing.wa_id && !(await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('wa_id', '=', who.waId).executeTakeFirst()))
      patch.wa_id = who.waId
    if (Object.keys(patch).length > 0)
      await trx.updateTable('contacts').set({ ...patch, updated_at: now }).where('id', '=', existing.id).execute()
    return existing.id
  }
  const inserted = await trx.insertInto('contacts').values({
    id: newId(),
    workspace_id: workspaceId,
    wa_id: who.waId,
    user_id: who.userId,
    username: who.username,
    profile_name: who.profileName,
    created_at: now,
    updated_at: now,
  }).onConflict(oc => oc.doNothing()).returning('id').executeTakeFirst()
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

async function conversationFor(trx: Trx, channel: Channel, contactId: string, now: number): Promise<string> {
  const existing = await trx.selectFrom('conversations').select('id').where('channel_id', '=', channel.id).where('contact_id', '=', contactId).executeTakeFirst()
  if (existing)
    return existing.id
  const inserted = await trx.insertInto('conversations').values({
    id: newId(),
    workspace_id: channel.workspace_id,
    channel_id: channel.id,
    contact_id: contactId,
    status: 'open',
    unread_count: 0,
    last_message_id: null,
    last_message_at: null,
    last_message_preview: null,
    last_message_direction: null,
    last_message_type: null,
    last_inbound_at: null,
    window_expires_at: null,
    created_at: now,
    updated_at: now,
  }).onConflict(oc => oc.columns(['channel_id', 'contact_id']).doNothing()).returning('id').executeTakeFirst()
  if (inserted)
    return inserted.id
  const again = await trx.selectFrom('conversations').select('id').where('channel_id', '=', channel.id).where('contact_id', '=', contactId).executeTakeFirstOrThrow()
  return again.id
}

/** Effects of a message on other rows: reactions land on their target, number changes move the contact. */
async function applySideEffects(trx: Trx, channel: Channel, contactId: string, message: InboundMessage, now: number): Promise<void> {
  if (message.type === 'reaction') {
    await trx.updateTable('messages')
      .set({ reaction: (message.content.emoji as string | null) ?? null, updated_at: now })
      .where('channel_id', '=', channel.id)
      .where('wamid', '=', message.content.messageId as string)
      .execute()
  }
  if (message.type === 'system' && message.content.systemType === 'user_changed_number' && typeof message.content.waId === 'string') {
    const newWaId = message.content.waId
    const taken = await trx.selectFrom('contacts').select('id').where('workspace_id', '=', channel.workspace_id).where('wa_id', '=', newWaId).executeTakeFirst()
    if (!taken)
      await trx.updateTable('contacts').set({ wa_id: newWaId, updated_at: now }).where('id', '=', contactId).execute()
  }
}

async function applyConversationDelta(trx: Trx, conversationId: string, delta: ConversationDelta, now: number): Promise<void> {
  // Expressions read the row as it is when the UPDATE runs, so concurrent batches for the same
  // conversation add up instead of overwriting each other.
  const set: Record<string, unknown> = { updated_at: now, status: 'open' }
  if (delta.unread > 0)
    set.unread_count = sql`unread_count + ${delta.unread}`
  if (delta.lastInbound !== null) {
    const at = delta.lastInbound
    set.last_inbound_at = sql`CASE WHEN coalesce(last_inbound_at, 0) < ${at} THEN ${at} ELSE last_inbound_at END`
    set.window_expires_at = sql`CASE WHEN coalesce(last_inbound_at, 0) < ${at} THEN ${at + WINDOW_MS} ELSE window_expires_at END`
  }
  if (delta.last) {
    const { id, at, preview, type } = delta.last
    const newer = sql`coalesce(last_message_at, 0) <= ${at}`
    set.last_message_id = sql`CASE WHEN ${newer} THEN ${id} ELSE last_message_id END`
    set.last_message_preview = sql`CASE WHEN ${newer} THEN ${preview} ELSE last_message_preview END`
    set.last_message_type = sql`CASE WHEN ${newer} THEN ${type} ELSE last_message_type END`
    set.last_message_direction = sql`CASE WHEN ${newer} THEN 'in' ELSE last_message_direction END`
    set.last_message_at = sql`CASE WHEN ${newer} THEN ${at} ELSE last_message_at END`
  }
  await trx.updateTable('conversations').set(set).where('id', '=', conversationId).execute()
}

async function storeStatusEvent(trx: Trx, channelId: string, status: InboundStatus, now: number): Promise<boolean> {
  const row = await trx.insertInto('status_events').values({
    id: newId(),
    channel_id: channelId,
    wamid: status.wamid,
    status: status.status,
    timestamp: status.timestamp,
    errors: status.errors
      ? JSON.stringify(status.errors)
      : null,
    raw: JSON.stringify(status.raw),
    created_at: now,
  }).onConflict(oc => oc.columns(['channel_id', 'wamid', 'status']).doNothing()).returning('id').executeTakeFirst()
  return row !== undefined
}

/**
 * Applies one status to the message with this wamid, if we have it. The WHERE clause makes the
 * move monotonic inside the database, so concurrent or reordered webhooks cannot move it back.
 * Returns the conversation id, or null when the wamid is unknown (yet).
 */
export async function applyStatus(trx: Trx, channelId: string, wamid: string, status: string, timestamp: number, errors: Json[] | null): Promise<string | null> {
  const message = await trx.selectFrom('messages').select(['id', 'conversation_id']).where('channel_id', '=', channelId).where('wamid', '=', wamid).executeTakeFirst()
  if (!message)
    return null
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
    return message.conversation_id
  }
  const rank = STATUS_RANK[status]
  if (rank === undefined)
    return message.conversation_id
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
  return message.conversation_id
}

/** WhatsApp said the window is closed (131047): trust it over our own clock. */
export async function closeWindow(trx: Trx, conversationId: string, at: number): Promise<void> {
  await trx.updateTable('conversations')
    .set({ window_expires_at: sql`CASE WHEN window_expires_at IS NULL OR window_expires_at > ${at} THEN ${at} ELSE window_expires_at END` })
    .where('id', '=', conversationId)
    .execute()
}

/** Applies every stored status for these wamids to messages that now exist (idempotent). */
export async function applyOrphanStatuses(db: Db, orphans: Array<{ channelId: string, wamid: string }>): Promise<string[]> {
  const touched: string[] = []
  for (const { channelId, wamid } of orphans) {
    const events = await db.selectFrom('status_events').selectAll().where('channel_id', '=', channelId).where('wamid', '=', wamid).execute()
    if (events.length === 0)
      continue
    await db.transaction().execute(async (trx) => {
      for (const e of events.sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9))) {
        const conversationId = await applyStatus(trx, channelId, wamid, e.status, e.timestamp, e.errors
          ? JSON.parse(e.errors)
          : null)
        if (conversationId && !touched.includes(conversationId))
          touched.push(conversationId)
      }
    })
  }
  return touched
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
