import { browser } from 'wxt/browser'

/**
 * Gives an extension page its localised title, language and text direction (the browser's UI
 * language, as `@wxt-dev/i18n` uses), so screen readers and right-to-left locales just work.
 */
export function setupPageDocument(title: string): void {
  document.title = title
  document.documentElement.lang = browser.i18n.getUILanguage()
  document.documentElement.dir = browser.i18n.getMessage('@@bidi_dir')
}
