/** Sending a failed outbound message again: the request, and the local copy's extra content. */
import type { SendMessage } from '~/protocol/messages'
import type { Message } from '~/utils/db'

/** Types whose content can be sent again as it was: text, uploaded media, templates. */
const RESENDABLE = new Set<Message['type']>([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
])

/** Failures a resend cannot fix: the 24-hour window for free-form, the experiment for templates. */
const FINAL_ERRORS: Partial<Record<Message['type'], number[]>> = {
  template: [130472],
}
const WINDOW_ERRORS = [131047, 470]

/**
 * The request that sends a failed outbound message again, under a new client id; null when
 * that is not safe (not an agent's message, a type whose content cannot be rebuilt, or a failure
 * a resend would only repeat).
 */
export function resendRequest(message: Message, clientId: string): SendMessage | null {
  if (message.direction !== 'out' || message.status !== 'failed' || !RESENDABLE.has(message.type))
    return null
  const code = message.error?.code
  if (code !== undefined && (FINAL_ERRORS[message.type]?.includes(code) || (message.type !== 'template' && WINDOW_ERRORS.includes(code))))
    return null
  const content = message.content
  const replyTo = typeof message.context?.messageId === 'string'
    ? { replyTo: message.context.messageId }
    : {}
  switch (message.type) {
    case 'text':
      return typeof content.body === 'string' && content.body !== ''
        ? {
            clientId,
            type: 'text',
            text: content.body,
            ...replyTo,
          }
        : null
    case 'template': {
      if (typeof content.name !== 'string' || typeof content.language !== 'string')
        return null
      const list = (value: unknown) => Array.isArray(value) && value.length > 0
        ? value
        : undefined
      const header = list(content.header)
      const body = list(content.parameters)
      const buttons = list(content.buttons)
      return {
        clientId,
        type: 'template',
        template: {
          name: content.name,
          language: content.language,
          ...(header
            ? { header }
            : {}),
          ...(body
            ? { body }
            : {}),
          ...(buttons
            ? { buttons }
            : {}),
        },
      } as SendMessage
    }
    default: {
      // The server's copy has Meta's id in `mediaId` and the upload's in `uploadId`.
      const mediaId = typeof content.uploadId === 'string'
        ? content.uploadId
        : content.mediaId
      if (typeof mediaId !== 'string' || mediaId === '')
        return null
      return {
        clientId,
        type: message.type as 'image',
        mediaId,
        ...(typeof content.caption === 'string' && content.caption !== ''
          ? { caption: content.caption }
          : {}),
        ...replyTo,
      }
    }
  }
}

/** The local copy's extra content for a resend (what the bubble shows until the server's arrives). */
export function resendPreview(message: Message): Record<string, unknown> {
  const { mimeType, filename, size, body, category } = message.content
  return Object.fromEntries(Object.entries({
    mimeType,
    filename,
    size,
    ...(message.type === 'template'
      ? { body, category }
      : {}),
  }).filter(([, value]) => value !== undefined && value !== null))
}
