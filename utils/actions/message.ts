import type { Message } from '../db'
/** Sending a message: the outbox row plus a local `pending` copy shown at once. */
import type { ResolvedContext } from './context'
import type { SendMessage } from '~/protocol/messages'
import { patchConversation, queue } from './context'

export function messageActions(ctx: ResolvedContext) {
  return {
    /**
     * Sends a message. The local copy (id = clientId, status `pending`) shows at once; the
     * server's message replaces it when it arrives. `preview` is the local copy's content.
     */
    send: (conversationId: string, message: SendMessage, content: Record<string, unknown> = {}) =>
      queue(ctx, 'message.send', { conversationId, message }, () => applySend(ctx, conversationId, message, content)),
  }
}

async function applySend(ctx: ResolvedContext, conversationId: string, message: SendMessage, content: Record<string, unknown>): Promise<void> {
  const now = ctx.now()
  const replyTo = 'replyTo' in message && message.replyTo
    ? await ctx.db.messages.get(message.replyTo)
    : undefined
  const local = localMessage(ctx, conversationId, message, content, replyTo, now)
  if (message.type === 'reaction')
    return
  await ctx.db.messages.put(local)
  await patchConversation(ctx, conversationId, {
    lastMessageAt: now,
    listAt: now,
    lastMessagePreview: previewOf(local),
    lastMessageDirection: 'out',
    lastMessageType: message.type,
  })
}

function localMessage(ctx: ResolvedContext, conversationId: string, message: SendMessage, content: Record<string, unknown>, replyTo: Message | undefined, now: number): Message {
  return {
    id: message.clientId,
    conversationId,
    wamid: null,
    clientId: message.clientId,
    direction: 'out',
    type: message.type,
    status: 'pending',
    error: null,
    content: localContent(message, content),
    context: replyTo
      ? { id: replyTo.wamid ?? replyTo.id, messageId: replyTo.id }
      : null,
    referral: null,
    reaction: null,
    timestamp: now,
    createdAt: now,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    senderId: ctx.agentId,
  }
}

/** The conversation list's preview of the local copy: its body, else its caption. */
function previewOf(local: Message): string {
  return typeof local.content.body === 'string'
    ? local.content.body
    : typeof local.content.caption === 'string'
      ? local.content.caption
      : ''
}

/** The local copy's `content`, shaped like the server's for the same type (docs/api.md, "Message `content` by type"). */
function localContent(message: SendMessage, extra: Record<string, unknown>): Record<string, unknown> {
  switch (message.type) {
    case 'text':
      return { body: message.text, ...extra }
    case 'template':
      return { name: message.template.name, language: message.template.language, ...extra }
    case 'reaction':
      return { messageId: message.messageId, emoji: message.emoji }
    default:
      return {
        mediaId: message.mediaId,
        ...(message.caption
          ? { caption: message.caption }
          : {}),
        ...extra,
      }
  }
}
