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
