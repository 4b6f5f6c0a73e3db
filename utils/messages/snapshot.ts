/** What a conversation's message list reads from Dexie in one go. */
import type { SendOutboxEntry, Snapshot } from './rows'
import type { AppDB } from '~/utils/db'
import Dexie from 'dexie'
import { contactDisplayName } from '~/utils/chats/text'
import { contextRefs } from './rows'

/** The newest `limit` messages of the conversation and what their rows need. */
export async function readSnapshot(db: AppDB, conversationId: string, limit: number): Promise<Snapshot> {
  const range = db.messages.where('[conversationId+timestamp]').between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
  const [newestFirst, total, outbox, agents, conversation] = await Promise.all([
    range.clone().reverse().limit(limit).toArray(),
    range.clone().count(),
    db.outbox.filter(row => row.type === 'message.send' && (row as SendOutboxEntry).args.conversationId === conversationId).toArray() as Promise<SendOutboxEntry[]>,
    db.agents.toArray(),
    db.conversations.get(conversationId),
  ])
  const messages = newestFirst.reverse()

  // Replied-to messages outside the window: one scan of the conversation, only when needed.
  const known = new Set<string>()
  for (const message of messages) {
    known.add(message.id)
    if (message.wamid)
      known.add(message.wamid)
  }
  const missing = new Set(messages.flatMap(contextRefs).filter(ref => !known.has(ref)))
  const quoted = missing.size > 0
    ? await db.messages.where('conversationId').equals(conversationId).filter(message => missing.has(message.id) || (message.wamid !== null && missing.has(message.wamid))).toArray()
    : []

  const contact = conversation
    ? await db.contacts.get(conversation.contactId) ?? conversation.contact
    : undefined
  return {
    messages,
    total,
    outbox,
    agents,
    quoted,
    contactName: contact
      ? contactDisplayName(contact)
      : null,
  }
}
