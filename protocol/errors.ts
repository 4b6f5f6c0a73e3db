/**
 * Error codes the server answers with (`{error: {code, message, field?, details?}}`). The extension
 * translates codes, never messages; messages are for logs and developers.
 */
export const ERROR_CODES = [
  // generic
  'invalid_request',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  // webhooks
  'signature_missing',
  'signature_invalid',
  'invalid_payload',
  'verify_token_mismatch',
  // auth and team
  'invalid_credentials',
  'wrong_password',
  'email_taken',
  'name_taken',
  'shortcut_taken',
  'last_admin',
  'agent_inactive',
  'contact_exists',
  'contact_blocked',
  'phone_number_taken',
  // sync
  'cursor_expired',
  'mutation_in_progress',
  // sending
  'window_closed',
  'template_not_found',
  'template_not_approved',
  'template_params_mismatch',
  'media_too_large',
  'media_type_unsupported',
  'media_unavailable',
  'no_recipient',
  'whatsapp_error',
  'channel_not_configured',
  // bots
  'invalid_pattern',
  'no_suggestion',
  'provider_failed',
] as const

export type ErrorCode = typeof ERROR_CODES[number]
