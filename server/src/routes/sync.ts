/**
 * `GET /api/sync` (snapshot, then changes after a cursor) and `POST /api/mutations` (the client's
 * queued actions, applied idempotently by mutation id, each answered on its own).
 */
import type { FastifyInstance } from 'fastify'
import type { MutationResult, MutationType, SyncQuery } from '../../../protocol/sync.ts'
import type { MutationHandlers } from '../services/mutations.ts'
import { Compile } from 'typebox/compile'
import { ErrorResponseSchema } from '../../../protocol/common.ts'
import { MUTATION_ARGS, MutationBatchResultSchema, MutationBatchSchema, SyncQuerySchema, SyncResponseSchema } from '../../../protocol/sync.ts'
import { AppError } from '../errors.ts'
import { agentMutations } from '../services/agents.ts'
import { contactMutations } from '../services/contacts.ts'
import { conversationMutations } from '../services/conversations.ts'
import { pull } from '../services/sync.ts'

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
    const page = await pull(app.db, request.agent!, since, limit)
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
      const stored = await app.db.selectFrom('mutations').select('result').where('workspace_id', '=', agent.workspace_id).where('agent_id', '=', agent.id).where('client_id', '=', m.id).executeTakeFirst()
      if (stored) {
        results.push({
          id: m.id,
          ok: true,
          ...JSON.parse(stored.result),
        })
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
        // Recorded after success: a failed mutation changed nothing and may be retried as it is.
        await app.db.insertInto('mutations').values({
          workspace_id: agent.workspace_id,
          agent_id: agent.id,
          client_id: m.id,
          type: m.type,
          result: JSON.stringify(body),
          created_at: Date.now(),
        }).onConflict(oc => oc.columns(['workspace_id', 'agent_id', 'client_id']).doNothing()).execute()
        results.push({ id: m.id, ok: true, ...body })
      }
      catch (error) {
        if (!(error instanceof AppError)) {
          request.log.error({ err: error, mutation: m.type }, 'mutation failed')
          results.push({
            id: m.id,
            ok: false,
            error: { code: 'internal_error', message: 'internal error; the mutation was not applied' },
          })
          continue
        }
        results.push({
          id: m.id,
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
        })
      }
    }
    return reply.serializer(JSON.stringify).send({ results })
  })
}
