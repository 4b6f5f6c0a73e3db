/**
 * Every change an agent makes from a page goes through here: an outbox row for the server (pushed
 * by the background) and the same change applied to the local tables at once, in one Dexie
 * transaction. So the action shows immediately, works offline, survives a browser restart, and
 * lands once (the server applies a mutation id once). The sync that follows brings the server's
 * version of the entity.
 */
import type { AppDB, Contact, Message, Note, OutboxEntry, StoredConversation } from '../db'
import type { UpdateContact } from '~/protocol/contacts'
import type { ConversationStatus } from '~/protocol/conversations'
import type { SendMessage } from '~/protocol/messages'
import type { MutationArgs, MutationType } from '~/protocol/sync'
import type { Availability } from '~/protocol/team'
import { db as defaultDb } from '../db'
import { enqueue } from '../db/outbox'
import { requestSync } from '../sync/request'

export interface ActionContext {
  db: AppDB
  /** the signed-in agent */
  agentId: string
  /** asks the background to push now (default: a runtime message) */
  notify?: () => void
  now?: () => number
}

function contextOf(context: Partial<ActionContext> & { agentId: string }): Required<ActionContext> {
  return {
    db: context.db ?? defaultDb,
    agentId: context.agentId,
    notify: context.notify ?? requestSync,
    now: context.now ?? Date.now,
  }
}

async function queue<T extends MutationType>(ctx: Required<ActionContext>, type: T, args: MutationArgs<T>, apply?: () => Promise<unknown>, id?: string): Promise<OutboxEntry<T>> {
  const row = await enqueue(ctx.db, type, args, { apply, id })
  ctx.notify()
  return row
}

export function createActions(context: Partial<ActionContext> & { agentId: string }) {
  const ctx = contextOf(context)
  const { db } = ctx

  async function patchConversation(id: string, patch: Partial<StoredConversation>): Promise<void> {
    await db.conversations.update(id, {
      ...patch,
      updatedAt: ctx.now(),
    })
  }

  async function patchContact(id: string, patch: Partial<Contact>): Promise<void> {
    await db.contacts.update(id, {
      ...patch,
      updatedAt: ctx.now(),
    })
  }

  return {
    /** assign to an agent (null unassigns) */
    assign: (conversationId: string, assigneeId: string | null) =>
      queue(ctx, 'conversation.assign', { conversationId, assigneeId }, () =>
        patchConversation(conversationId, {
          assigneeId,
          assignedAt: assigneeId
            ? ctx.now()
            : null,
        })),

    setTeam: (conversationId: string, teamId: string | null) =>
      queue(ctx, 'conversation.setTeam', { conversationId, teamId }, () => patchConversation(conversationId, { teamId })),

    /** open, close, or snooze (until a time; null = until the customer writes) */
    setStatus: (conversationId: string, status: ConversationStatus, snoozedUntil: number | null = null) =>
      queue(ctx, 'conversation.setStatus', status === 'snoozed'
        ? { conversationId, status, snoozedUntil }
        : { conversationId, status }, () => patchConversation(conversationId, {
        status,
        snoozedUntil: status === 'snoozed'
          ? snoozedUntil
          : null,
        statusChangedAt: ctx.now(),
      })),

    markRead: (conversationId: string) =>
      queue(ctx, 'conversation.markRead', { conversationId }, () =>
        patchConversation(conversationId, { unreadCount: 0, markedUnread: false })),

    markUnread: (conversationId: string) =>
      queue(ctx, 'conversation.markUnread', { conversationId }, () =>
        patchConversation(conversationId, { markedUnread: true })),

    /**
     * Sends a message. The local copy (id = clientId, status `pending`) shows at once; the
     * server's message replaces it when it arrives. `preview` is the local copy's content.
     */
    send: (conversationId: string, message: SendMessage, content: Record<string, unknown> = {}) =>
      queue(ctx, 'message.send', { conversationId, message }, async () => {
        const now = ctx.now()
        const replyTo = 'replyTo' in message && message.replyTo
          ? await db.messages.get(message.replyTo)
          : undefined
        const local: Message = {
          id: message.clientId,
          conversationId,
          wamid: null,
          clientId: message.clientId,
          direction: 'out',
          type: message.type,
          status: 'pending',
          error: null,
          content: localContent(message, content),
          context: replyTo
            ? { id: replyTo.wamid ?? replyTo.id, messageId: replyTo.id }
            : null,
          referral: null,
          reaction: null,
          timestamp: now,
          createdAt: now,
          sentAt: null,
          deliveredAt: null,
          readAt: null,
          senderId: ctx.agentId,
        }
        if (message.type === 'reaction')
          return
        await db.messages.put(local)
        const preview = typeof local.content.body === 'string'
          ? local.content.body
          : typeof local.content.caption === 'string'
            ? local.content.caption
            : ''
        await patchConversation(conversationId, {
          lastMessageAt: now,
          listAt: now,
          lastMessagePreview: preview,
          lastMessageDirection: 'out',
          lastMessageType: message.type,
        })
      }),

    updateContact: (contactId: string, patch: UpdateContact) =>
      queue(ctx, 'contact.update', { contactId, patch }, () => patchContact(contactId, patch as Partial<Contact>)),

    /** an existing label by id */
    addLabel: (contactId: string, labelId: string) =>
      queue(ctx, 'contact.addLabel', { contactId, labelId }, async () => {
        const contact = await db.contacts.get(contactId)
        if (contact && !contact.labelIds.includes(labelId)) {
          await patchContact(contactId, {
            labelIds: [...contact.labelIds, labelId],
          })
        }
      }),

    /**
     * A label by name: an existing one (ignoring case) is added by id; a new one is created with
     * a client id first, so it shows at once and the server keeps that id.
     */
    addLabelByName: async (contactId: string, name: string) => {
      const wanted = name.trim()
      const existing = (await db.labels.toArray()).find(label => label.name.toLocaleLowerCase() === wanted.toLocaleLowerCase())
      if (existing) {
        return await queue(ctx, 'contact.addLabel', { contactId, labelId: existing.id }, async () => {
          const contact = await db.contacts.get(contactId)
          if (contact && !contact.labelIds.includes(existing.id)) {
            await patchContact(contactId, {
              labelIds: [...contact.labelIds, existing.id],
            })
          }
        })
      }
      const labelId = crypto.randomUUID()
      const now = ctx.now()
      await queue(ctx, 'label.create', { id: labelId, name: wanted }, async () => {
        await db.labels.put({
          id: labelId,
          name: wanted,
          color: 'gray',
          createdAt: now,
          updatedAt: now,
        } as never)
      })
      return await queue(ctx, 'contact.addLabel', { contactId, labelId }, async () => {
        const contact = await db.contacts.get(contactId)
        if (contact && !contact.labelIds.includes(labelId)) {
          await patchContact(contactId, {
            labelIds: [...contact.labelIds, labelId],
          })
        }
      })
    },

    removeLabel: (contactId: string, labelId: string) =>
      queue(ctx, 'contact.removeLabel', { contactId, labelId }, async () => {
        const contact = await db.contacts.get(contactId)
        if (contact) {
          await patchContact(contactId, {
            labelIds: contact.labelIds.filter(id => id !== labelId),
          })
        }
      }),

    /** a new note; its id is chosen here so a resend never makes a second one */
    createNote: (contactId: string, body: string, mentions: string[] = []) => {
      const id = crypto.randomUUID()
      const now = ctx.now()
      return queue(ctx, 'note.create', { contactId, id, body, mentions }, async () => {
        const note: Note = {
          id,
          contactId,
          authorId: ctx.agentId,
          body,
          mentions,
          createdAt: now,
          updatedAt: now,
        }
        await db.notes.put(note)
      })
    },

    updateNote: (noteId: string, body: string, mentions: string[] = []) =>
      queue(ctx, 'note.update', { noteId, body, mentions }, async () => {
        await db.notes.update(noteId, {
          body,
          mentions,
          updatedAt: ctx.now(),
        })
      }),

    deleteNote: (noteId: string) =>
      queue(ctx, 'note.delete', { noteId }, async () => {
        await db.notes.delete(noteId)
      }),

    readNotification: (notificationId: string) =>
      queue(ctx, 'notification.read', { notificationId }, async () => {
        await db.notifications.update(notificationId, {
          readAt: ctx.now(),
        })
      }),

    setAvailability: (availability: Availability) =>
      queue(ctx, 'agent.setAvailability', { availability }, async () => {
        await db.agents.update(ctx.agentId, { availability } as never)
      }),
  }
}

export type Actions = ReturnType<typeof createActions>

/** The local copy's `content`, shaped like the server's for the same type (docs/api.md, "Message `content` by type"). */
function localContent(message: SendMessage, extra: Record<string, unknown>): Record<string, unknown> {
  switch (message.type) {
    case 'text':
      return { body: message.text, ...extra }
    case 'template':
      return { name: message.template.name, language: message.template.language, ...extra }
    case 'reaction':
      return { messageId: message.messageId, emoji: message.emoji }
    default:
      return {
        mediaId: message.mediaId,
        ...(message.caption
          ? { caption: message.caption }
          : {}),
        ...extra,
      }
  }
}
