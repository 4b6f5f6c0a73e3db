import type { ApiClient } from '../api/client'
/**
 * Giving up on a failed action: its outbox row goes, and so does the optimistic change it made
 * locally. A create is simply removed (the server never had it). An edit is undone by reading the
 * entity back from the server; when the server cannot be reached, the next full sync heals it.
 */
import type { AppDB, OutboxEntry, StoredConversation } from '../db'
import type { MutationArgs } from '~/protocol/sync'
import { pageApiClient } from '../api/page'
import { discardOutboxEntry } from '../db/outbox'
import { withListAt } from '../sync/apply'
import { requestSync } from '../sync/request'

export async function discardAndRevert(db: AppDB, entry: OutboxEntry, api: () => Promise<ApiClient> = pageApiClient): Promise<void> {
  await discardOutboxEntry(db, entry.seq)
  try {
    await revert(db, entry, api)
  }
  catch (error) {
    console.warn('[wa-inbox] could not undo a discarded action locally', entry.type, error)
  }
  requestSync()
}

async function revert(db: AppDB, entry: OutboxEntry, api: () => Promise<ApiClient>): Promise<void> {
  switch (entry.type) {
    case 'message.send': {
      const { message, conversationId } = entry.args as MutationArgs<'message.send'>
      const local = await db.messages.get(message.clientId)
      if (local && local.id === local.clientId)
        await db.messages.delete(local.id)
      await refetchConversation(db, conversationId, api)
      return
    }
    case 'note.create': {
      const { id } = entry.args as MutationArgs<'note.create'>
      if (id)
        await db.notes.delete(id)
      return
    }
    case 'label.create': {
      const { id } = entry.args as MutationArgs<'label.create'>
      if (id)
        await db.labels.delete(id)
      return
    }
    case 'conversation.assign':
    case 'conversation.setTeam':
    case 'conversation.setStatus':
    case 'conversation.markRead':
    case 'conversation.markUnread':
      await refetchConversation(db, (entry.args as { conversationId: string }).conversationId, api)
      return
    case 'contact.update':
    case 'contact.addLabel':
    case 'contact.removeLabel': {
      const { contactId } = entry.args as { contactId: string }
      const client = await api()
      await db.contacts.put(await client.get(`/api/contacts/${encodeURIComponent(contactId)}`))
      break
    }
    // note edits and deletes, notification reads, availability: the next sync brings them back
    // as the server has them.
  }
}

async function refetchConversation(db: AppDB, conversationId: string, api: () => Promise<ApiClient>): Promise<void> {
  const client = await api()
  const conversation = await client.get<StoredConversation>(`/api/conversations/${encodeURIComponent(conversationId)}`)
  await db.conversations.put(withListAt(conversation))
}
