/** Uploading an attachment and sending it as a media message. */
import type { MediaKind } from '~/protocol/media'
import type { UploadedMedia } from '~/protocol/messages'
import { sendThroughOutbox } from '~/utils/composer/send'
import { postConversationMedia } from '~/utils/messages/api'
import { attachmentMimeType } from './check'

/** Uploads a file for a conversation (`POST /api/conversations/:id/media`); needs the server. */
export async function uploadConversationMedia(conversationId: string, file: File, mimeType = attachmentMimeType(file)): Promise<UploadedMedia> {
  // Upload under the type WhatsApp knows (a `.3gp` may come with an empty or generic type).
  const typed = file.type === mimeType
    ? file
    : new File([file], file.name, { type: mimeType })
  return await postConversationMedia(conversationId, typed)
}

/**
 * Uploads `file` and sends it through the outbox with its caption (none on audio and stickers,
 * which WhatsApp takes without one).
 */
export async function sendAttachment(conversationId: string, current: { file: File, kind: MediaKind, mimeType: string }, caption: string, replyTo: string | null): Promise<void> {
  const media = await uploadConversationMedia(conversationId, current.file, current.mimeType)
  // WhatsApp takes no caption on audio and stickers (reference §2.2).
  const text = current.kind === 'audio' || current.kind === 'sticker'
    ? ''
    : caption.trim()
  await sendThroughOutbox(conversationId, {
    clientId: crypto.randomUUID(),
    type: current.kind,
    mediaId: media.id,
    ...(text
      ? { caption: text }
      : {}),
    ...(replyTo
      ? { replyTo }
      : {}),
  }, { filename: media.filename ?? current.file.name, mimeType: media.mimeType, size: media.size })
}
