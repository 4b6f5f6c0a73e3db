import type { Conversation } from '~/utils/db'
import { pageApiClient } from '~/utils/api/page'

/** Where the server's copy of the contact's other conversations stands. */
export type PastState = 'idle' | 'loading' | 'loaded' | 'localOnly' | 'error'

/** The contact's other conversations: local ones and the server's, the fresher copy of each, newest first. */
export function mergePastConversations(local: readonly Conversation[], remote: readonly Conversation[], currentId: string): Conversation[] {
  const byId = new Map<string, Conversation>()
  for (const item of [
    ...local,
    ...remote,
  ]) {
    const known = byId.get(item.id)
    if (!known || item.updatedAt > known.updatedAt)
      byId.set(item.id, item)
  }
  byId.delete(currentId)
  const activity = (item: Conversation) => item.lastMessageAt ?? item.createdAt
  return [
    ...byId.values(),
  ].sort((a, b) => activity(b) - activity(a) || b.id.localeCompare(a.id))
}

/** Loads a contact's conversations from the server (`GET /api/contacts/:id/conversations`). */
export async function fetchContactConversations(contactId: string): Promise<Conversation[]> {
  const client = await pageApiClient()
  const body = await client.get<{ items: Conversation[] }>(`/api/contacts/${encodeURIComponent(contactId)}/conversations`)
  return body.items
}
