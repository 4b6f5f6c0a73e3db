import type { ErrorCode } from '../../protocol/errors.ts'

/** A failure the client should see: an HTTP status, a stable code it can translate, a message for developers. */
export class AppError extends Error {
  readonly statusCode: number
  readonly code: ErrorCode
  readonly field: string | undefined
  readonly details: unknown

  constructor(statusCode: number, code: ErrorCode, message: string, extra: { field?: string, details?: unknown } = {}) {
    super(message)
    this.name = 'AppError'
    this.statusCode = statusCode
    this.code = code
    this.field = extra.field
    this.details = extra.details
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`)

/** The `error` object of an answer (HTTP or one mutation's result): `field` and `details` only when set. */
export function errorBody(error: AppError): { code: ErrorCode, message: string, field?: string, details?: unknown } {
  return {
    code: error.code,
    message: error.message,
    ...(error.field
      ? { field: error.field }
      : {}),
    ...(error.details !== undefined
      ? { details: error.details }
      : {}),
  }
}
