/** Pushing the outbox through `POST /api/mutations`, in order, and settling each row. */
import type { ApiClient } from '../api/client'
import type { AppDB, Message, OutboxEntry, StoredConversation, SyncTableName } from '../db'
import type { StatusStore } from './status'
import type { MutationBatchResult, MutationResult, MutationType } from '~/protocol/sync'
import { LIMITS } from '~/protocol/team'
import { isApiError } from '../api/client'
import { queuedOutbox } from '../db/outbox'
import { replaceLocalMessages, withListAt } from './apply'

/** Error codes after which resending the same mutation can succeed. */
const TRANSIENT_CODES = new Set([
  'offline',
  'mutation_in_progress',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  'unexpected_response',
])

/** Which table a mutation's `result` entity belongs in. */
function resultTable(type: MutationType): SyncTableName | null {
  if (type.startsWith('conversation.'))
    return 'conversations'
  if (type === 'message.send')
    return 'messages'
  if (type.startsWith('contact.'))
    return 'contacts'
  if (type.startsWith('label.'))
    return 'labels'
  if (type === 'note.create' || type === 'note.update')
    return 'notes'
  if (type === 'notification.read')
    return 'notifications'
  if (type === 'agent.setAvailability')
    return 'agents'
  return null
}

export interface PusherOptions {
  db: AppDB
  api: ApiClient
  status: StatusStore
  retry: {
    /** schedules another push after a failure (with backoff; nothing once stopped) */
    schedule: (retry: () => void) => void
    /** a push went through: the next failure waits the shortest delay again */
    reset: () => void
  }
}

/**
 * Answers `push`: pushes the queued outbox rows in order, one push at a time, and answers how many
 * rows were settled (sent or failed). A failed push is retried later, unless unauthorized.
 */
export function createPusher(options: PusherOptions): () => Promise<number> {
  let pushing: Promise<number> | null = null
  function push(): Promise<number> {
    pushing ??= pushAll(options.db, options.api).then((settled) => {
      options.retry.reset()
      return settled
    }, (error: unknown) => {
      if (isApiError(error, 'unauthorized'))
        options.status.failed(error)
      else if (isApiError(error, 'offline'))
        options.status.failed(error)
      if (!isApiError(error, 'unauthorized'))
        options.retry.schedule(() => push().catch(() => {}))
      throw error
    }).finally(() => {
      pushing = null
    })
    return pushing
  }
  return push
}

async function pushAll(db: AppDB, api: ApiClient): Promise<number> {
  // Rows left `sending` by an interrupted push go again: the server answers a known id with
  // its first result, without applying it twice.
  await db.outbox.where('state').equals('sending').modify({ state: 'queued' })
  let settled = 0
  for (;;) {
    const rows = await queuedOutbox(db, LIMITS.mutations)
    if (rows.length === 0)
      break
    const seqs = rows.map(row => row.seq)
    await db.outbox.where('seq').anyOf(seqs).modify({ state: 'sending' })
    let answer: MutationBatchResult
    try {
      answer = await api.post<MutationBatchResult>('/api/mutations', {
        mutations: rows.map(row => ({ id: row.id, type: row.type, args: row.args })),
      })
    }
    catch (error) {
      await db.outbox.where('seq').anyOf(seqs).modify({ state: 'queued' })
      throw error
    }
    const batch = await settleRows(db, rows, answer)
    settled += batch.settled
    if (batch.transient)
      throw new Error('the server could not apply every mutation yet')
  }
  return settled
}

/** Applies the server's answer to the rows sent, in one transaction. */
async function settleRows(db: AppDB, rows: OutboxEntry[], answer: MutationBatchResult): Promise<{ settled: number, transient: boolean }> {
  const byId = new Map(answer.results.map(result => [result.id, result]))
  let settled = 0
  let transient = false
  await db.transaction('rw', [
    db.outbox,
    db.conversations,
    db.messages,
    db.contacts,
    db.labels,
    db.notes,
    db.notifications,
    db.agents,
  ], async () => {
    for (const row of rows) {
      const result = byId.get(row.id)
      if (!result || (!result.ok && TRANSIENT_CODES.has(result.error.code))) {
        transient = true
        await db.outbox.update(row.seq, { state: 'queued' })
        continue
      }
      settled++
      await settleRow(db, row, result)
    }
  })
  return { settled, transient }
}

async function settleRow(db: AppDB, row: OutboxEntry, result: MutationResult): Promise<void> {
  if (!result.ok) {
    const { code, message, field } = result.error
    await db.outbox.update(row.seq, {
      state: 'failed',
      error: field === undefined
        ? { code, message }
        : { code, message, field },
    })
    return
  }
  await db.outbox.delete(row.seq)
  const table = resultTable(row.type)
  const entity = result.result as { id?: unknown } | undefined
  if (table && entity && typeof entity === 'object' && typeof entity.id === 'string') {
    await db.table(table).put(table === 'conversations'
      ? withListAt(entity as StoredConversation)
      : entity)
    if (table === 'messages')
      await replaceLocalMessages(db, [entity as Message])
  }
  else if (row.type === 'note.delete') {
    await db.notes.delete((row.args as { noteId: string }).noteId)
  }
}
