import { i18n } from '#i18n'
import { isApiError } from '~/utils/api/client'
import { describeBotsError } from './text'

/** Why a knowledge base entry was not saved: the field the server refused (if any) and the text to show. */
export interface KbEntryFailure {
  field: 'title' | 'body' | null
  message: string
}

export function kbEntryFailure(error: unknown): KbEntryFailure {
  if (!isApiError(error))
    console.error('[wa-inbox] knowledge entry not saved', error)
  const field = isApiError(error)
    ? error.field
    : undefined
  return {
    field: field === 'title' || field === 'body'
      ? field
      : null,
    message: isApiError(error, 'invalid_request')
      ? i18n.t('settings.bots.kb.invalid')
      : describeBotsError(error),
  }
}
