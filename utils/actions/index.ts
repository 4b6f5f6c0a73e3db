/**
 * Every change an agent makes from a page goes through here: an outbox row for the server (pushed
 * by the background) and the same change applied to the local tables at once, in one Dexie
 * transaction. So the action shows immediately, works offline, survives a browser restart, and
 * lands once (the server applies a mutation id once). The sync that follows brings the server's
 * version of the entity.
 *
 * The actions live in one module per thing they act on (conversation, message, contact, note,
 * agent); this composes them.
 */
import type { ActionContextInput } from './context'
import { agentActions } from './agent'
import { contactActions } from './contact'
import { contextOf } from './context'
import { conversationActions } from './conversation'
import { messageActions } from './message'
import { noteActions } from './note'

export type { ActionContext } from './context'

export function createActions(context: ActionContextInput) {
  const ctx = contextOf(context)
  return {
    ...conversationActions(ctx),
    ...messageActions(ctx),
    ...contactActions(ctx),
    ...noteActions(ctx),
    ...agentActions(ctx),
  }
}

export type Actions = ReturnType<typeof createActions>
