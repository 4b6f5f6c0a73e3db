/** What every action module shares: the resolved context, the outbox queue and the local patches. */
import type { AppDB, Contact, OutboxEntry, StoredConversation } from '../db'
import type { MutationArgs, MutationType } from '~/protocol/sync'
import { db as defaultDb } from '../db'
import { enqueue } from '../db/outbox'
import { requestSync } from '../sync/request'

export interface ActionContext {
  db: AppDB
  /** the signed-in agent */
  agentId: string
  /** asks the background to push now (default: a runtime message) */
  notify?: () => void
  now?: () => number
}

/** The context as given by a caller: only the agent is required. */
export type ActionContextInput = Partial<ActionContext> & { agentId: string }

/** The context with every default filled in. */
export type ResolvedContext = Required<ActionContext>

export function contextOf(context: ActionContextInput): ResolvedContext {
  return {
    db: context.db ?? defaultDb,
    agentId: context.agentId,
    notify: context.notify ?? requestSync,
    now: context.now ?? Date.now,
  }
}

export async function queue<T extends MutationType>(ctx: ResolvedContext, type: T, args: MutationArgs<T>, apply?: () => Promise<unknown>, id?: string): Promise<OutboxEntry<T>> {
  const row = await enqueue(ctx.db, type, args, { apply, id })
  ctx.notify()
  return row
}

export async function patchConversation(ctx: ResolvedContext, id: string, patch: Partial<StoredConversation>): Promise<void> {
  await ctx.db.conversations.update(id, {
    ...patch,
    updatedAt: ctx.now(),
  })
}

export async function patchContact(ctx: ResolvedContext, id: string, patch: Partial<Contact>): Promise<void> {
  await ctx.db.contacts.update(id, {
    ...patch,
    updatedAt: ctx.now(),
  })
}
