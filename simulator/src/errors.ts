// Meta's error catalogue as far as the simulator produces it: titles as sent on the wire, the HTTP
// status of synchronous failures (a decision where copies of Meta's table disagree, see README), and
// builders for the Graph error envelope and for the `errors[]` of failed status webhooks.

import type { GraphErrorBody } from './types.ts'

export const ERROR_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/'

interface CatalogEntry {
  title: string
  httpStatus: number
  details: string
}

export const ERROR_CATALOG: Record<number, CatalogEntry> = {
  100: { title: 'Invalid parameter', httpStatus: 400, details: 'Invalid parameter' },
  131000: { title: 'Something went wrong', httpStatus: 500, details: 'Something went wrong' },
  131008: { title: 'Required parameter is missing', httpStatus: 400, details: 'A required parameter is missing' },
  131009: { title: 'Parameter value is not valid', httpStatus: 400, details: 'One or more parameter values are invalid.' },
  131026: { title: 'Message undeliverable', httpStatus: 400, details: 'Message Undeliverable.' },
  131047: {
    title: 'Re-engagement message',
    httpStatus: 400,
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131051: { title: 'Unsupported message type', httpStatus: 400, details: 'Message type is not currently supported.' },
  131053: { title: 'Media upload error', httpStatus: 400, details: 'Unable to upload the media used in the message.' },
  // Decision: 429 for throughput, following YCloud's copy of Meta's table; Meta says to act on the code.
  130429: { title: 'Rate limit hit', httpStatus: 429, details: 'Cloud API message throughput has been reached.' },
  130472: {
    title: 'User\'s number is part of an experiment',
    httpStatus: 400,
    details: 'Failed to send message because this user\'s phone number is part of an experiment',
  },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    httpStatus: 400,
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  },
  132000: { title: 'Number of parameters does not match the expected number of params', httpStatus: 400, details: 'Number of parameters does not match the expected number of params' },
  // Decision: 404, as in the reports where Meta answers a missing template translation with Not Found.
  132001: { title: 'Template name does not exist in the translation', httpStatus: 404, details: 'template name does not exist in the translation' },
  132012: { title: 'Parameter format does not match format in the created template', httpStatus: 400, details: 'Parameter format does not match format in the created template' },
  132015: { title: 'Template is Paused', httpStatus: 400, details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: { title: 'Template is disabled', httpStatus: 400, details: 'Template has been paused too many times due to low quality and is now permanently disabled.' },
}

export function errorTitle(code: number): string {
  return ERROR_CATALOG[code]?.title ?? 'Unknown error'
}

/** A Graph error envelope plus the HTTP status to answer it with. */
export class GraphError extends Error {
  readonly status: number
  readonly body: GraphErrorBody

  constructor(status: number, body: GraphErrorBody) {
    super(body.message)
    this.status = status
    this.body = body
  }
}

export type TraceIdFactory = () => string

/** The usual WhatsApp envelope: `(#CODE) Title` + `error_data.details`. */
export function whatsappError(code: number, traceId: string, details?: string, overrides?: Record<number, number>): GraphError {
  const entry = ERROR_CATALOG[code]
  const body: GraphErrorBody = {
    message: `(#${code}) ${entry?.title ?? 'Unknown error'}`,
    type: 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details: details ?? entry?.details ?? '' },
    fbtrace_id: traceId,
  }
  // Meta still sends the deprecated subcode on throughput errors.
  if (code === 130429)
    body.error_subcode = 2494055
  return new GraphError(overrides?.[code] ?? entry?.httpStatus ?? 400, body)
}

/** Bad or missing token: HTTP 401, code 190, a subcode and no `error_data`. */
export function authError(traceId: string, kind: 'invalid' | 'expired' | 'missing', expiredAt?: number): GraphError {
  const messages = {
    missing: 'An active access token must be used to query information about the current user.',
    invalid: 'Error validating access token: The session is invalid because the user logged out.',
    expired: `Error validating access token: Session has expired on ${new Date(expiredAt ?? 0).toUTCString()}.`,
  }
  const body: GraphErrorBody = {
    message: messages[kind],
    type: 'OAuthException',
    code: 190,
    fbtrace_id: traceId,
  }
  if (kind !== 'missing') {
    body.error_subcode = kind === 'expired'
      ? 463
      : 467
  }
  return new GraphError(401, body)
}

/** Unknown object id or unsupported method on it (Graph's `GraphMethodException`, subcode 33). */
export function unsupportedRequestError(traceId: string, method: string, objectId: string): GraphError {
  return new GraphError(400, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
    fbtrace_id: traceId,
  })
}

/** Unknown edge below a known object. */
export function unknownPathError(traceId: string, path: string): GraphError {
  return new GraphError(400, {
    message: `Unknown path components: ${path}`,
    type: 'OAuthException',
    code: 2500,
    fbtrace_id: traceId,
  })
}

/** `?fields=` naming something the node does not have. */
export function nonexistingFieldError(traceId: string, field: string, nodeType: string): GraphError {
  return new GraphError(400, {
    message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
    type: 'OAuthException',
    code: 100,
    fbtrace_id: traceId,
  })
}

/** The `errors[]` item of a failed status webhook (no HTTP status, no `type`). */
export function statusError(code: number, details?: string) {
  const title = errorTitle(code)
  return {
    code,
    title,
    message: title,
    error_data: { details: details ?? ERROR_CATALOG[code]?.details ?? title },
    href: ERROR_HREF,
  }
}
