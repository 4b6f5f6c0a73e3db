/**
 * Why a message did not go out, in the agent's language. Two sources: WhatsApp's own error on a
 * `failed` message (`Message.error.code`, Meta's numeric codes; docs/whatsapp.md
 * section 3), and the server's refusal of a queued send (the outbox row's
 * `error.code`, a code from protocol/errors.ts). Codes are translated, never Meta's titles.
 */
import type { ApiErrorCode } from './api/client'
import type { OutboxError } from './db/types'
import { i18n } from '#i18n'

/** WhatsApp Cloud API error codes with a message of their own; anything else gets the generic one. */
export const WHATSAPP_ERROR_KEYS = {
  100: 'conversation.message.whatsappErrors.code100',
  190: 'conversation.message.whatsappErrors.code190',
  368: 'conversation.message.whatsappErrors.code368',
  470: 'conversation.message.whatsappErrors.code470',
  130429: 'conversation.message.whatsappErrors.code130429',
  130472: 'conversation.message.whatsappErrors.code130472',
  131000: 'conversation.message.whatsappErrors.code131000',
  131009: 'conversation.message.whatsappErrors.code131009',
  131016: 'conversation.message.whatsappErrors.code131016',
  131021: 'conversation.message.whatsappErrors.code131021',
  131026: 'conversation.message.whatsappErrors.code131026',
  131030: 'conversation.message.whatsappErrors.code131030',
  131031: 'conversation.message.whatsappErrors.code131031',
  131047: 'conversation.message.whatsappErrors.code131047',
  131048: 'conversation.message.whatsappErrors.code131048',
  131049: 'conversation.message.whatsappErrors.code131049',
  131051: 'conversation.message.whatsappErrors.code131051',
  131053: 'conversation.message.whatsappErrors.code131053',
  131056: 'conversation.message.whatsappErrors.code131056',
  132000: 'conversation.message.whatsappErrors.code132000',
  132001: 'conversation.message.whatsappErrors.code132001',
  132012: 'conversation.message.whatsappErrors.code132012',
  132015: 'conversation.message.whatsappErrors.code132015',
  132016: 'conversation.message.whatsappErrors.code132016',
} as const

export type WhatsAppErrorKey = typeof WHATSAPP_ERROR_KEYS[keyof typeof WHATSAPP_ERROR_KEYS]

/** Codes Meta sends for the same failure under another number. */
const ALIASES: Record<number, keyof typeof WHATSAPP_ERROR_KEYS> = {
  2: 131016, // "API Service": temporary downtime, like 131016
}

/** The i18n key for a WhatsApp error code; `null` when only the generic message fits. */
export function whatsappErrorKey(code: number): WhatsAppErrorKey | null {
  const known = ALIASES[code] ?? code
  return (WHATSAPP_ERROR_KEYS as Record<number, WhatsAppErrorKey>)[known] ?? null
}

/** The sentence shown for a failed message; an unknown code still names the code. */
export function describeWhatsAppError(error: { code: number } | null | undefined): string {
  if (!error || !Number.isFinite(error.code))
    return i18n.t('conversation.message.whatsappErrors.generic', ['?'])
  const key = whatsappErrorKey(error.code)
  return key
    ? i18n.t(key)
    : i18n.t('conversation.message.whatsappErrors.generic', [
        String(error.code),
      ])
}

/** Server codes (protocol/errors.ts) that can refuse a queued `message.send`. */
const OUTBOX_ERROR_KEYS = {
  offline: 'conversation.message.outboxErrors.offline',
  window_closed: 'conversation.message.outboxErrors.windowClosed',
  template_not_found: 'conversation.message.outboxErrors.templateNotFound',
  template_not_approved: 'conversation.message.outboxErrors.templateNotApproved',
  template_params_mismatch: 'conversation.message.outboxErrors.templateParamsMismatch',
  media_too_large: 'conversation.message.outboxErrors.mediaTooLarge',
  media_type_unsupported: 'conversation.message.outboxErrors.mediaTypeUnsupported',
  media_unavailable: 'conversation.message.outboxErrors.mediaUnavailable',
  no_recipient: 'conversation.message.outboxErrors.noRecipient',
  contact_blocked: 'conversation.message.outboxErrors.contactBlocked',
  channel_not_configured: 'conversation.message.outboxErrors.channelNotConfigured',
  forbidden: 'conversation.message.outboxErrors.forbidden',
  not_found: 'conversation.message.outboxErrors.notFound',
  invalid_request: 'conversation.message.outboxErrors.invalidRequest',
  rate_limited: 'conversation.message.outboxErrors.rateLimited',
} as const satisfies Partial<Record<ApiErrorCode, string>>

/** The sentence shown for a send the server refused (a failed outbox row). */
export function describeOutboxError(error: Pick<OutboxError, 'code'> | null | undefined): string {
  const code = error?.code ?? 'internal_error'
  const key = (OUTBOX_ERROR_KEYS as Partial<Record<string, typeof OUTBOX_ERROR_KEYS[keyof typeof OUTBOX_ERROR_KEYS]>>)[code]
  return key
    ? i18n.t(key)
    : i18n.t('conversation.message.outboxErrors.generic', [code])
}
