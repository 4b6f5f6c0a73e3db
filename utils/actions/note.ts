import type { Note } from '../db'
/** Actions on a contact's notes. */
import type { ResolvedContext } from './context'
import { queue } from './context'

export function noteActions(ctx: ResolvedContext) {
  return {
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
        await ctx.db.notes.put(note)
      })
    },

    updateNote: (noteId: string, body: string, mentions: string[] = []) =>
      queue(ctx, 'note.update', { noteId, body, mentions }, async () => {
        await ctx.db.notes.update(noteId, {
          body,
          mentions,
          updatedAt: ctx.now(),
        })
      }),

    deleteNote: (noteId: string) =>
      queue(ctx, 'note.delete', { noteId }, async () => {
        await ctx.db.notes.delete(noteId)
      }),
  }
}
