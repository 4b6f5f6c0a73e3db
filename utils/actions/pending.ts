/**
 * Whether a change is still on its way: the outbox rows of one entity (a conversation, a contact,
 * a note …), queued or failed, with the server's error, summed up; and retrying or dismissing a
 * failed row.
 */
import type { MutationType } from '~/protocol/sync'
import type { AppDB, OutboxEntry, OutboxError } from '~/utils/db'
import { discardAndRevert } from '~/utils/actions/revert'
import { db as defaultDb } from '~/utils/db'
import { discardOutboxEntry, retryOutboxEntry } from '~/utils/db/outbox'
import { requestSync } from '~/utils/sync/request'

export type PendingState = 'queued' | 'failed'

/** The outbox rows of one entity, summed up: failed wins over queued (the user must act on it). */
export interface PendingStatus {
  state: PendingState
  /** the newest failed row's error; null while only queued */
  error: OutboxError | null
  /** the matching rows, oldest first */
  rows: OutboxEntry[]
}

export type OutboxMatcher = (row: OutboxEntry) => boolean

/** The value of a mutation argument (`conversationId`, `contactId`, `noteId`, `id` …), if it is a string. */
export function outboxArg(row: OutboxEntry, key: string): string | undefined {
  const value = (row.args as Record<string, unknown>)[key]
  return typeof value === 'string'
    ? value
    : undefined
}

/** Rows of the given types whose argument `key` is `id`. */
export function matchOutbox(types: readonly MutationType[], key: string, id: string): OutboxMatcher {
  return row => types.includes(row.type) && outboxArg(row, key) === id
}

/** A note's rows: its creation (`id`), edits and deletion (`noteId`). */
export function matchNoteOutbox(noteId: string): OutboxMatcher {
  return row => (row.type === 'note.create' && outboxArg(row, 'id') === noteId)
    || ((row.type === 'note.update' || row.type === 'note.delete') && outboxArg(row, 'noteId') === noteId)
}

/** A contact's `contact.update` rows that touch one of `fields` of the patch. */
export function matchContactUpdate(contactId: string, fields: readonly string[]): OutboxMatcher {
  return (row) => {
    if (row.type !== 'contact.update' || outboxArg(row, 'contactId') !== contactId)
      return false
    const patch = (row.args as { patch?: Record<string, unknown> }).patch ?? {}
    return Object.keys(patch).some(key => fields.includes(key))
  }
}

/** Sums up the matching rows; null when there are none (everything was sent). */
export function pendingStatusOf(rows: readonly OutboxEntry[], match: OutboxMatcher): PendingStatus | null {
  const matching = rows.filter(match)
  if (matching.length === 0)
    return null
  const failed = matching.filter(row => row.state === 'failed')
  const last = failed.at(-1)
  return {
    state: last
      ? 'failed'
      : 'queued',
    error: last?.error ?? (last
      ? { code: 'internal_error', message: '' }
      : null),
    rows: matching,
  }
}

/** Puts the failed rows of a status back in the queue. */
export async function retryPending(status: PendingStatus | null, db: AppDB = defaultDb, notify: () => void = requestSync): Promise<void> {
  for (const row of status?.rows ?? []) {
    if (row.state === 'failed')
      await retryOutboxEntry(db, row.seq)
  }
  notify()
}

/**
 * The user gave up on the failed rows of a status: they go, and so does their local change
 * (`discardAndRevert`). Then the background is asked to pull.
 */
export async function giveUpPending(status: PendingStatus | null, db: AppDB = defaultDb): Promise<void> {
  for (const row of status?.rows ?? []) {
    if (row.state === 'failed')
      await discardAndRevert(db, row)
  }
}

/** Drops the failed rows of a status (before the same thing is changed again). */
export async function discardPending(status: PendingStatus | null, db: AppDB = defaultDb): Promise<void> {
  for (const row of status?.rows ?? []) {
    if (row.state === 'failed')
      await discardOutboxEntry(db, row.seq)
  }
}
