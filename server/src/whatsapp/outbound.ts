import type { Transaction } from 'kysely'
/**
 * Queues an agent's message: validated against WhatsApp's rules (24-hour window, approved
 * templates, media), stored as `pending` together with its outbound job in one transaction, and
 * sent later by the worker. A retried request with the same client id returns the first message.
 */
import type { SendMessage } from '../../../protocol/messages.ts'
import type { Committed } from '../services/changes.ts'
import type { Db } from '../storage/db.ts'
import type { Database, MessagesTable, OutboundJobsTable } from '../storage/schema.ts'
import type { Built } from './outbound-payload.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { writeTransaction } from '../services/changes.ts'
import { buildPayload } from './outbound-payload.ts'

type Json = Record<string, unknown>

export interface QueuedMessage { message: MessagesTable, created: boolean, committed: Committed[], /** the precondition said no: nothing was queued */ skipped?: boolean }

/** What only the bots send: a text with quick-reply buttons (WhatsApp interactive `button`). */
export interface ButtonsMessage { clientId: string, type: 'buttons', text: string, buttons: string[] }
export type QueueRequest = SendMessage | ButtonsMessage

export interface QueueOptions {
  /** the agent sending (null: a bot or the system) */
  senderId?: string | null
  /** the bot sending, and why (kept in the content as `botSource`: welcome, away, rule, …) */
  bot?: 'reply' | 'ai' | null
  botSource?: string
  /** checked inside the write transaction: false = nothing is queued (`created: false`, no message) */
  precondition?: (trx: import('kysely').Transaction<import('../storage/schema.ts').Database>) => Promise<boolean>
}

export async function queueMessage(db: Db, workspaceId: string, conversationId: string, req: QueueRequest, now = Date.now(), senderOrOptions: string | null | QueueOptions = null): Promise<QueuedMessage> {
  const options: QueueOptions = typeof senderOrOptions === 'object' && senderOrOptions !== null
    ? senderOrOptions
    : { senderId: senderOrOptions }
  const existing = await findByClientId(db, workspaceId, req.clientId)
  if (existing) {
    if (existing.conversation_id !== conversationId)
      throw new AppError(409, 'invalid_request', 'this clientId was already used for another conversation', { field: 'clientId' })
    return { message: existing, created: false, committed: [] }
  }
  const { conversation, recipient } = await findRecipient(db, workspaceId, conversationId, req, now)
  const built = await buildPayload(db, workspaceId, conversation.id, conversation.channel_id, req)
  const message = pendingMessage(workspaceId, conversation, req, built, options, now)
  const { value: created, committed } = await writeTransaction(db, async (trx, changes) => {
    if (options.precondition && !await options.precondition(trx))
      return null
    const inserted = await trx.insertInto('messages').values(message).onConflict(oc => oc.columns(['workspace_id', 'client_id']).doNothing()).returning('id').executeTakeFirst()
    if (!inserted)
      return false // a concurrent request with the same client id won
    changes.message(workspaceId, message.id, conversation.id)
    await trx.insertInto('outbound_jobs').values(newJob({
      workspaceId,
      channelId: conversation.channel_id,
      messageId: message.id,
      kind: 'send',
      recipient: recipient.to ?? recipient.recipient!,
      payload: {
        ...recipient,
        ...built.payload,
      },
      now,
    })).execute()
    if (req.type !== 'reaction') {
      await updateLastMessage(trx, message, built.preview, now)
      changes.conversation(workspaceId, conversation.id)
    }
    return true
  })
  if (created === null) {
    return {
      message,
      created: false,
      committed,
      skipped: true,
    }
  }
  if (!created)
    return { message: (await findByClientId(db, workspaceId, req.clientId))!, created: false, committed }
  return { message, created: true, committed }
}

interface QueueConversation { id: string, channel_id: string, window_expires_at: number | null }

/**
 * The conversation and who its messages go to (`to` a phone number, or a `recipient` user id);
 * outside the 24-hour window only a template may be sent.
 */
async function findRecipient(db: Db, workspaceId: string, conversationId: string, req: QueueRequest, now: number) {
  const conversation = await db.selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select([
      'conversations.id',
      'conversations.channel_id',
      'conversations.window_expires_at',
      'contacts.wa_id',
      'contacts.user_id',
    ])
    .where('conversations.id', '=', conversationId)
    .where('conversations.workspace_id', '=', workspaceId)
    .executeTakeFirst()
  if (!conversation)
    throw notFound('conversation')

  const recipient: { to?: string, recipient?: string } | null = conversation.wa_id
    ? { to: `+${conversation.wa_id}` }
    : conversation.user_id
      ? { recipient: conversation.user_id }
      : null
  if (!recipient)
    throw new AppError(422, 'no_recipient', 'the contact has neither a phone number nor a WhatsApp user id')
  if (req.type !== 'template' && (conversation.window_expires_at === null || now >= conversation.window_expires_at)) {
    throw new AppError(422, 'window_closed', 'the 24-hour customer service window is closed: only an approved template can be sent', {
      details: { windowExpiresAt: conversation.window_expires_at },
    })
  }
  return { conversation: conversation as QueueConversation, recipient }
}

/** The message row, `pending` until the worker has Meta's wamid. */
function pendingMessage(workspaceId: string, conversation: QueueConversation, req: QueueRequest, built: Built, options: QueueOptions, now: number): MessagesTable {
  return {
    id: newId(),
    workspace_id: workspaceId,
    conversation_id: conversation.id,
    channel_id: conversation.channel_id,
    wamid: null,
    client_id: req.clientId,
    direction: 'out',
    type: req.type === 'buttons'
      ? 'interactive'
      : req.type,
    status: 'pending',
    content: JSON.stringify(options.botSource
      ? { ...built.content, botSource: options.botSource }
      : built.content),
    context: built.context
      ? JSON.stringify(built.context)
      : null,
    referral: null,
    error: null,
    reaction: null,
    raw: null,
    timestamp: now,
    created_at: now,
    updated_at: now,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    played_at: null,
    failed_at: null,
    sent_by: options.senderId ?? null,
    bot: options.bot ?? null,
  }
}

/** The conversation list shows the newest message (a later one already there stays). */
async function updateLastMessage(trx: Transaction<Database>, message: MessagesTable, preview: string, now: number) {
  await trx.updateTable('conversations').set({
    last_message_id: message.id,
    last_message_at: now,
    last_message_preview: preview,
    last_message_type: message.type,
    last_message_direction: 'out',
    updated_at: now,
  }).where('id', '=', message.conversation_id).where(eb => eb.or([
    eb('last_message_at', 'is', null),
    eb('last_message_at', '<=', now),
  ])).execute()
}

/** A queued outbound job, due now. */
function newJob(job: { workspaceId: string, channelId: string, messageId: string | null, kind: OutboundJobsTable['kind'], recipient: string, payload: Json, now: number }): OutboundJobsTable {
  return {
    id: newId(),
    workspace_id: job.workspaceId,
    channel_id: job.channelId,
    message_id: job.messageId,
    kind: job.kind,
    recipient: job.recipient,
    payload: JSON.stringify(job.payload),
    state: 'queued',
    attempts: 0,
    run_at: job.now,
    locked_until: null,
    last_error: null,
    created_at: job.now,
    updated_at: job.now,
  }
}

async function findByClientId(db: Db, workspaceId: string, clientId: string) {
  return await db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('client_id', '=', clientId).executeTakeFirst()
}

/**
 * Marks a conversation read by this agent (their own read state, and the team's unread count) and
 * queues a read receipt for the latest inbound message (WhatsApp marks earlier ones read too).
 */
export async function queueMarkRead(db: Db, workspaceId: string, conversationId: string, agentId: string, now = Date.now()): Promise<{ receiptQueued: boolean, committed: Committed[] }> {
  const conversation = await db.selectFrom('conversations').select(['id', 'channel_id']).where('id', '=', conversationId).where('workspace_id', '=', workspaceId).executeTakeFirst()
  if (!conversation)
    throw notFound('conversation')
  // Latest by the customer's clock; within one second, the one that arrived last (UUIDv7 ids).
  const latest = await db.selectFrom('messages').select(['wamid', 'timestamp']).where('conversation_id', '=', conversationId).where('direction', '=', 'in').where('wamid', 'is not', null).orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
  const { committed } = await writeTransaction(db, async (trx, changes) => {
    const updated = await trx.updateTable('conversations').set({ unread_count: 0, updated_at: now }).where('id', '=', conversationId).returning('inbound_count').executeTakeFirstOrThrow()
    await trx.insertInto('conversation_reads').values({
      conversation_id: conversationId,
      agent_id: agentId,
      workspace_id: workspaceId,
      read_inbound_count: updated.inbound_count,
      marked_unread: 0,
      updated_at: now,
    }).onConflict(oc => oc.columns(['conversation_id', 'agent_id']).doUpdateSet({
      read_inbound_count: updated.inbound_count,
      marked_unread: 0,
      updated_at: now,
    })).execute()
    changes.conversation(workspaceId, conversationId)
    // Meta accepts read receipts for messages received in the last 30 days only.
    if (latest?.wamid && now - latest.timestamp < 30 * 24 * 60 * 60 * 1000) {
      await trx.insertInto('outbound_jobs').values(newJob({
        workspaceId,
        channelId: conversation.channel_id,
        messageId: null,
        kind: 'mark_read',
        recipient: latest.wamid,
        payload: { message_id: latest.wamid },
        now,
      })).execute()
    }
  })
  return {
    receiptQueued: Boolean(latest?.wamid),
    committed,
  }
}
