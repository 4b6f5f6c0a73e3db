import type { AppDB } from '~/utils/db'

/** Stores a conversation's draft; an empty one (no text, no reply) is deleted instead. */
export async function writeDraft(db: AppDB, id: string, value: string, reply: string | null): Promise<void> {
  if (value.trim() === '' && reply === null) {
    await db.drafts.delete(id)
  }
  else {
    await db.drafts.put({
      conversationId: id,
      text: value,
      replyToId: reply,
      updatedAt: Date.now(),
    })
  }
}
