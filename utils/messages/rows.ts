/**
 * The rows of a conversation's message list, built from what its query read from Dexie:
 * reactions on their target, replied-to messages, senders' names and the outbox's sends.
 */
import type { Agent, Message, OutboxEntry } from '~/utils/db'

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

/** Is `a` older than `b` in the list's order (timestamp, then id, like the server's)? */
export function isOlder(a: Message, b: Message): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.id < b.id)
}

/** What the list's query reads from Dexie in one go. */
export interface Snapshot {
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

/** Each row shown, by message id, with its serialized form. */
export type RowCache = Map<string, { key: string, row: MessageRow }>

/**
 * Keeps the previous object for every row that did not change, so a list of a thousand bubbles
 * re-renders only the ones whose row is new (Vue compares props by identity).
 */
export function reuseRows(previous: RowCache, rows: MessageRow[]): { rows: MessageRow[], cache: RowCache } {
  const cache: RowCache = new Map()
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
