/**
 * The conversation side's server API that is not synced: older pages of a conversation's history,
 * a message's media (downloaded with the session's token) and attachment uploads. Plain requests
 * with the stored session (`utils/api/page`); failures are `ApiError`s with the server's code.
 * The composables call these; components never do (see eslint.config.js).
 */
import type { MessagePage, UploadedMedia } from '~/protocol/messages'
import { fetchApiBlob, pageApiClient, postApiForm } from '../api/page'

/** Messages per server page. */
export const MESSAGE_PAGE_SIZE = 50

/** `GET /api/conversations/:id/messages`, newest first; `before` is the previous page's cursor. */
export async function fetchMessagePage(conversationId: string, before: string | null, limit = MESSAGE_PAGE_SIZE): Promise<MessagePage> {
  const query = new URLSearchParams({
    limit: String(limit),
  })
  if (before)
    query.set('before', before)
  const client = await pageApiClient()
  return await client.get<MessagePage>(`/api/conversations/${encodeURIComponent(conversationId)}/messages?${query}`)
}

/** `GET /api/messages/:id/media`: the media's bytes (the server wants the bearer header, so no `<img src>`). */
export async function fetchMessageMedia(messageId: string): Promise<Blob> {
  return await fetchApiBlob(`/api/messages/${encodeURIComponent(messageId)}/media`)
}

/** `POST /api/conversations/:id/media`: uploads a file, sent under its own name and type. */
export async function postConversationMedia(conversationId: string, file: File): Promise<UploadedMedia> {
  const form = new FormData()
  form.append('file', file, file.name)
  return await postApiForm<UploadedMedia>(`/api/conversations/${encodeURIComponent(conversationId)}/media`, form)
}
