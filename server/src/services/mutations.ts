/**
 * Client mutations (`POST /api/mutations`): each type is handled by the same service function as
 * its REST route. Domain modules export their handlers; `applyMutations` puts them together and
 * applies a batch idempotently by mutation id, each answered on its own.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Mutation, MutationArgs, MutationResult, MutationType } from '../../../protocol/sync.ts'
import type { Db } from '../storage/db.ts'
import type { SessionAgent } from './sessions.ts'
import { Compile } from 'typebox/compile'
import { MUTATION_ARGS } from '../../../protocol/sync.ts'
import { AppError, errorBody } from '../errors.ts'
import { agentMutations } from './agents.ts'
import { contactMutations } from './contacts.ts'
import { conversationMutations } from './conversations.ts'

export interface MutationContext {
  app: FastifyInstance
  agent: SessionAgent
}

/** A handler answers with the entity it produced or changed (wire shape), or nothing. */
export type MutationHandlers = {
  [T in MutationType]?: (ctx: MutationContext, args: MutationArgs<T>) => Promise<unknown>
}

/** Marks a claimed mutation that has not finished (yet). */
const PENDING = ''
/** A claim this old belongs to a request that died; another may take it over. */
const ABANDONED_MS = 60_000

const handlers: MutationHandlers = {
  ...conversationMutations,
  ...contactMutations,
  ...agentMutations,
}
const validators = Object.fromEntries(Object.entries(MUTATION_ARGS).map(([type, schema]) => [
  type,
  Compile(schema),
]))

/** In order: a later mutation may depend on an earlier one (create a label, then add it). */
export async function applyMutations(app: FastifyInstance, agent: SessionAgent, mutations: Mutation[], log: FastifyBaseLogger): Promise<MutationResult[]> {
  const results: MutationResult[] = []
  for (const m of mutations) {
    try {
      const earlier = await claim(app.db, agent, m)
      if (earlier) {
        results.push({ id: m.id, ok: true, ...earlier })
        continue
      }
    }
    catch (error) {
      results.push(failure(m.id, error, log))
      continue
    }
    try {
      const body = await apply(app, agent, m)
      await app.db.updateTable('mutations').set({
        result: JSON.stringify(body),
      }).where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id).execute()
      results.push({ id: m.id, ok: true, ...body })
    }
    catch (error) {
      // Nothing was applied: release the claim so a retry runs it again.
      await app.db.deleteFrom('mutations').where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id).where('result', '=', PENDING).execute().catch(() => {})
      results.push(failure(m.id, error, log))
    }
  }
  return results
}

async function apply(app: FastifyInstance, agent: SessionAgent, m: Mutation): Promise<{ result?: unknown }> {
  checkArgs(m)
  const handler = handlers[m.type] as ((ctx: MutationContext, args: unknown) => Promise<unknown>) | undefined
  if (!handler)
    throw new AppError(400, 'invalid_request', `type: ${m.type} is not supported by this server`, { field: 'type' })
  const result = await handler({ app, agent }, m.args)
  return result === undefined
    ? {}
    : { result }
}

function checkArgs(m: Mutation) {
  const validator = validators[m.type]!
  if (validator.Check(m.args))
    return
  const first = [
    ...validator.Errors(m.args),
  ].find(e => e.keyword !== 'boolean') ?? [
    ...validator.Errors(m.args),
  ][0]
  const missing = first?.params as { requiredProperties?: string[], additionalProperties?: string[] } | undefined
  const field = [
    first?.instancePath.replace(/^\//, '').replace(/\//g, '.'),
    missing?.requiredProperties?.[0] ?? missing?.additionalProperties?.[0],
  ].filter(Boolean).join('.') || undefined
  throw new AppError(400, 'invalid_request', `args${first?.instancePath ?? ''}: ${first?.message ?? 'invalid'}`, field
    ? { field }
    : {})
}

/**
 * Claims the mutation id before applying it (the claim is committed at once, so a concurrent
 * duplicate sees it). Answers the stored result when it was applied before; waits briefly for a
 * concurrent duplicate to finish; null = ours to apply.
 */
async function claim(db: Db, agent: SessionAgent, m: { id: string, type: string }): Promise<{ result?: unknown } | null> {
  const key = (q: any) => q.where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id)
  const now = Date.now()
  const claimed = await db.insertInto('mutations').values({
    workspace_id: agent.workspace_id,
    agent_id: agent.id,
    client_id: m.id,
    type: m.type,
    result: PENDING,
    created_at: now,
  }).onConflict(oc => oc.columns(['workspace_id', 'agent_id', 'client_id']).doNothing()).returning('client_id').executeTakeFirst()
  if (claimed)
    return null
  for (let waited = 0; ; waited += 50) {
    const row = await key(db.selectFrom('mutations').select(['result', 'created_at'])).executeTakeFirst() as { result: string, created_at: number } | undefined
    if (!row)
      return await claim(db, agent, m) // the other attempt failed and released it
    if (row.result !== PENDING)
      return JSON.parse(row.result) as { result?: unknown }
    if (Date.now() - row.created_at > ABANDONED_MS) {
      const taken = await key(db.updateTable('mutations').set({
        created_at: Date.now(),
      })).where('result', '=', PENDING).where('created_at', '=', row.created_at).executeTakeFirst()
      if (Number(taken.numUpdatedRows) > 0)
        return null
    }
    if (waited >= 5000)
      throw new AppError(409, 'mutation_in_progress', 'this mutation is being applied by another request; retry shortly')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

function failure(id: string, error: unknown, log: FastifyBaseLogger): MutationResult {
  if (!(error instanceof AppError)) {
    log.error({ err: error }, 'mutation failed')
    return {
      id,
      ok: false,
      error: { code: 'internal_error', message: 'internal error; the mutation was not applied' },
    }
  }
  return {
    id,
    ok: false,
    error: errorBody(error),
  }
}
