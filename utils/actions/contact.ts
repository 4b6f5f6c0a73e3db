import type { Contact } from '../db'
/** Actions on a contact: its fields and its labels. */
import type { ResolvedContext } from './context'
import type { UpdateContact } from '~/protocol/contacts'
import { patchContact, queue } from './context'

export function contactActions(ctx: ResolvedContext) {
  return {
    updateContact: (contactId: string, patch: UpdateContact) =>
      queue(ctx, 'contact.update', { contactId, patch }, () => patchContact(ctx, contactId, patch as Partial<Contact>)),

    /** an existing label by id */
    addLabel: (contactId: string, labelId: string) => queueAddLabel(ctx, contactId, labelId),

    /**
     * A label by name: an existing one (ignoring case) is added by id; a new one is created with
     * a client id first, so it shows at once and the server keeps that id.
     */
    addLabelByName: (contactId: string, name: string) => addLabelByName(ctx, contactId, name),

    removeLabel: (contactId: string, labelId: string) =>
      queue(ctx, 'contact.removeLabel', { contactId, labelId }, async () => {
        const contact = await ctx.db.contacts.get(contactId)
        if (contact) {
          await patchContact(ctx, contactId, {
            labelIds: contact.labelIds.filter(id => id !== labelId),
          })
        }
      }),
  }
}

function queueAddLabel(ctx: ResolvedContext, contactId: string, labelId: string) {
  return queue(ctx, 'contact.addLabel', { contactId, labelId }, async () => {
    const contact = await ctx.db.contacts.get(contactId)
    if (contact && !contact.labelIds.includes(labelId)) {
      await patchContact(ctx, contactId, {
        labelIds: [...contact.labelIds, labelId],
      })
    }
  })
}

async function addLabelByName(ctx: ResolvedContext, contactId: string, name: string) {
  const wanted = name.trim()
  const existing = (await ctx.db.labels.toArray()).find(label => label.name.toLocaleLowerCase() === wanted.toLocaleLowerCase())
  if (existing)
    return await queueAddLabel(ctx, contactId, existing.id)
  const labelId = crypto.randomUUID()
  const now = ctx.now()
  await queue(ctx, 'label.create', { id: labelId, name: wanted }, async () => {
    await ctx.db.labels.put({
      id: labelId,
      name: wanted,
      color: 'gray',
      createdAt: now,
      updatedAt: now,
    } as never)
  })
  return await queueAddLabel(ctx, contactId, labelId)
}
