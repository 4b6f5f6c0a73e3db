/**
 * Client mutations (`POST /api/mutations`): each type is handled by the same service function as
 * its REST route. Domain modules export their handlers; `routes/sync.ts` puts them together.
 */
import type { FastifyInstance } from 'fastify'
import type { MutationArgs, MutationType } from '../../../protocol/sync.ts'
import type { SessionAgent } from './sessions.ts'

export interface MutationContext {
  app: FastifyInstance
  agent: SessionAgent
}

/** A handler answers with the entity it produced or changed (wire shape), or nothing. */
export type MutationHandlers = {
  [T in MutationType]?: (ctx: MutationContext, args: MutationArgs<T>) => Promise<unknown>
}
