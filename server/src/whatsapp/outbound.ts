/**
 * Queues an agent's message: validated against WhatsApp's rules (24-hour window, approved
 * templates, media), stored as `pending` together with its outbound job in one transaction, and
 * sent later by the worker. A retried request with the same client id returns the first message.
 */
import type { SendMessage } from '../../../protocol/messages.ts'
import type { Committed } from '../services/changes.ts'
import type { Db } from '../storage/db.ts'
import type { MessagesTable, OutboundJobsTable } from '../storage/schema.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { writeTransaction } from '../services/changes.ts'

type Json = Record<string, unknown>
type TemplateParam = NonNullable<Extract<SendMessage, { type: 'template' }>['template']['body']>[number]

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
  const senderId = options.senderId ?? null
  const existing = await findByClientId(db, workspaceId, req.clientId)
  if (existing) {
    if (existing.conversation_id !== conversationId)
      throw new AppError(409, 'invalid_request', 'this clientId was already used for another conversation', { field: 'clientId' })
    return { message: existing, created: false, committed: [] }
  }
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

  const recipient = conversation.wa_id
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

  const built = await buildPayload(db, workspaceId, conversation.id, conversation.channel_id, req)
  const id = newId()
  const message: MessagesTable = {
    id,
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
    sent_by: senderId,
    bot: options.bot ?? null,
  }
  const { value: created, committed } = await writeTransaction(db, async (trx, changes) => {
    if (options.precondition && !await options.precondition(trx))
      return null
    const inserted = await trx.insertInto('messages').values(message).onConflict(oc => oc.columns(['workspace_id', 'client_id']).doNothing()).returning('id').executeTakeFirst()
    if (!inserted)
      return false // a concurrent request with the same client id won
    changes.message(workspaceId, id, conversation.id)
    await trx.insertInto('outbound_jobs').values(newJob({
      workspaceId,
      channelId: conversation.channel_id,
      messageId: id,
      kind: 'send',
      recipient: recipient.to ?? recipient.recipient!,
      payload: {
        ...recipient,
        ...built.payload,
      },
      now,
    })).execute()
    if (req.type !== 'reaction') {
      await trx.updateTable('conversations').set({
        last_message_id: id,
        last_message_at: now,
        last_message_preview: built.preview,
        last_message_type: message.type,
        last_message_direction: 'out',
        updated_at: now,
      }).where('id', '=', conversation.id).where(eb => eb.or([
        eb('last_message_at', 'is', null),
        eb('last_message_at', '<=', now),
      ])).execute()
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

interface Built { payload: Json, content: Json, context: Json | null, preview: string }

async function quoted(db: Db, conversationId: string, messageId: string, field: string) {
  const target = await db.selectFrom('messages').select(['id', 'wamid']).where('id', '=', messageId).where('conversation_id', '=', conversationId).executeTakeFirst()
  if (!target)
    throw new AppError(400, 'invalid_request', `${field}: no such message in this conversation`, { field })
  if (!target.wamid)
    throw new AppError(409, 'invalid_request', `${field}: that message has not been sent yet`, { field })
  return { id: target.id, wamid: target.wamid }
}

async function buildPayload(db: Db, workspaceId: string, conversationId: string, channelId: string, req: QueueRequest): Promise<Built> {
  switch (req.type) {
    case 'buttons':
      return {
        payload: {
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: req.text },
            action: {
              buttons: req.buttons.map((title, i) => ({
                type: 'reply',
                reply: { id: `b${i + 1}`, title },
              })),
            },
          },
        },
        content: { interactiveType: 'button', body: req.text, buttons: req.buttons },
        context: null,
        preview: req.text.slice(0, 200),
      }
    case 'text': {
      const context = req.replyTo
        ? await quoted(db, conversationId, req.replyTo, 'replyTo')
        : null
      const previewUrl = req.previewUrl ?? /https?:\/\/\S/.test(req.text)
      return {
        payload: {
          type: 'text',
          text: { body: req.text, preview_url: previewUrl },
          ...(context
            ? {
                context: { message_id: context.wamid },
              }
            : {}),
        },
        content: { body: req.text, previewUrl },
        context: context
          ? { id: context.wamid, messageId: context.id }
          : null,
        preview: req.text.slice(0, 200),
      }
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = await db.selectFrom('media').selectAll().where('id', '=', req.mediaId).where('workspace_id', '=', workspaceId).executeTakeFirst()
      if (!media)
        throw new AppError(400, 'invalid_request', 'mediaId: no such uploaded media', { field: 'mediaId' })
      if (media.channel_id !== channelId)
        throw new AppError(400, 'invalid_request', 'mediaId: the media was uploaded for another WhatsApp number', { field: 'mediaId' })
      if (req.caption && (req.type === 'audio' || req.type === 'sticker'))
        throw new AppError(400, 'invalid_request', `caption: WhatsApp does not allow a caption on ${req.type}`, { field: 'caption' })
      const context = req.replyTo
        ? await quoted(db, conversationId, req.replyTo, 'replyTo')
        : null
      const object: Json = { id: media.meta_media_id }
      if (req.caption)
        object.caption = req.caption
      if (req.type === 'document' && media.filename)
        object.filename = media.filename
      return {
        payload: {
          type: req.type,
          [req.type]: object,
          ...(context
            ? {
                context: { message_id: context.wamid },
              }
            : {}),
        },
        content: {
          mediaId: media.meta_media_id,
          uploadId: media.id,
          mimeType: media.mime_type,
          filename: media.filename,
          size: media.size,
          ...(req.caption
            ? { caption: req.caption }
            : {}),
        },
        context: context
          ? { id: context.wamid, messageId: context.id }
          : null,
        preview: (req.caption ?? media.filename ?? '').slice(0, 200),
      }
    }
    case 'reaction': {
      const target = await quoted(db, conversationId, req.messageId, 'messageId')
      return {
        payload: {
          type: 'reaction',
          reaction: { message_id: target.wamid, emoji: req.emoji },
        },
        content: { messageId: target.wamid, targetId: target.id, emoji: req.emoji || null },
        context: null,
        preview: req.emoji,
      }
    }
    case 'template':
      return await buildTemplate(db, workspaceId, channelId, req.template)
  }
}

async function buildTemplate(db: Db, workspaceId: string, channelId: string, t: Extract<SendMessage, { type: 'template' }>['template']): Promise<Built> {
  const template = await db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('channel_id', '=', channelId).where('name', '=', t.name).where('language', '=', t.language).executeTakeFirst()
  if (!template)
    throw new AppError(422, 'template_not_found', `no template "${t.name}" in language "${t.language}" for this number (sync the template list?)`, { field: 'template.name' })
  if (template.status !== 'APPROVED') {
    throw new AppError(422, 'template_not_approved', `template "${t.name}" is ${template.status}; only APPROVED templates can be sent`, {
      field: 'template.name',
      details: { status: template.status },
    })
  }

  const components = JSON.parse(template.components) as Json[]
  const bodyText = String(components.find(c => String(c.type).toUpperCase() === 'BODY')?.text ?? '')
  const named = template.parameter_format === 'NAMED'
  const variables = [
    ...new Set([
      ...bodyText.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g),
    ].map(m => m[1]!)),
  ]
  const body = t.body ?? []
  if (body.length !== variables.length) {
    throw new AppError(400, 'template_params_mismatch', `template "${t.name}" expects ${variables.length} body parameter(s), got ${body.length}`, {
      field: 'template.body',
      details: { expected: variables.length, got: body.length },
    })
  }
  if (named) {
    const missing = variables.filter(v => !body.some(p => p.name === v))
    if (missing.length > 0)
      throw new AppError(400, 'template_params_mismatch', `template "${t.name}" needs named parameters: ${missing.join(', ')}`, { field: 'template.body' })
  }

  checkHeaderAndButtons(t, components)

  const out: Json[] = []
  if (t.header && t.header.length > 0)
    out.push({ type: 'header', parameters: await Promise.all(t.header.map(p => toGraphParam(db, workspaceId, p))) })
  if (body.length > 0) {
    out.push({
      type: 'body',
      parameters: await Promise.all(body.map(async p => ({
        ...(await toGraphParam(db, workspaceId, p)),
        ...(named && p.name
          ? { parameter_name: p.name }
          : {}),
      }))),
    })
  }
  for (const b of t.buttons ?? []) {
    out.push({
      type: 'button',
      sub_type: b.subType,
      index: String(b.index),
      parameters: [await toGraphParam(db, workspaceId, b.parameter)],
    })
  }

  // What the agent sees in the conversation: the body with its variables filled in.
  const values = new Map(body.map((p, i) => [
    named
      ? p.name ?? ''
      : String(i + 1),
    p.text ?? '',
  ]))
  const preview = bodyText.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, v: string) => values.get(v) ?? `{{${v}}}`)
  return {
    payload: {
      type: 'template',
      template: {
        name: t.name,
        language: { code: t.language },
        ...(out.length > 0
          ? { components: out }
          : {}),
      },
    },
    content: {
      name: t.name,
      language: t.language,
      category: template.category,
      body: preview,
      header: t.header ?? [],
      parameters: body,
      buttons: t.buttons ?? [],
    },
    context: null,
    preview: preview.slice(0, 200),
  }
}

/** Header and button parameters the template's definition requires (Meta answers 132000 otherwise). */
function checkHeaderAndButtons(t: Extract<SendMessage, { type: 'template' }>['template'], components: Json[]): void {
  const header = components.find(c => String(c.type).toUpperCase() === 'HEADER')
  const format = String(header?.format ?? 'TEXT').toUpperCase()
  const given = t.header ?? []
  if (header && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format)) {
    if (given.length !== 1 || given[0]!.type !== format.toLowerCase()) {
      throw new AppError(400, 'template_params_mismatch', `template "${t.name}" needs one ${format.toLowerCase()} header parameter`, {
        field: 'template.header',
        details: {
          expected: format.toLowerCase(),
        },
      })
    }
  }
  else {
    const expected = header
      ? new Set([
        ...String(header.text ?? '').matchAll(/\{\{\s*([\w.]+)\s*\}\}/g),
      ].map(m => m[1])).size
      : 0
    if (given.length !== expected) {
      throw new AppError(400, 'template_params_mismatch', `template "${t.name}" expects ${expected} header parameter(s), got ${given.length}`, {
        field: 'template.header',
        details: { expected, got: given.length },
      })
    }
  }
  const buttons = (components.find(c => String(c.type).toUpperCase() === 'BUTTONS')?.buttons ?? []) as Json[]
  buttons.forEach((button, index) => {
    const type = String(button.type).toUpperCase()
    const needs = (type === 'URL' && /\{\{\s*[\w.]+\s*\}\}/.test(String(button.url ?? ''))) || type === 'COPY_CODE'
    if (needs && !(t.buttons ?? []).some(b => b.index === index)) {
      throw new AppError(400, 'template_params_mismatch', `template "${t.name}" needs a parameter for button ${index} (${type})`, {
        field: 'template.buttons',
        details: { index },
      })
    }
  })
}

async function toGraphParam(db: Db, workspaceId: string, p: TemplateParam): Promise<Json> {
  if (p.type === 'text') {
    if (p.text === undefined || p.text === '')
      throw new AppError(400, 'template_params_mismatch', 'a text template parameter needs a non-empty text', { field: 'template' })
    return { type: 'text', text: p.text }
  }
  if (p.type === 'payload')
    return { type: 'payload', payload: p.payload ?? '' }
  const media = p.mediaId
    ? await db.selectFrom('media').select('meta_media_id').where('id', '=', p.mediaId).where('workspace_id', '=', workspaceId).executeTakeFirst()
    : undefined
  if (!media)
    throw new AppError(400, 'invalid_request', 'template parameter mediaId: no such uploaded media', { field: 'template.header' })
  return {
    type: p.type,
    [p.type]: { id: media.meta_media_id },
  }
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
