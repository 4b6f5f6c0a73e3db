/**
 * The server's history of a conversation as this session knows it: the cursor for the next older
 * page (in memory only), and storing a fetched page in Dexie.
 */
import type { ApiErrorCode } from '~/utils/api/client'
import type { AppDB, Message } from '~/utils/db'
import { isApiError } from '~/utils/api/client'
import { replaceLocalMessages } from '~/utils/sync/apply'

/** Where the server's history stands for a conversation this session (in memory only). */
export interface HistoryCursor {
  /** `before` for the next older page; null: the server has nothing older */
  nextCursor: string | null
}

export const historyCursors = new Map<string, HistoryCursor>()

/** Forgets every conversation's server cursor (tests; a sign-out). */
export function resetMessageHistory(): void {
  historyCursors.clear()
}

const STATUS_RANK: Record<Message['status'], number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: 5,
}

/**
 * Stores a page of history. A stored message further along than the page's copy is kept (a
 * status synced while the page was on its way must not go back). Local copies the page's
 * messages replace (same `clientId`) go.
 */
export async function storeMessagePage(db: AppDB, items: readonly Message[]): Promise<void> {
  if (items.length === 0)
    return
  await db.transaction('rw', db.messages, async () => {
    const stored = await db.messages.bulkGet(items.map(message => message.id))
    const fresh = items.filter((message, index) => {
      const old = stored[index]
      return !old || STATUS_RANK[message.status] >= STATUS_RANK[old.status]
    })
    if (fresh.length > 0)
      await db.messages.bulkPut(fresh)
    await replaceLocalMessages(db, items)
  })
}

export type MessagesError = ApiErrorCode | 'unknown'

/** A failed history request as the list shows it (unexpected ones are logged). */
export function historyError(err: unknown): MessagesError {
  if (isApiError(err))
    return err.code
  console.error('[wa-inbox] message history failed', err)
  return 'unknown'
}

/**
 * Whether there is more above the window: stored messages outside it, else what the server's
 * cursor says (no cursor yet: anything stored may have older history).
 */
export function hasOlderMessages(shown: { total: number, messages: readonly unknown[] }, cursor: HistoryCursor | undefined): boolean {
  if (shown.total > shown.messages.length)
    return true
  return cursor === undefined
    ? shown.total > 0
    : cursor.nextCursor !== null
}
