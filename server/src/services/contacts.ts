/**
 * Contacts for the team: list and search, details, their conversations, edits (names, email,
 * phone, language, custom fields, bot toggles, blocking), creating one from a phone number, and
 * labels on contacts. A restricted agent sees a contact only through a conversation they may see;
 * any other contact (or another workspace's) answers 404. Every write records what changed.
 *
 * `contactMutations` also carries the label, note and notification mutations (services/labels.ts,
 * services/notes.ts): each calls the same function as its REST route.
 */
import type { Transaction } from 'kysely'
import type { AddContactLabel, Contact, CreateContact, ListContactsQuery, UpdateContact } from '../../../protocol/contacts.ts'
import type { Conversation } from '../../../protocol/conversations.ts'
import type { Db } from '../storage/db.ts'
import type { ContactsTable, Database } from '../storage/schema.ts'
import type { Committed } from './changes.ts'
import type { MutationHandlers } from './mutations.ts'
import type { SessionAgent } from './sessions.ts'
import { sql } from 'kysely'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { encodeCursor } from '../serialize.ts'
import { lockForUpdate } from '../storage/db.ts'
import { newConversationRow } from '../whatsapp/ingest.ts'
import { canSeeConversation, conversationVisibility, isRestricted } from './access.ts'
import { writeTransaction } from './changes.ts'
import { loadContact, loadContacts, loadConversation, withContacts } from './entities.ts'
import { createLabel, findOrCreateLabel, updateLabel } from './labels.ts'
import { createNote, deleteNote, readNotification, updateNote } from './notes.ts'
import { digitsOf, foldText, likeEscape, searchColumns } from './search.ts'

type Trx = Transaction<Database>
interface App { db: Db, publish: (c: Committed[]) => void }

/** E.164 allows at most 15 digits; fewer than 8 is never a reachable WhatsApp number. */
const PHONE_DIGITS = { min: 8, max: 15 }
/** Sort key: the name the list shows, lower-cased, cut so a cursor stays short. */
const sortName = sql<string>`substr(lower(coalesce(contacts.name, contacts.profile_name, contacts.username, contacts.wa_id, contacts.user_id, '')), 1, 64)`
const activity = sql<number>`coalesce(conversations.last_message_at, conversations.created_at)`

/** The contact row if this agent may see it; another workspace's, or one a restricted agent may not see, is 404. */
export async function visibleContactRow(db: Db | Trx, agent: SessionAgent, id: string, options: { lock?: boolean } = {}) {
  let query = db.selectFrom('contacts').selectAll().where('workspace_id', '=', agent.workspace_id).where('id', '=', id)
  if (options.lock)
    query = query.$call(lockForUpdate(db))
  const row = await query.executeTakeFirst()
  if (!row || !await contactVisible(db, agent, id))
    throw notFound('contact')
  return row
}

async function contactVisible(db: Db | Trx, agent: SessionAgent, contactId: string): Promise<boolean> {
  const visible = conversationVisibility(agent)
  if (!visible)
    return true
  const row = await db.selectFrom('conversations').select('id').where('workspace_id', '=', agent.workspace_id).where('contact_id', '=', contactId).where(visible).limit(1).executeTakeFirst()
  return row !== undefined
}

function decodeContactCursor(cursor: string): [string, string] | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string')
      return [value[0], value[1]]
  }
  catch {}
  return null
}

/** Contacts by name (then id), optionally searched (name word prefix, phone digits) and filtered by label. */
export async function listContacts(db: Db, agent: SessionAgent, query: ListContactsQuery): Promise<{ items: Contact[], nextCursor: string | null }> {
  const limit = query.limit ?? 50
  const after = query.cursor
    ? decodeContactCursor(query.cursor)
    : null
  if (query.cursor && !after)
    throw new AppError(400, 'invalid_request', 'cursor: not a cursor this server issued', { field: 'cursor' })
  let q = db.selectFrom('contacts')
    .select([
      'contacts.id',
      sortName.as('sort_name'),
    ])
    .where('contacts.workspace_id', '=', agent.workspace_id)
  const visible = conversationVisibility(agent, 'cv')
  if (visible) {
    q = q.where(eb => eb.exists(eb.selectFrom('conversations as cv').select('cv.id').whereRef('cv.contact_id', '=', 'contacts.id').where(visible as never)))
  }
  if (query.label) {
    const label = query.label
    q = q.where(eb => eb.exists(eb.selectFrom('contact_labels').select('contact_labels.contact_id').whereRef('contact_labels.contact_id', '=', 'contacts.id').where('contact_labels.label_id', '=', label)))
  }
  const search = query.q?.trim()
  if (search) {
    const text = foldText(search)
    const digits = digitsOf(search)
    // Looks like a phone number (digits and phone punctuation only): match the digits anywhere.
    const phoneLike = digits.length >= 3 && /^[\d\s()+./-]+$/.test(search)
    q = q.where(eb => eb.or([
      ...(text
        ? [
            eb(sql`' ' || contacts.search_text`, 'like', sql`${`% ${likeEscape(text)}%`} ESCAPE '\\'`),
          ]
        : []),
      ...(digits.length >= 3
        ? [
            eb('contacts.search_digits', 'like', `%${digits}%`),
          ]
        : []),
      ...(phoneLike || text
        ? []
        : [sql<boolean>`1 = 0`]),
    ]))
  }
  if (after) {
    q = q.where(eb => eb.or([
      eb(sortName, '>', after[0]),
      eb.and([
        eb(sortName, '=', after[0]),
        eb('contacts.id', '>', after[1]),
      ]),
    ]))
  }
  const rows = await q.orderBy(sortName).orderBy('contacts.id').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const byId = new Map((await loadContacts(db, agent.workspace_id, page.map(r => r.id))).map(c => [c.id, c]))
  const last = page.at(-1)
  return {
    items: page.flatMap((r) => {
      const contact = byId.get(r.id)
      return contact
        ? [contact]
        : []
    }),
    nextCursor: rows.length > limit && last
      ? encodeCursor([
          last.sort_name,
          last.id,
        ])
      : null,
  }
}

export async function getContact(db: Db, agent: SessionAgent, id: string): Promise<Contact> {
  await visibleContactRow(db, agent, id)
  return (await loadContact(db, agent.workspace_id, id))!
}

/** The contact's conversations this agent may see, latest activity first, with their read state. */
export async function contactConversations(db: Db, agent: SessionAgent, id: string): Promise<Conversation[]> {
  await visibleContactRow(db, agent, id)
  let q = db.selectFrom('conversations')
    .leftJoin('conversation_reads as r', join => join.onRef('r.conversation_id', '=', 'conversations.id').on('r.agent_id', '=', agent.id))
    .selectAll('conversations')
    .select(['r.read_inbound_count', 'r.marked_unread'])
    .where('conversations.workspace_id', '=', agent.workspace_id)
    .where('conversations.contact_id', '=', id)
  const visible = conversationVisibility(agent)
  if (visible)
    q = q.where(visible)
  const rows = await q.orderBy(activity, 'desc').orderBy('conversations.id', 'desc').execute()
  return await withContacts(db, agent.workspace_id, rows)
}

/** Digits of a typed phone number, refused (naming `field`) unless it can be a WhatsApp number. */
function phoneDigits(value: string, field = 'phone'): string {
  const digits = digitsOf(value)
  if (digits.length < PHONE_DIGITS.min || digits.length > PHONE_DIGITS.max)
    throw new AppError(400, 'invalid_request', `${field}: give the number in international format with the country code (${PHONE_DIGITS.min}–${PHONE_DIGITS.max} digits)`, { field })
  return digits
}

function flag(value: boolean): number {
  return value
    ? 1
    : 0
}

/** Applies an edit; only what differs is written. Search columns follow names, email and phone. */
export async function updateContact(app: App, agent: SessionAgent, id: string, patch: UpdateContact): Promise<Contact> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await visibleContactRow(trx, agent, id, { lock: true })
    const set: Partial<Pick<ContactsTable, 'name' | 'email' | 'phone' | 'language'>> & { custom_fields?: string, ai_bot?: number, reply_bot?: number, blocked?: number } = {}
    if (patch.name !== undefined && patch.name !== row.name)
      set.name = patch.name
    if (patch.email !== undefined && patch.email !== row.email)
      set.email = patch.email
    if (patch.phone !== undefined) {
      const phone = patch.phone === null
        ? null
        : phoneDigits(patch.phone)
      if (phone !== row.phone)
        set.phone = phone
    }
    if (patch.language !== undefined && patch.language !== row.language)
      set.language = patch.language
    if (patch.customFields !== undefined) {
      const fields = JSON.stringify(Object.fromEntries(Object.entries(patch.customFields).filter(([, value]) => value !== '')))
      if (fields !== row.custom_fields)
        set.custom_fields = fields
    }
    if (patch.aiBot !== undefined && flag(patch.aiBot) !== row.ai_bot)
      set.ai_bot = flag(patch.aiBot)
    if (patch.replyBot !== undefined && flag(patch.replyBot) !== row.reply_bot)
      set.reply_bot = flag(patch.replyBot)
    if (patch.blocked !== undefined && flag(patch.blocked) !== row.blocked)
      set.blocked = flag(patch.blocked)
    if (Object.keys(set).length === 0)
      return
    await trx.updateTable('contacts').set({
      ...set,
      ...searchColumns({
        ...row,
        ...set,
      }),
      updated_at: now,
    }).where('id', '=', id).execute()
    changes.add(agent.workspace_id, { kind: 'contact', id, contactId: id })
    if (set.ai_bot === 1) {
      // Turning the AI Bot on again puts it back in charge of chats it had handed over.
      const handedOver = await trx.updateTable('conversations').set({ bot_handover_at: null, bot_handover_reason: null, updated_at: now }).where('workspace_id', '=', agent.workspace_id).where('contact_id', '=', id).where('bot_handover_at', 'is not', null).returning('id').execute()
      for (const c of handedOver)
        changes.conversation(agent.workspace_id, c.id, id)
    }
  })
  app.publish(committed)
  return (await loadContact(app.db, agent.workspace_id, id))!
}

/**
 * A contact from a phone number (its WhatsApp id is the number's digits) with an empty open
 * conversation on the given number or the workspace's first, so an agent can send it a template.
 * A restricted agent gets the conversation assigned, or they could not see what they created.
 */
export async function createContact(app: App, agent: SessionAgent, body: CreateContact): Promise<{ contact: Contact, conversation: Conversation }> {
  const waId = phoneDigits(body.phone)
  const ws = agent.workspace_id
  const { value, committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const exists = async () => await trx.selectFrom('contacts').select('id').where('workspace_id', '=', ws).where(eb => eb.or([
      eb('wa_id', '=', waId),
      eb('phone', '=', waId),
    ])).orderBy('created_at').limit(1).executeTakeFirst()
    const conflict = (contactId: string) => new AppError(409, 'contact_exists', 'phone: a contact with this number exists', {
      field: 'phone',
      details: { contactId },
    })
    const existing = await exists()
    if (existing) {
      // A restricted agent learns the number is taken, but not which contact has it unless they may see it.
      if (isRestricted(agent)) {
        const own = await trx.selectFrom('conversations').select(['assignee_id', 'team_id']).where('contact_id', '=', existing.id).execute()
        if (!own.some(c => canSeeConversation(agent, c)))
          throw new AppError(409, 'contact_exists', 'phone: a contact with this number exists', { field: 'phone' })
      }
      throw conflict(existing.id)
    }
    let channel = trx.selectFrom('channels').select('id').where('workspace_id', '=', ws)
    if (body.channelId)
      channel = channel.where('id', '=', body.channelId)
    const channelRow = await channel.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst()
    if (!channelRow && body.channelId)
      throw new AppError(404, 'not_found', 'channelId: no such channel', { field: 'channelId' })
    if (!channelRow)
      throw new AppError(422, 'channel_not_configured', 'this workspace has no WhatsApp number yet')
    const name = body.name ?? null
    const contactId = newId()
    const inserted = await trx.insertInto('contacts').values({
      id: contactId,
      workspace_id: ws,
      wa_id: waId,
      user_id: null,
      username: null,
      profile_name: null,
      name,
      created_at: now,
      updated_at: now,
      ...searchColumns({ name, wa_id: waId }),
    }).onConflict(oc => oc.doNothing()).returning('id').executeTakeFirst()
    if (!inserted) {
      // The customer wrote in (or a teammate added them) a moment ago.
      throw conflict((await exists())?.id ?? contactId)
    }
    const assignee = isRestricted(agent)
      ? agent.id
      : null
    const conversation = newConversationRow({
      workspaceId: ws,
      channelId: channelRow.id,
      contactId,
      now,
      assigneeId: assignee,
    })
    const conversationId = conversation.id
    await trx.insertInto('conversations').values(conversation).execute()
    if (assignee) {
      await trx.insertInto('conversation_events').values({
        id: newId(),
        workspace_id: ws,
        conversation_id: conversationId,
        kind: 'assigned',
        actor_id: agent.id,
        from_value: null,
        to_value: assignee,
        created_at: now,
      }).execute()
    }
    changes.add(ws, { kind: 'contact', id: contactId, contactId })
    changes.conversation(ws, conversationId, contactId)
    return { contactId, conversationId }
  })
  app.publish(committed)
  return {
    contact: (await loadContact(app.db, ws, value.contactId))!,
    conversation: (await loadConversation(app.db, { ...agent, restricted: false }, value.conversationId))!,
  }
}

/** Labels a contact with an existing label (by id) or one by name, created on the fly when new. Twice is a no-op. */
export async function addContactLabel(app: App, agent: SessionAgent, contactId: string, body: AddContactLabel): Promise<Contact> {
  if (!body.labelId && body.name === undefined)
    throw new AppError(400, 'invalid_request', 'labelId: give a label id or a name', { field: 'labelId' })
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    await visibleContactRow(trx, agent, contactId, { lock: true })
    let labelId: string
    if (body.labelId) {
      const label = await trx.selectFrom('labels').select('id').where('workspace_id', '=', ws).where('id', '=', body.labelId).executeTakeFirst()
      if (!label)
        throw new AppError(404, 'not_found', 'labelId: no such label', { field: 'labelId' })
      labelId = label.id
    }
    else {
      labelId = (await findOrCreateLabel(trx, agent, { name: body.name!, color: body.color }, changes, now)).id
    }
    const inserted = await trx.insertInto('contact_labels').values({
      contact_id: contactId,
      label_id: labelId,
      workspace_id: ws,
      created_by: agent.id,
      created_at: now,
    }).onConflict(oc => oc.columns(['contact_id', 'label_id']).doNothing()).returning('contact_id').executeTakeFirst()
    if (inserted) {
      await trx.updateTable('contacts').set({ updated_at: now }).where('id', '=', contactId).execute()
      changes.add(ws, { kind: 'contact', id: contactId, contactId })
    }
  })
  app.publish(committed)
  return (await loadContact(app.db, ws, contactId))!
}

/** Takes a label off a contact; a label the contact does not have is a no-op (an unknown label is 404). */
export async function removeContactLabel(app: App, agent: SessionAgent, contactId: string, labelId: string): Promise<Contact> {
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    await visibleContactRow(trx, agent, contactId, { lock: true })
    const label = await trx.selectFrom('labels').select('id').where('workspace_id', '=', ws).where('id', '=', labelId).executeTakeFirst()
    if (!label)
      throw notFound('label')
    const removed = await trx.deleteFrom('contact_labels').where('contact_id', '=', contactId).where('label_id', '=', labelId).returning('contact_id').executeTakeFirst()
    if (removed) {
      await trx.updateTable('contacts').set({ updated_at: now }).where('id', '=', contactId).execute()
      changes.add(ws, { kind: 'contact', id: contactId, contactId })
    }
  })
  app.publish(committed)
  return (await loadContact(app.db, ws, contactId))!
}

export const contactMutations: MutationHandlers = {
  'contact.update': async ({ app, agent }, args) => await updateContact(app, agent, args.contactId, args.patch),
  'contact.addLabel': async ({ app, agent }, args) => await addContactLabel(app, agent, args.contactId, { labelId: args.labelId, name: args.name, color: args.color }),
  'contact.removeLabel': async ({ app, agent }, args) => await removeContactLabel(app, agent, args.contactId, args.labelId),
  'label.create': async ({ app, agent }, args) => (await createLabel(app, agent, args)).label,
  'label.update': async ({ app, agent }, args) => await updateLabel(app, agent, args.labelId, args.patch),
  'note.create': async ({ app, agent }, args) => (await createNote(app, agent, args.contactId, { id: args.id, body: args.body, mentions: args.mentions })).note,
  'note.update': async ({ app, agent }, args) => await updateNote(app, agent, args.noteId, { body: args.body, mentions: args.mentions }),
  'note.delete': async ({ app, agent }, args) => {
    await deleteNote(app, agent, args.noteId)
  },
  'notification.read': async ({ app, agent }, args) => await readNotification(app, agent, args.notificationId),
}
