/**
 * What an outbound message becomes before it is queued: the Graph API payload, the `content` the
 * message row keeps, and the preview the conversation list shows. Quoted messages, uploaded media
 * and templates are checked here (against the database) so a bad send fails at once, not in the worker.
 */
import type { SendMessage } from '../../../protocol/messages.ts'
import type { Db } from '../storage/db.ts'
import type { ButtonsMessage, QueueRequest } from './outbound.ts'
import { AppError } from '../errors.ts'

type Json = Record<string, unknown>
type TemplateParam = NonNullable<Extract<SendMessage, { type: 'template' }>['template']['body']>[number]

export interface Built { payload: Json, content: Json, context: Json | null, preview: string }

async function quoted(db: Db, conversationId: string, messageId: string, field: string) {
  const target = await db.selectFrom('messages').select(['id', 'wamid']).where('id', '=', messageId).where('conversation_id', '=', conversationId).executeTakeFirst()
  if (!target)
    throw new AppError(400, 'invalid_request', `${field}: no such message in this conversation`, { field })
  if (!target.wamid)
    throw new AppError(409, 'invalid_request', `${field}: that message has not been sent yet`, { field })
  return { id: target.id, wamid: target.wamid }
}

/** The Graph payload of a send, what the message row keeps as `content`, and the list preview. */
export async function buildPayload(db: Db, workspaceId: string, conversationId: string, channelId: string, req: QueueRequest): Promise<Built> {
  switch (req.type) {
    case 'buttons':
      return buttonsPayload(req)
    case 'text':
      return await textPayload(db, conversationId, req)
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return await mediaPayload(db, workspaceId, conversationId, channelId, req)
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

function buttonsPayload(req: ButtonsMessage): Built {
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
}

async function textPayload(db: Db, conversationId: string, req: Extract<SendMessage, { type: 'text' }>): Promise<Built> {
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

type MediaSend = Extract<SendMessage, { type: 'image' | 'audio' | 'video' | 'document' | 'sticker' }>

/** An uploaded media file of this workspace and number, sent by its Meta media id. */
async function mediaPayload(db: Db, workspaceId: string, conversationId: string, channelId: string, req: MediaSend): Promise<Built> {
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

type TemplateSend = Extract<SendMessage, { type: 'template' }>['template']

async function buildTemplate(db: Db, workspaceId: string, channelId: string, t: TemplateSend): Promise<Built> {
  const template = await findApprovedTemplate(db, workspaceId, channelId, t)
  const components = JSON.parse(template.components) as Json[]
  const bodyText = String(components.find(c => String(c.type).toUpperCase() === 'BODY')?.text ?? '')
  const named = template.parameter_format === 'NAMED'
  const body = t.body ?? []
  checkBodyParams(t, bodyText, named)
  checkHeaderAndButtons(t, components)
  const out = await graphComponents(db, workspaceId, t, named)

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

/** The synced template of this name and language on this number; only APPROVED ones can be sent. */
async function findApprovedTemplate(db: Db, workspaceId: string, channelId: string, t: TemplateSend) {
  const template = await db.selectFrom('templates').selectAll().where('workspace_id', '=', workspaceId).where('channel_id', '=', channelId).where('name', '=', t.name).where('language', '=', t.language).executeTakeFirst()
  if (!template)
    throw new AppError(422, 'template_not_found', `no template "${t.name}" in language "${t.language}" for this number (sync the template list?)`, { field: 'template.name' })
  if (template.status !== 'APPROVED') {
    throw new AppError(422, 'template_not_approved', `template "${t.name}" is ${template.status}; only APPROVED templates can be sent`, {
      field: 'template.name',
      details: { status: template.status },
    })
  }
  return template
}

/** One body parameter per distinct variable; a NAMED template needs each variable by name. */
function checkBodyParams(t: TemplateSend, bodyText: string, named: boolean) {
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
}

/** The `components` of the Graph template object: header, body and button parameters. */
async function graphComponents(db: Db, workspaceId: string, t: TemplateSend, named: boolean): Promise<Json[]> {
  const body = t.body ?? []
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
  return out
}

/** Header and button parameters the template's definition requires (Meta answers 132000 otherwise). */
function checkHeaderAndButtons(t: TemplateSend, components: Json[]): void {
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
