import type { Static, TSchema } from 'typebox'
import Type from 'typebox'
import { ERROR_CODES } from './errors.ts'

/** Every failure: `{error: {code, message}}`; `field` names the offending input when there is one. */
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
    field: Type.Optional(Type.String()),
    details: Type.Optional(Type.Unknown()),
  }),
})
export type ErrorResponse = Static<typeof ErrorResponseSchema>

/** Timestamps on the wire are milliseconds since the Unix epoch. */
export const TimestampSchema = Type.Integer({ minimum: 0, description: 'milliseconds since the Unix epoch' })

export const IdSchema = Type.String({ minLength: 1, maxLength: 64 })

export const HealthSchema = Type.Object({
  status: Type.Union([
    Type.Literal('ok'),
    Type.Literal('degraded'),
  ]),
  db: Type.Union([
    Type.Literal('sqlite'),
    Type.Literal('postgres'),
  ]),
})
export type Health = Static<typeof HealthSchema>

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([
      Type.String(),
      Type.Null(),
    ]),
  })
}
