import type { Suggestion } from '~/protocol/bots'
import { i18n } from '#i18n'

/** Where a suggestion came from, for the line under the composer. */
export function suggestionSource(suggestion: Suggestion): string {
  if (suggestion.source === 'provider')
    return i18n.t('composer.suggest.fromProvider')
  const titles = suggestion.entries.map(entry => entry.title).filter(Boolean)
  return titles.length
    ? i18n.t('composer.suggest.fromKnowledge', [
        titles.join(', '),
      ])
    : i18n.t('composer.suggest.fromKnowledgeBase')
}
