import type { ContactPanel } from './contact-panel'
import type { Note } from '~/utils/db'
import { computed } from 'vue'
import { discardPending, matchNoteOutbox, outboxArg } from '~/utils/actions/pending'
import { noteMentions } from '~/utils/contacts/notes'

/** The contact's notes: each note's change on its way, failed ones of notes gone, and writing them. */
export function useContactNotes(panel: ContactPanel) {
  const notePending = computed(() => new Map(panel.notes.value.map(note => [
    note.id,
    panel.pendingOf(matchNoteOutbox(note.id)),
  ])))
  // A deleted note is gone locally, and `note.delete` does not name its contact: remember it here.
  const deletedNotes = new Map<string, string>()
  /** failed note rows whose note is not listed: a failed delete, or a failed create of a note gone meanwhile */
  const orphanNotePending = computed(() => {
    const id = panel.contactId.value
    const listed = new Set(panel.notes.value.map(note => note.id))
    return panel.pendingOf((row) => {
      if (row.state !== 'failed')
        return false
      if (row.type === 'note.create')
        return outboxArg(row, 'contactId') === id && !listed.has(outboxArg(row, 'id') ?? '')
      if (row.type === 'note.delete') {
        const noteId = outboxArg(row, 'noteId') ?? ''
        return !listed.has(noteId) && deletedNotes.get(noteId) === id
      }
      return false
    })
  })

  async function createNote(body: string): Promise<void> {
    const act = panel.actions.value
    const id = panel.contactId.value
    if (!act || !id)
      return
    await act.createNote(id, body, noteMentions(body, panel.agents.value))
  }

  async function updateNote(noteId: string, body: string): Promise<void> {
    const act = panel.actions.value
    if (!act)
      return
    await discardPending(notePending.value.get(noteId) ?? null, panel.db)
    await act.updateNote(noteId, body, noteMentions(body, panel.agents.value))
  }

  async function deleteNote(noteId: string): Promise<void> {
    const act = panel.actions.value
    const id = panel.contactId.value
    if (!act || !id)
      return
    deletedNotes.set(noteId, id)
    await act.deleteNote(noteId)
  }

  /** my own notes, or any note for an admin */
  function canEditNote(note: Note): boolean {
    return panel.meId.value !== null && (note.authorId === panel.meId.value || panel.isAdmin.value)
  }

  return {
    notePending,
    orphanNotePending,
    createNote,
    updateNote,
    deleteNote,
    canEditNote,
  }
}
