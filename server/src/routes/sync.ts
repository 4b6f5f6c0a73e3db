/**
 * `GET /api/sync` (snapshot, then changes after a cursor) and `POST /api/mutations` (the client's
 * queued actions, applied idempotently by mutation id, each answered on its own).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { MutationResult, MutationType, SyncQuery } from '../../../protocol/sync.ts'
import type { MutationHandlers } from '../services/mutations.ts'
import type { SessionAgent } from '../services/sessions.ts'
import { Compile } from 'typebox/compile'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { MUTATION_ARGS, MutationBatchResultSchema, MutationBatchSchema, SyncQuerySchema, SyncResponseSchema } from '../../../protocol/sync.ts'
import { AppError } from '../errors.ts'
import { agentMutations } from '../services/agents.ts'
import { contactMutations } from '../services/contacts.ts'
import { conversationMutations } from '../services/conversations.ts'
import { pull } from '../services/sync.ts'

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

export async function syncRoutes(app: FastifyInstance) {
  app.get('/api/sync', {
    schema: {
      querystring: SyncQuerySchema,
      response: {
        200: SyncResponseSchema,
        400: ErrorResponseSchema,
        401: ErrorResponseSchema,
        410: ErrorResponseSchema,
      },
    },
  }, async (request, reply) => {
    const { since, limit = 1000 } = request.query as SyncQuery
    const page = await pull(app.db, request.agent!, since, limit, app.sequencer)
    // The schema documents the shape; entities inside `data` are already wire objects.
    return reply.serializer(JSON.stringify).send(page)
  })

  app.post('/api/mutations', {
    schema: {
      body: MutationBatchSchema,
      response: { 200: MutationBatchResultSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema },
    },
  }, async (request, reply) => {
    const agent = request.agent!
    const { mutations } = request.body as { mutations: Array<{ id: string, type: MutationType, args: Record<string, unknown> }> }
    const results: MutationResult[] = []
    // In order: a later mutation may depend on an earlier one (create a label, then add it).
    for (const m of mutations) {
      try {
        const earlier = await claim(app, agent, m)
        if (earlier) {
          results.push({ id: m.id, ok: true, ...earlier })
          continue
        }
      }
      catch (error) {
        results.push(failure(m.id, error, request))
        continue
      }
      try {
        const validator = validators[m.type]!
        if (!validator.Check(m.args)) {
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
        const handler = handlers[m.type] as ((ctx: unknown, args: unknown) => Promise<unknown>) | undefined
        if (!handler)
          throw new AppError(400, 'invalid_request', `type: ${m.type} is not supported by this server`, { field: 'type' })
        const result = await handler({ app, agent }, m.args)
        const body = result === undefined
          ? {}
          : { result }
        await app.db.updateTable('mutations').set({
          result: JSON.stringify(body),
        }).where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id).execute()
        results.push({ id: m.id, ok: true, ...body })
      }
      catch (error) {
        // Nothing was applied: release the claim so a retry runs it again.
        await app.db.deleteFrom('mutations').where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id).where('result', '=', PENDING).execute().catch(() => {})
        results.push(failure(m.id, error, request))
      }
    }
    return reply.serializer(JSON.stringify).send({ results })
  })
}

/**
 * Claims the mutation id before applying it (the claim is committed at once, so a concurrent
 * duplicate sees it). Answers the stored result when it was applied before; waits briefly for a
 * concurrent duplicate to finish; null = ours to apply.
 */
async function claim(app: FastifyInstance, agent: SessionAgent, m: { id: string, type: string }): Promise<{ result?: unknown } | null> {
  const key = (q: any) => q.where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id)
  const now = Date.now()
  const claimed = await app.db.insertInto('mutations').values({
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
    const row = await key(app.db.selectFrom('mutations').select(['result', 'created_at'])).executeTakeFirst() as { result: string, created_at: number } | undefined
    if (!row)
      return await claim(app, agent, m) // the other attempt failed and released it
    if (row.result !== PENDING)
      return JSON.parse(row.result) as { result?: unknown }
    if (Date.now() - row.created_at > ABANDONED_MS) {
      const taken = await key(app.db.updateTable('mutations').set({
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

function failure(id: string, error: unknown, request: FastifyRequest): MutationResult {
  if (!(error instanceof AppError)) {
    request.log.error({ err: error }, 'mutation failed')
    return {
      id,
      ok: false,
      error: { code: 'internal_error', message: 'internal error; the mutation was not applied' },
    }
  }
  return {
    id,
    ok: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.field
        ? { field: error.field }
        : {}),
      ...(error.details !== undefined
        ? { details: error.details }
        : {}),
    },
  }
}
