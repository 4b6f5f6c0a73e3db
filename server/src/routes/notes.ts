/** `/api/notes`: edit or delete a note (written under `/api/contacts/:id/notes`). Only its author or an admin may. */
import type { Api } from './schemas.ts'
import { NoteSchema, UpdateNoteSchema } from '../../../protocol/contacts.ts'
import { deleteNote, updateNote } from '../services/notes.ts'
import { errors, IdParams, noContent, NoContent } from './schemas.ts'

export async function noteRoutes(app: Api) {
  app.patch('/api/notes/:id', {
    schema: {
      params: IdParams,
      body: UpdateNoteSchema,
      response: { 200: NoteSchema, ...errors },
    },
  }, async request => await updateNote(app, request.agent, request.params.id, request.body))

  app.delete('/api/notes/:id', {
    schema: {
      params: IdParams,
      response: { 204: NoContent, ...errors },
    },
  }, async (request, reply) => {
    await deleteNote(app, request.agent, request.params.id)
    return noContent(reply)
  })
}
