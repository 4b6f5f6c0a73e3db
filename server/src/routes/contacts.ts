/**
 * Contacts (+ their labels, notes and conversations), labels, notifications and quick replies.
 * Every query is scoped to the caller's workspace: another workspace's ids answer 404, and so do
 * contacts a restricted agent may not see. Admin-only actions answer 403 `forbidden` to agents.
 */
import type { FastifyInstance } from 'fastify'
import type { AddContactLabel, CreateContact, CreateLabel, CreateNote, CreateQuickReply, ListContactsQuery, UpdateContact, UpdateLabel, UpdateNote, UpdateQuickReply } from '../../../protocol/contacts.ts'
import Type from 'typebox'
import { ErrorResponseSchema, IdSchema } from '../../../protocol/common.ts'
import { AddContactLabelSchema, ContactPageSchema, ContactSchema, CreateContactSchema, CreateLabelSchema, CreateNoteSchema, CreateQuickReplySchema, LabelListSchema, LabelSchema, ListContactsQuerySchema, NoteListSchema, NoteSchema, NotificationListSchema, NotificationSchema, QuickReplyListSchema, QuickReplySchema, UpdateContactSchema, UpdateLabelSchema, UpdateNoteSchema, UpdateQuickReplySchema } from '../../../protocol/contacts.ts'
import { ConversationSchema } from '../../../protocol/conversations.ts'
import { addContactLabel, contactConversations, createContact, getContact, listContacts, removeContactLabel, updateContact } from '../services/contacts.ts'
import { createLabel, deleteLabel, listLabels, updateLabel } from '../services/labels.ts'
import { createNote, deleteNote, listNotes, listNotifications, readNotification, updateNote } from '../services/notes.ts'
import { createQuickReply, deleteQuickReply, listQuickReplies, updateQuickReply } from '../services/quick-replies.ts'

const IdParams = Type.Object({ id: IdSchema })
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
}
const NoContent = Type.Null({ description: 'no content' })

/** `POST /api/contacts` answers the new contact and its (empty, open) conversation. */
const CreatedContactSchema = Type.Object({
  contact: ContactSchema,
  conversation: ConversationSchema,
})

export async function contactRoutes(app: FastifyInstance) {
  // Contacts

  app.get('/api/contacts', {
    schema: {
      querystring: ListContactsQuerySchema,
      response: { 200: ContactPageSchema, ...errors },
    },
  }, async request => await listContacts(app.db, request.agent!, request.query as ListContactsQuery))

  app.post('/api/contacts', {
    schema: {
      body: CreateContactSchema,
      response: {
        201: CreatedContactSchema,
        ...errors,
        409: ErrorResponseSchema,
        422: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => reply.code(201).send(await createContact(app, request.agent!, request.body as CreateContact)))

  app.get('/api/contacts/:id', {
    schema: {
      params: IdParams,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await getContact(app.db, request.agent!, (request.params as { id: string }).id))

  app.patch('/api/contacts/:id', {
    schema: {
      params: IdParams,
      body: UpdateContactSchema,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await updateContact(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateContact))

  app.get('/api/contacts/:id/conversations', {
    schema: {
      params: IdParams,
      response: {
        200: Type.Object({
          items: Type.Array(ConversationSchema),
        }),
        ...errors,
      },
    },
  }, async request => ({ items: await contactConversations(app.db, request.agent!, (request.params as { id: string }).id) }))

  app.post('/api/contacts/:id/labels', {
    schema: {
      params: IdParams,
      body: AddContactLabelSchema,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await addContactLabel(app, request.agent!, (request.params as { id: string }).id, request.body as AddContactLabel))

  app.delete('/api/contacts/:id/labels/:labelId', {
    schema: {
      params: Type.Object({ id: IdSchema, labelId: IdSchema }),
      response: { 200: ContactSchema, ...errors },
    },
  }, async (request) => {
    const { id, labelId } = request.params as { id: string, labelId: string }
    return await removeContactLabel(app, request.agent!, id, labelId)
  })

  // Notes and notifications

  app.get('/api/contacts/:id/notes', {
    schema: {
      params: IdParams,
      response: { 200: NoteListSchema, ...errors },
    },
  }, async request => ({ items: await listNotes(app.db, request.agent!, (request.params as { id: string }).id) }))

  app.post('/api/contacts/:id/notes', {
    schema: {
      params: IdParams,
      body: CreateNoteSchema,
      response: {
        200: NoteSchema,
        201: NoteSchema,
        ...errors,
        409: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { note, created } = await createNote(app, request.agent!, (request.params as { id: string }).id, request.body as CreateNote)
    return reply.code(created ? 201 : 200).send(note)
  })

  app.patch('/api/notes/:id', {
    schema: {
      params: IdParams,
      body: UpdateNoteSchema,
      response: { 200: NoteSchema, ...errors },
    },
  }, async request => await updateNote(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateNote))

  app.delete('/api/notes/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteNote(app, request.agent!, (request.params as { id: string }).id)
    return reply.code(204).send()
  })

  app.get('/api/notifications', {
    schema: {
      response: { 200: NotificationListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listNotifications(app.db, request.agent!) }))

  app.post('/api/notifications/:id/read', {
    schema: {
      params: IdParams,
      response: { 200: NotificationSchema, ...errors },
    },
  }, async request => await readNotification(app, request.agent!, (request.params as { id: string }).id))

  // Labels

  app.get('/api/labels', {
    schema: {
      response: { 200: LabelListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listLabels(app.db, request.agent!) }))

  app.post('/api/labels', {
    schema: {
      body: CreateLabelSchema,
      response: {
        200: LabelSchema,
        201: LabelSchema,
        ...errors,
        409: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { label, created } = await createLabel(app, request.agent!, request.body as CreateLabel)
    return reply.code(created ? 201 : 200).send(label)
  })

  app.patch('/api/labels/:id', {
    schema: {
      params: IdParams,
      body: UpdateLabelSchema,
      response: { 200: LabelSchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateLabel(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateLabel))

  app.delete('/api/labels/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteLabel(app, request.agent!, (request.params as { id: string }).id)
    return reply.code(204).send()
  })

  // Quick replies

  app.get('/api/quick-replies', {
    schema: {
      response: { 200: QuickReplyListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listQuickReplies(app.db, request.agent!) }))

  app.post('/api/quick-replies', {
    schema: {
      body: CreateQuickReplySchema,
      response: { 201: QuickReplySchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async (request, reply) => reply.code(201).send(await createQuickReply(app, request.agent!, request.body as CreateQuickReply)))

  app.patch('/api/quick-replies/:id', {
    schema: {
      params: IdParams,
      body: UpdateQuickReplySchema,
      response: { 200: QuickReplySchema, ...errors, 409: ErrorResponseSchema },
    },
  }, async request => await updateQuickReply(app, request.agent!, (request.params as { id: string }).id, request.body as UpdateQuickReply))

  app.delete('/api/quick-replies/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteQuickReply(app, request.agent!, (request.params as { id: string }).id)
    return reply.code(204).send()
  })
}
