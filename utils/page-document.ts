import { browser } from 'wxt/browser'
import { i18n } from '#i18n'

/**
 * The language the extension's text is shown in (the translation the browser picked), for
 * `Intl` formatting and `lang`. `getUILanguage()` can disagree with it (headless Chromium
 * answers en-US while showing the Romanian messages), so it comes from the translation itself.
 */
export function uiLocale(): string {
  try {
    return Intl.getCanonicalLocales(i18n.t('common.locale'))[0] ?? browser.i18n.getUILanguage()
  }
  catch { // no usable tag (a translation without one)
    return browser.i18n.getUILanguage()
  }
}

/**
 * Gives an extension page its localised title, language and text direction (those of the
 * translation shown), so screen readers and right-to-left locales just work.
 */
export function setupPageDocument(title: string): void {
  document.title = title
  document.documentElement.lang = uiLocale()
  document.documentElement.dir = browser.i18n.getMessage('@@bidi_dir')
}
