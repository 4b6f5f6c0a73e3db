/**
 * Every error answers `{error: {code, message, field?, details?}}`: our AppErrors as thrown,
 * validation failures as 400 `invalid_request` naming the field, a few Fastify errors under our
 * codes, anything unexpected as a logged 500. Unknown routes answer 404 `not_found`.
 */
import type { FastifyError, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, errorBody } from '../../errors.ts'

type ValidationError = FastifyError & { validation?: Array<{ instancePath?: string, params?: Record<string, unknown> }> }

/** Fastify's and its plugins' error codes we answer under our own. */
const KNOWN: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large'],
  FST_REQ_FILE_TOO_LARGE: [413, 'media_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json'],
}

function sendValidationError(reply: FastifyReply, error: ValidationError) {
  const first = error.validation?.[0]
  const missing = first?.params?.missingProperty ?? first?.params?.tag ?? first?.params?.additionalProperty
  const field = [
    first?.instancePath?.replace(/^\//, '').replace(/\//g, '.'),
    missing,
  ].filter(Boolean).join('.') || undefined
  return reply.code(400).send({
    error: {
      code: 'invalid_request',
      message: error.message,
      ...(field
        ? { field }
        : {}),
    },
  })
}

export default fp(async (app) => {
  app.setErrorHandler((error: ValidationError, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.statusCode).send({
        error: errorBody(error),
      })
    }
    if (error.validation)
      return sendValidationError(reply, error)
    const mapped = error.code ? KNOWN[error.code] : undefined
    if (mapped) {
      return reply.code(mapped[0]).send({
        error: { code: mapped[1], message: error.message },
      })
    }
    if (error.statusCode === 429) {
      return reply.code(429).send({
        error: { code: 'rate_limited', message: 'too many requests, try again later' },
      })
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({
        error: { code: 'invalid_request', message: error.message },
      })
    }
    request.log.error({ err: error }, 'request failed')
    return reply.code(500).send({
      error: { code: 'internal_error', message: 'internal error; the request was not applied' },
    })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` },
    })
  })
}, { name: 'error-handler' })
