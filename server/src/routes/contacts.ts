/**
 * `/api/contacts`: contacts with their labels, notes and conversations. Every query is scoped to
 * the caller's workspace: another workspace's ids answer 404, and so do contacts a restricted
 * agent may not see.
 */
import type { Api } from './schemas.ts'
import Type from 'typebox'
import { IdSchema } from '../../../protocol/common.ts'
import { AddContactLabelSchema, ContactPageSchema, ContactSchema, CreateContactSchema, CreateNoteSchema, ListContactsQuerySchema, NoteListSchema, NoteSchema, UpdateContactSchema } from '../../../protocol/contacts.ts'
import { ConversationSchema } from '../../../protocol/conversations.ts'
import { addContactLabel, contactConversations, createContact, getContact, listContacts, removeContactLabel, updateContact } from '../services/contacts.ts'
import { createNote, listNotes } from '../services/notes.ts'
import { ErrorResponseSchema, errors, IdParams } from './schemas.ts'

/** `POST /api/contacts` answers the new contact and its (empty, open) conversation. */
const CreatedContactSchema = Type.Object({
  contact: ContactSchema,
  conversation: ConversationSchema,
})

export async function contactRoutes(app: Api) {
  app.get('/api/contacts', {
    schema: {
      querystring: ListContactsQuerySchema,
      response: { 200: ContactPageSchema, ...errors },
    },
  }, async request => await listContacts(app.db, request.agent, request.query))

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
  }, async (request, reply) => reply.code(201).send(await createContact(app, request.agent, request.body)))

  app.get('/api/contacts/:id', {
    schema: {
      params: IdParams,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await getContact(app.db, request.agent, request.params.id))

  app.patch('/api/contacts/:id', {
    schema: {
      params: IdParams,
      body: UpdateContactSchema,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await updateContact(app, request.agent, request.params.id, request.body))

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
  }, async request => ({ items: await contactConversations(app.db, request.agent, request.params.id) }))

  app.post('/api/contacts/:id/labels', {
    schema: {
      params: IdParams,
      body: AddContactLabelSchema,
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await addContactLabel(app, request.agent, request.params.id, request.body))

  app.delete('/api/contacts/:id/labels/:labelId', {
    schema: {
      params: Type.Object({ id: IdSchema, labelId: IdSchema }),
      response: { 200: ContactSchema, ...errors },
    },
  }, async request => await removeContactLabel(app, request.agent, request.params.id, request.params.labelId))

  app.get('/api/contacts/:id/notes', {
    schema: {
      params: IdParams,
      response: { 200: NoteListSchema, ...errors },
    },
  }, async request => ({ items: await listNotes(app.db, request.agent, request.params.id) }))

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
    const { note, created } = await createNote(app, request.agent, request.params.id, request.body)
    return reply.code(created ? 201 : 200).send(note)
  })
}
