import type { ApiClient } from '../api/client'
/**
 * What the team knows about phone numbers found on a page: the contact (matched by E.164 phone or
 * WhatsApp id digits), its latest conversation, who owns it, its labels, whether the 24-hour
 * window is open. Read from Dexie only; a missing contact is created through `POST /api/contacts`.
 */
import type { AppDB, Contact, Label, StoredConversation } from '../db'
import type { Conversation } from '~/protocol/conversations'
import { isApiError } from '../api/client'
import { listAtOf } from '../db/types'
import { normaliseCountry } from './scan'

export interface PhoneContact {
  contact: Contact
  /** the conversation to act on: the latest open one, else the latest */
  conversation: StoredConversation | null
}

/** The workspace's default country (`settings.defaultCountry`, synced as kind `workspace`). */
export async function workspaceDefaultCountry(db: AppDB): Promise<string | undefined> {
  const workspaces = await db.workspaces.toArray()
  for (const workspace of workspaces) {
    const country = normaliseCountry(workspace.settings?.defaultCountry as string | undefined)
    if (country)
      return country
  }
  return undefined
}

function digitsOf(number: string): string {
  return number.replace(/\D/g, '')
}

/** The conversation an action on a contact goes to: the latest open one, else the latest. */
export function pickConversation(conversations: StoredConversation[]): StoredConversation | null {
  const byRecent = [...conversations].sort((a, b) => (b.listAt ?? listAtOf(b)) - (a.listAt ?? listAtOf(a)))
  return byRecent.find(c => c.status !== 'closed') ?? byRecent[0] ?? null
}

/** The contacts (and conversations) of these E.164 numbers, by number; numbers without one are absent. */
export async function findPhoneContacts(db: AppDB, numbers: string[]): Promise<Map<string, PhoneContact>> {
  const result = new Map<string, PhoneContact>()
  if (numbers.length === 0)
    return result
  const digits = numbers.map(digitsOf)
  const [byPhone, byWaId] = await Promise.all([
    db.contacts.where('phone').anyOf(numbers).toArray(),
    db.contacts.where('waId').anyOf(digits).toArray(),
  ])
  const contacts = new Map<string, Contact>()
  for (const contact of [
    ...byPhone,
    ...byWaId,
  ]) {
    for (const number of numbers) {
      if (!contacts.has(number) && (contact.phone === number || contact.waId === digitsOf(number)))
        contacts.set(number, contact)
    }
  }
  const ids = [
    ...new Set([
      ...contacts.values(),
    ].map(c => c.id)),
  ]
  const conversations = ids.length > 0
    ? await db.conversations.where('contactId').anyOf(ids).toArray()
    : []
  for (const [number, contact] of contacts) {
    result.set(number, {
      contact,
      conversation: pickConversation(conversations.filter(c => c.contactId === contact.id)),
    })
  }
  return result
}

export async function findPhoneContact(db: AppDB, number: string): Promise<PhoneContact | null> {
  return (await findPhoneContacts(db, [number])).get(number) ?? null
}

/** Labels by id, for chips and the picker. */
export async function labelsById(db: AppDB): Promise<Map<string, Label>> {
  return new Map((await db.labels.toArray()).map(label => [label.id, label]))
}

interface CreatedContact { contact: Contact, conversation: Conversation }

/**
 * Stores what the server answered, so the page shows it at once instead of after the next pull.
 * These are the server's own entities (as sync would write them); a row sync already wrote wins.
 */
async function keep(db: AppDB, contact: Contact, conversations: Conversation[]): Promise<void> {
  await db.transaction('rw', db.contacts, db.conversations, async () => {
    if (!(await db.contacts.get(contact.id)))
      await db.contacts.put(contact)
    for (const conversation of conversations) {
      if (!(await db.conversations.get(conversation.id))) {
        await db.conversations.put({
          ...conversation,
          listAt: listAtOf(conversation),
        })
      }
    }
  })
}

/**
 * The contact of a number, created on the server (with its conversation) when Dexie has none.
 * A contact the server already has (`contact_exists`, not synced here yet) is fetched instead.
 */
export async function ensurePhoneContact(db: AppDB, api: ApiClient, number: string): Promise<PhoneContact> {
  const known = await findPhoneContact(db, number)
  if (known)
    return known
  try {
    const created = await api.post<CreatedContact>('/api/contacts', { phone: number })
    await keep(db, created.contact, [created.conversation])
  }
  catch (error) {
    const contactId = isApiError(error, 'contact_exists')
      ? (error.details as { contactId?: string } | undefined)?.contactId
      : undefined
    if (!contactId)
      throw error
    const contact = await api.get<Contact>(`/api/contacts/${encodeURIComponent(contactId)}`)
    const { items } = await api.get<{ items: Conversation[] }>(`/api/contacts/${encodeURIComponent(contactId)}/conversations`)
    await keep(db, contact, items)
  }
  const found = await findPhoneContact(db, number)
  if (!found)
    throw new Error(`the contact of ${number} was created but cannot be found`)
  return found
}
