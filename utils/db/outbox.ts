import type { AppDB } from './app-db'
import type { OutboxEntry } from './types'
import type { MutationArgs, MutationType } from '~/protocol/sync'
import Dexie from 'dexie'

/** The one way pages write: an outbox row, plus an optional optimistic change to the local tables. */
export interface EnqueueOptions {
  /** the mutation id (default: a random UUID); creates can reuse it as the entity's client id */
  id?: string
  /**
   * Applies the action locally, in the same transaction as the outbox row (so both or neither
   * are saved). It may only touch the synced tables listed in `tables`.
   */
  apply?: () => Promise<unknown> | unknown
  /** the tables `apply` writes (default: conversations, contacts, messages, labels, notes, notifications, agents) */
  tables?: Dexie.Table[]
}

/**
 * Queues an action for the server (`POST /api/mutations`); the background's sync engine pushes it.
 * Answers the outbox row.
 */
export async function enqueue<T extends MutationType>(db: AppDB, type: T, args: MutationArgs<T>, options: EnqueueOptions = {}): Promise<OutboxEntry<T>> {
  const row = {
    id: options.id ?? crypto.randomUUID(),
    type,
    args,
    createdAt: Date.now(),
    state: 'queued',
  } as Omit<OutboxEntry<T>, 'seq'>
  const tables = options.apply
    ? options.tables ?? [
      db.conversations,
      db.contacts,
      db.messages,
      db.labels,
      db.notes,
      db.notifications,
      db.agents,
    ]
    : []
  const seq = await db.transaction('rw', [db.outbox, ...tables], async () => {
    if (options.apply)
      await options.apply()
    return await db.outbox.add(row as unknown as Omit<OutboxEntry, 'seq'>)
  })
  return { ...row, seq } as OutboxEntry<T>
}

/** The rows still to push, oldest first. */
export async function queuedOutbox(db: AppDB, limit: number): Promise<OutboxEntry[]> {
  return await db.outbox.where('[state+seq]').between(['queued', Dexie.minKey], ['queued', Dexie.maxKey]).limit(limit).toArray()
}

/** Puts a failed row back in the queue (the UI's "retry"). */
export async function retryOutboxEntry(db: AppDB, seq: number): Promise<void> {
  await db.outbox.update(seq, { state: 'queued', error: undefined })
}

/** Drops a row the user gave up on (a failed one; the local optimistic change stays until the next pull). */
export async function discardOutboxEntry(db: AppDB, seq: number): Promise<void> {
  await db.outbox.delete(seq)
}
