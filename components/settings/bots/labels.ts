/** Names of the bot settings' choices, in the admin's language. */
import type { BotLanguage, RuleMatch } from '~/protocol/bots'
import { i18n } from '#i18n'

export function ruleMatchText(match: RuleMatch): string {
  switch (match) {
    case 'keyword': return i18n.t('settings.bots.rules.matchKeyword')
    case 'phrase': return i18n.t('settings.bots.rules.matchPhrase')
    case 'regex': return i18n.t('settings.bots.rules.matchRegex')
  }
}

export function botLanguageText(language: BotLanguage): string {
  switch (language) {
    case 'any': return i18n.t('settings.bots.language.any')
    case 'ro': return i18n.t('settings.bots.language.ro')
    case 'en': return i18n.t('settings.bots.language.en')
  }
}

/** Weekdays in display order (Monday first), each with its name in the page's language. */
export function weekdays(locale: string): Array<{ day: number, name: string }> {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' })
  // 2024-01-01 was a Monday.
  return [1, 2, 3, 4, 5, 6, 0].map(day => ({
    day,
    name: format.format(new Date(Date.UTC(2024, 0, day === 0
      ? 7
      : day))),
  }))
}
