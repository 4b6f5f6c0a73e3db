/**
 * What the route files share: the typed instance they receive, id params and error answers.
 * Wire shapes themselves live in protocol/ (the extension uses them too).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import Type from 'typebox'
import { ErrorResponseSchema, IdSchema } from '../../../protocol/common.ts'

/** The app as route files see it: `params`, `querystring` and `body` are typed from their schemas. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

export const IdParams = Type.Object({ id: IdSchema })

/** The error answers most authenticated routes may give; add 409/422/… per route. */
export const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
}

/** 204 answers */
export const NoContent = Type.Null({ description: 'no content' })

/** Answers 204 with no body. */
export function noContent(reply: FastifyReply) {
  return reply.code(204).send()
}

export { ErrorResponseSchema }
