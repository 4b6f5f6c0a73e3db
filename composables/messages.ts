/**
 * A conversation's message history for the message list: the newest messages observed in Dexie
 * (a window that grows as the agent scrolls up), older pages fetched from the server and cached in
 * Dexie, and the queued / failed sends of the outbox for this conversation.
 */
import type { Ref } from 'vue'
import type { SendMessage } from '~/protocol/messages'
import type { ApiErrorCode } from '~/utils/api/client'
import type { Agent, AppDB, Message, OutboxEntry } from '~/utils/db'
import Dexie from 'dexie'
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { isApiError } from '~/utils/api/client'
import { contactDisplayName } from '~/utils/chats/text'
import { db as defaultDb } from '~/utils/db'
import { discardOutboxEntry, retryOutboxEntry } from '~/utils/db/outbox'
import { fetchMessagePage, MESSAGE_PAGE_SIZE } from '~/utils/messages/api'
import { replaceLocalMessages } from '~/utils/sync/apply'
import { requestSync } from '~/utils/sync/request'
import { useLiveQuery } from './live-query'

/** Messages per server page, and how much the local window grows per "older" step. */
export { MESSAGE_PAGE_SIZE }

/** A queued `message.send` of the outbox. */
export type SendOutboxEntry = OutboxEntry<'message.send'>

/** One message of the list, with what its bubble needs besides the message itself. */
export interface MessageRow {
  message: Message
  /** the outbox row still sending this (local) message, if any */
  outbox: SendOutboxEntry | null
  /** outbound: the sending agent's name (null for inbound, bots or unknown agents) */
  senderName: string | null
  /** the replied-to message; null when the message quotes one that is not stored here */
  quoted: Message | null
  /** the agent who sent the replied-to message, when it is an outbound one */
  quotedSenderName: string | null
  /** the agent's own current reaction to this message (the customer's is `message.reaction`) */
  agentReaction: string | null
}

export type MessagesError = ApiErrorCode | 'unknown'

/** Where the server's history stands for a conversation this session (in memory only). */
interface HistoryCursor {
  /** `before` for the next older page; null: the server has nothing older */
  nextCursor: string | null
}

const historyCursors = new Map<string, HistoryCursor>()

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

/** Is `a` older than `b` in the list's order (timestamp, then id, like the server's)? */
function isOlder(a: Message, b: Message): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.id < b.id)
}

/** What the list's query reads from Dexie in one go. */
interface Snapshot {
  /** the newest `limit` messages, oldest first */
  messages: Message[]
  /** how many messages of this conversation are stored */
  total: number
  outbox: SendOutboxEntry[]
  agents: Agent[]
  /** replied-to messages outside the window, found by id or wamid */
  quoted: Message[]
  contactName: string | null
}

/** The replied-to message's local id and / or wamid (`context.messageId`, `context.id`). */
export function contextRefs(message: Pick<Message, 'context'>): string[] {
  const context = message.context
  if (!context)
    return []
  return [context.messageId, context.id].filter((ref): ref is string => typeof ref === 'string' && ref !== '')
}

async function readSnapshot(db: AppDB, conversationId: string, limit: number): Promise<Snapshot> {
  const range = db.messages.where('[conversationId+timestamp]').between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
  const [newestFirst, total, outbox, agents, conversation] = await Promise.all([
    range.clone().reverse().limit(limit).toArray(),
    range.clone().count(),
    db.outbox.filter(row => row.type === 'message.send' && (row as SendOutboxEntry).args.conversationId === conversationId).toArray() as Promise<SendOutboxEntry[]>,
    db.agents.toArray(),
    db.conversations.get(conversationId),
  ])
  const messages = newestFirst.reverse()

  // Replied-to messages outside the window: one scan of the conversation, only when needed.
  const known = new Set<string>()
  for (const message of messages) {
    known.add(message.id)
    if (message.wamid)
      known.add(message.wamid)
  }
  const missing = new Set(messages.flatMap(contextRefs).filter(ref => !known.has(ref)))
  const quoted = missing.size > 0
    ? await db.messages.where('conversationId').equals(conversationId).filter(message => missing.has(message.id) || (message.wamid !== null && missing.has(message.wamid))).toArray()
    : []

  const contact = conversation
    ? await db.contacts.get(conversation.contactId) ?? conversation.contact
    : undefined
  return {
    messages,
    total,
    outbox,
    agents,
    quoted,
    contactName: contact
      ? contactDisplayName(contact)
      : null,
  }
}

/** The reaction message's target: the server's `targetId`, else the target's wamid. */
function reactionTarget(message: Message): string | null {
  const { targetId, messageId } = message.content
  if (typeof targetId === 'string')
    return targetId
  return typeof messageId === 'string'
    ? messageId
    : null
}

/**
 * The rows of the list, oldest first. Reactions are shown on their target, not as messages of
 * their own, when the target is in the list (the customer's in `message.reaction`, the agent's
 * latest one here); a reaction to a message that is not loaded still shows as a line.
 */
export function buildMessageRows(snapshot: Pick<Snapshot, 'messages' | 'outbox' | 'agents' | 'quoted'>): MessageRow[] {
  const byRef = new Map<string, Message>()
  for (const message of [
    ...snapshot.quoted,
    ...snapshot.messages,
  ]) {
    byRef.set(message.id, message)
    if (message.wamid)
      byRef.set(message.wamid, message)
  }
  const outboxByClientId = new Map<string, SendOutboxEntry>()
  for (const row of snapshot.outbox)
    outboxByClientId.set(row.args.message.clientId, row)
  const agentNames = new Map(snapshot.agents.map(agent => [agent.id, agent.name]))
  const inList = new Set(snapshot.messages.map(message => message.id))

  const agentReactions = new Map<string, string | null>()
  const hidden = new Set<string>()
  for (const message of snapshot.messages) {
    if (message.type !== 'reaction')
      continue
    const ref = reactionTarget(message)
    const target = ref
      ? byRef.get(ref)
      : undefined
    if (!target || !inList.has(target.id))
      continue
    hidden.add(message.id)
    if (message.direction === 'out' && message.status !== 'failed') {
      const emoji = message.content.emoji
      agentReactions.set(target.id, typeof emoji === 'string' && emoji !== ''
        ? emoji
        : null)
    }
  }

  const rows: MessageRow[] = []
  for (const message of snapshot.messages) {
    if (hidden.has(message.id))
      continue
    const refs = contextRefs(message)
    const quoted = refs.length > 0
      ? refs.map(ref => byRef.get(ref)).find(Boolean) ?? null
      : null
    rows.push({
      message,
      outbox: message.clientId === message.id
        ? outboxByClientId.get(message.id) ?? null
        : null,
      senderName: message.direction === 'out' && message.senderId
        ? agentNames.get(message.senderId) ?? null
        : null,
      quoted,
      quotedSenderName: quoted?.direction === 'out' && quoted.senderId
        ? agentNames.get(quoted.senderId) ?? null
        : null,
      agentReaction: agentReactions.get(message.id) ?? null,
    })
  }
  return rows
}

/**
 * Keeps the previous object for every row that did not change, so a list of a thousand bubbles
 * re-renders only the ones whose row is new (Vue compares props by identity).
 */
function reuseRows(previous: Map<string, { key: string, row: MessageRow }>, rows: MessageRow[]): { rows: MessageRow[], cache: Map<string, { key: string, row: MessageRow }> } {
  const cache = new Map<string, { key: string, row: MessageRow }>()
  const result = rows.map((row) => {
    const key = JSON.stringify(row)
    const old = previous.get(row.message.id)
    const kept = old && old.key === key
      ? old.row
      : row
    cache.set(row.message.id, { key, row: kept })
    return kept
  })
  return { rows: result, cache }
}

/** Types whose content can be sent again as it was: text, uploaded media, templates. */
const RESENDABLE = new Set<Message['type']>([
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'template',
])

/** Failures a resend cannot fix: the 24-hour window for free-form, the experiment for templates. */
const FINAL_ERRORS: Partial<Record<Message['type'], number[]>> = {
  template: [130472],
}
const WINDOW_ERRORS = [131047, 470]

/**
 * The request that sends a failed outbound message again, under a new client id; null when
 * that is not safe (not an agent's message, a type whose content cannot be rebuilt, or a failure
 * a resend would only repeat).
 */
export function resendRequest(message: Message, clientId: string): SendMessage | null {
  if (message.direction !== 'out' || message.status !== 'failed' || !RESENDABLE.has(message.type))
    return null
  const code = message.error?.code
  if (code !== undefined && (FINAL_ERRORS[message.type]?.includes(code) || (message.type !== 'template' && WINDOW_ERRORS.includes(code))))
    return null
  const content = message.content
  const replyTo = typeof message.context?.messageId === 'string'
    ? { replyTo: message.context.messageId }
    : {}
  switch (message.type) {
    case 'text':
      return typeof content.body === 'string' && content.body !== ''
        ? {
            clientId,
            type: 'text',
            text: content.body,
            ...replyTo,
          }
        : null
    case 'template': {
      if (typeof content.name !== 'string' || typeof content.language !== 'string')
        return null
      const list = (value: unknown) => Array.isArray(value) && value.length > 0
        ? value
        : undefined
      const header = list(content.header)
      const body = list(content.parameters)
      const buttons = list(content.buttons)
      return {
        clientId,
        type: 'template',
        template: {
          name: content.name,
          language: content.language,
          ...(header
            ? { header }
            : {}),
          ...(body
            ? { body }
            : {}),
          ...(buttons
            ? { buttons }
            : {}),
        },
      } as SendMessage
    }
    default: {
      // The server's copy has Meta's id in `mediaId` and the upload's in `uploadId`.
      const mediaId = typeof content.uploadId === 'string'
        ? content.uploadId
        : content.mediaId
      if (typeof mediaId !== 'string' || mediaId === '')
        return null
      return {
        clientId,
        type: message.type as 'image',
        mediaId,
        ...(typeof content.caption === 'string' && content.caption !== ''
          ? { caption: content.caption }
          : {}),
        ...replyTo,
      }
    }
  }
}

/** The local copy's extra content for a resend (what the bubble shows until the server's arrives). */
function resendPreview(message: Message): Record<string, unknown> {
  const { mimeType, filename, size, body, category } = message.content
  return Object.fromEntries(Object.entries({
    mimeType,
    filename,
    size,
    ...(message.type === 'template'
      ? { body, category }
      : {}),
  }).filter(([, value]) => value !== undefined && value !== null))
}

export interface UseMessagesOptions {
  db?: AppDB
  /** asks the background to push the outbox (default: a runtime message) */
  notify?: () => void
}

/**
 * The history of one conversation (the ref may change: everything restarts for the new one).
 * Everything ends with the calling scope.
 */
export function useMessages(conversationId: Ref<string>, options: UseMessagesOptions = {}) {
  const db = options.db ?? defaultDb
  const notify = options.notify ?? requestSync

  const limit = ref(MESSAGE_PAGE_SIZE)
  const snapshot = shallowRef<Snapshot | null>(null)
  const rows = shallowRef<MessageRow[]>([])
  let rowCache = new Map<string, { key: string, row: MessageRow }>()
  const fetchingFirst = ref(false)
  const loadingOlder = ref(false)
  const error = ref<MessagesError | null>(null)
  /** bumps when the conversation changes, so late answers of the previous one are ignored */
  const generation = ref(0)
  /** set after a server page was fetched, so `hasMore` follows the in-memory cursor */
  const cursorVersion = ref(0)

  const sessionStore = useSessionStore()

  function failure(err: unknown): MessagesError {
    if (isApiError(err))
      return err.code
    console.error('[wa-inbox] message history failed', err)
    return 'unknown'
  }

  async function fetchFirstPage(id: string, gen: number): Promise<void> {
    fetchingFirst.value = true
    error.value = null
    try {
      const page = await fetchMessagePage(id, null)
      await storeMessagePage(db, page.items)
      historyCursors.set(id, { nextCursor: page.nextCursor })
      cursorVersion.value++
    }
    catch (err) {
      if (gen === generation.value)
        error.value = failure(err)
    }
    finally {
      if (gen === generation.value)
        fetchingFirst.value = false
    }
  }

  let checkedFirstPage = false

  // Another conversation: everything starts again (before the query below follows the source).
  watch(conversationId, () => {
    generation.value++
    checkedFirstPage = false
    error.value = null
    loadingOlder.value = false
    fetchingFirst.value = false
    snapshot.value = null
    rows.value = []
    rowCache = new Map()
    limit.value = MESSAGE_PAGE_SIZE
  })

  const live = useLiveQuery(([id, count]) => readSnapshot(db, id, count), null as Snapshot | null, {
    source: () => [conversationId.value, limit.value] as const,
    keepPrevious: true,
  })

  watch(live.data, (value) => {
    if (!value)
      return
    // New messages widen the window instead of pushing its oldest ones out (which would
    // shift everything the agent is reading); the wider query publishes instead of this one.
    const previous = snapshot.value?.messages
    const oldest = previous?.[0]
    const newest = previous?.at(-1)
    const first = value.messages[0]
    if (oldest && newest && first && isOlder(oldest, first)) {
      const newer = value.messages.filter(message => isOlder(newest, message)).length
      if (newer > 0) {
        limit.value += newer
        return
      }
    }
    snapshot.value = value
    const reused = reuseRows(rowCache, buildMessageRows(value))
    rows.value = reused.rows
    rowCache = reused.cache
    // A conversation whose history was never fetched holds only its latest message(s).
    const id = conversationId.value
    if (!checkedFirstPage) {
      checkedFirstPage = true
      if (value.total < MESSAGE_PAGE_SIZE && !historyCursors.has(id))
        void fetchFirstPage(id, generation.value)
    }
  }, { immediate: true })

  watch(live.error, (err) => {
    if (err !== undefined)
      error.value = 'unknown'
  })

  onScopeDispose(() => {
    generation.value++
  })

  const hasMore = computed(() => {
    void cursorVersion.value
    const value = snapshot.value
    if (!value)
      return false
    if (value.total > value.messages.length)
      return true
    const cursor = historyCursors.get(conversationId.value)
    return cursor === undefined
      ? value.total > 0
      : cursor.nextCursor !== null
  })

  /**
   * Shows older messages: first the ones already stored, then pages from the server (following
   * its cursor from the newest page when this session has none yet, until a page reaches past
   * the oldest message shown).
   */
  async function loadOlder(): Promise<void> {
    const value = snapshot.value
    if (!value || loadingOlder.value || fetchingFirst.value)
      return
    if (value.total > value.messages.length) {
      limit.value += MESSAGE_PAGE_SIZE
      return
    }
    const id = conversationId.value
    const gen = generation.value
    let cursor = historyCursors.get(id)
    if (cursor && cursor.nextCursor === null)
      return
    const oldest = value.messages[0]
    loadingOlder.value = true
    error.value = null
    try {
      // Bounded: a session without a cursor walks down from the newest page at most this far.
      for (let pages = 0; pages < 100; pages++) {
        const page = await fetchMessagePage(id, cursor?.nextCursor ?? null)
        await storeMessagePage(db, page.items)
        cursor = { nextCursor: page.nextCursor }
        historyCursors.set(id, cursor)
        cursorVersion.value++
        if (page.nextCursor === null || !oldest || page.items.some(message => isOlder(message, oldest)))
          break
      }
      if (gen === generation.value)
        limit.value += MESSAGE_PAGE_SIZE
    }
    catch (err) {
      if (gen === generation.value)
        error.value = failure(err)
    }
    finally {
      if (gen === generation.value)
        loadingOlder.value = false
    }
  }

  /** Tries the failed request again: the first page if it never came, else the older one. */
  async function retry(): Promise<void> {
    if (!historyCursors.has(conversationId.value))
      await fetchFirstPage(conversationId.value, generation.value)
    else
      await loadOlder()
  }

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
    rows: computed(() => rows.value),
    contactName: computed(() => snapshot.value?.contactName ?? null),
    total: computed(() => snapshot.value?.total ?? 0),
    /** nothing to show yet: the first local read, or the first page of an empty conversation */
    loading: computed(() => snapshot.value === null || (fetchingFirst.value && rows.value.length === 0)),
    loadingOlder: computed(() => loadingOlder.value),
    error: computed(() => error.value),
    hasMore,
    loadOlder,
    retry,
    retryOutbox,
    discardOutbox,
    sendAgain,
    /** the signed-in agent (for "You") */
    agentId: computed(() => sessionStore.session?.agent.id ?? null),
  }
}
