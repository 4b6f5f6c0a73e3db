import type { ApiErrorCode } from '~/utils/api/client'
import type { OutboxError } from '~/utils/db'
import { i18n } from '#i18n'

/** An error to show: an outbox row's (the server's code, maybe a field) or a request's. */
export interface ContactError {
  code: ApiErrorCode | OutboxError['code'] | 'unknown'
  field?: string
}

/** The server's error code in the words of the panel (never the server's message). */
export function contactErrorText(error: ContactError): string {
  switch (error.code) {
    case 'offline': return i18n.t('contact.errors.offline')
    case 'invalid_request': return i18n.t('contact.errors.invalidRequest')
    case 'email_taken': return i18n.t('contact.errors.emailTaken')
    case 'phone_number_taken': return i18n.t('contact.errors.phoneNumberTaken')
    case 'contact_exists': return i18n.t('contact.errors.contactExists')
    case 'name_taken': return i18n.t('contact.errors.nameTaken')
    case 'forbidden': return i18n.t('contact.errors.forbidden')
    case 'not_found': return i18n.t('contact.errors.notFound')
    case 'agent_inactive': return i18n.t('contact.errors.agentInactive')
    case 'contact_blocked': return i18n.t('contact.errors.contactBlocked')
    case 'rate_limited': return i18n.t('contact.errors.rateLimited')
    case 'unauthorized': return i18n.t('contact.errors.unauthorized')
    case 'internal_error':
    case 'service_unavailable': return i18n.t('contact.errors.serverError')
  }
  return i18n.t('contact.errors.generic', [error.code])
}

/**
 * The contact field an error is about: the server's `field` (`email`, or `patch.email` when the
 * mutation's validation refused it) or the one a code implies (`email_taken` → email).
 */
export function contactErrorField(error: ContactError | null | undefined): string | undefined {
  if (!error)
    return undefined
  if (error.field) {
    const path = error.field.replace(/^args\./, '').replace(/^patch\./, '')
    return path.split('.')[0]
  }
  switch (error.code) {
    case 'email_taken': return 'email'
    case 'phone_number_taken':
    case 'contact_exists': return 'phone'
  }
  return undefined
}
