import type { ChatListData } from './rows'
import type { ConversationStatus } from '~/protocol/conversations'
import type { AppDB, Message } from '~/utils/db'
import Dexie from 'dexie'
import { db as defaultDb } from '~/utils/db'

/**
 * The conversations of one status, newest activity first, straight from the `[status+listAt]`
 * index (chats without messages yet sort by when they were created).
 */
export async function readChatList(db: AppDB, status: ConversationStatus, limit?: number): Promise<ChatListData> {
  let query = db.conversations
    .where('[status+listAt]')
    .between([status, Dexie.minKey], [status, Dexie.maxKey])
    .reverse()
  if (limit !== undefined)
    query = query.limit(limit)
  const [conversations, labels, agents] = await Promise.all([
    query.toArray(),
    db.labels.toArray(),
    db.agents.toArray(),
  ])
  // The first screen needs only its own contacts; the whole list reads them all at once.
  const contacts = limit === undefined
    ? await db.contacts.toArray()
    : (await db.contacts.bulkGet([
        ...new Set(conversations.map(conversation => conversation.contactId)),
      ])).filter(contact => contact !== undefined)
  return {
    status,
    complete: limit === undefined || conversations.length < limit,
    conversations,
    contacts: new Map(contacts.map(contact => [contact.id, contact])),
    labels: new Map(labels.map(label => [label.id, label])),
    agents: new Map(agents.map(agent => [agent.id, agent])),
  }
}

/** A conversation's newest message (its ticks show in the list row). */
export function lastMessageOf(conversationId: string, db: AppDB = defaultDb): Promise<Message | undefined> {
  return db.messages
    .where('[conversationId+timestamp]')
    .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
    .last()
}
