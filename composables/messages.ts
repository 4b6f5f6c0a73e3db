/**
 * A conversation's message list: its history (message-history.ts: the newest messages observed
 * in Dexie, older pages fetched from the server and cached there) and the queued / failed sends
 * of the outbox for this conversation.
 */
import type { Ref } from 'vue'
import type { AppDB, Message } from '~/utils/db'
import type { SendOutboxEntry } from '~/utils/messages/rows'
import { computed } from 'vue'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { db as defaultDb } from '~/utils/db'
import { discardOutboxEntry, retryOutboxEntry } from '~/utils/db/outbox'
import { resendPreview, resendRequest } from '~/utils/messages/resend'
import { requestSync } from '~/utils/sync/request'
import { useMessageHistory } from './message-history'

export interface UseMessagesOptions {
  db?: AppDB
  /** asks the background to push the outbox (default: a runtime message) */
  notify?: () => void
}

/**
 * The history of one conversation (the ref may change: everything restarts for the new one)
 * and its sends. Everything ends with the calling scope.
 */
export function useMessages(conversationId: Ref<string>, options: UseMessagesOptions = {}) {
  const db = options.db ?? defaultDb
  const notify = options.notify ?? requestSync
  const sessionStore = useSessionStore()
  const history = useMessageHistory(conversationId, db)

  async function retryOutbox(entry: SendOutboxEntry): Promise<void> {
    await retryOutboxEntry(db, entry.seq)
    notify()
  }

  /** Gives up on a send the server refused: the outbox row and its local copy go together. */
  async function discardOutbox(entry: SendOutboxEntry): Promise<void> {
    await db.transaction('rw', db.outbox, db.messages, async () => {
      await discardOutboxEntry(db, entry.seq)
      await db.messages.delete(entry.args.message.clientId)
    })
  }

  /** Sends a failed message's content again as a new message. False when not possible. */
  async function sendAgain(message: Message): Promise<boolean> {
    await sessionStore.ready
    const agentId = sessionStore.session?.agent.id
    const request = resendRequest(message, crypto.randomUUID())
    if (!agentId || !request)
      return false
    await createActions({ db, agentId, notify }).send(message.conversationId, request, resendPreview(message))
    return true
  }

  return {
    rows: computed(() => history.rows.value),
    contactName: computed(() => history.snapshot.value?.contactName ?? null),
    total: computed(() => history.snapshot.value?.total ?? 0),
    /** nothing to show yet: the first local read, or the first page of an empty conversation */
    loading: history.loading,
    loadingOlder: history.loadingOlder,
    error: history.error,
    hasMore: history.hasMore,
    loadOlder: history.loadOlder,
    retry: history.retry,
    retryOutbox,
    discardOutbox,
    sendAgain,
    /** the signed-in agent (for "You") */
    agentId: computed(() => sessionStore.session?.agent.id ?? null),
  }
}
