/** What the template picker reads from Dexie for a conversation. */
import type { Contact, Conversation, Template } from '~/utils/db'
import { db } from '~/utils/db'

export interface PickerData {
  conversation: Conversation | undefined
  contact: Contact | undefined
  templates: Template[]
}

/** The conversation, its contact (the synced one, else the embedded copy) and its number's templates. */
export async function readPickerData(id: string): Promise<PickerData> {
  const conversation = await db.conversations.get(id)
  if (!conversation)
    return { conversation, contact: undefined, templates: [] }
  const [contact, templates] = await Promise.all([
    db.contacts.get(conversation.contactId),
    db.templates.where('channelId').equals(conversation.channelId).toArray(),
  ])
  return { conversation, contact: contact ?? conversation.contact, templates }
}
