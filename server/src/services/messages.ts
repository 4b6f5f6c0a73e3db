/** A conversation's message history, newest first, in pages. */
import type { Message } from '../../../protocol/messages.ts'
import type { Db } from '../storage/db.ts'
import type { SessionAgent } from './sessions.ts'
import { AppError } from '../errors.ts'
import { decodeCursor, encodeCursor, toMessage } from '../serialize.ts'
import { visibleConversationRow } from './conversations.ts'

/** `before`: the `nextCursor` of the previous page; 404 when the caller may not see the conversation. */
export async function listMessages(db: Db, agent: SessionAgent, conversationId: string, page: { before?: string, limit: number }): Promise<{ items: Message[], nextCursor: string | null }> {
  const { before, limit } = page
  await visibleConversationRow(db, agent, conversationId)
  const cursor = decodeCursor(before)
  if (before && !cursor)
    throw new AppError(400, 'invalid_request', 'before: not a cursor this server issued', { field: 'before' })
  let query = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit + 1)
  if (cursor) {
    query = query.where(eb => eb.or([
      eb('timestamp', '<', cursor[0]),
      eb.and([
        eb('timestamp', '=', cursor[0]),
        eb('id', '<', cursor[1]),
      ]),
    ]))
  }
  const rows = await query.execute()
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items: items.map(toMessage),
    nextCursor: rows.length > limit && last
      ? encodeCursor([last.timestamp, last.id])
      : null,
  }
}
