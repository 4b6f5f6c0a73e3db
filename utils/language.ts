/**
 * The agent's language choice (options page): follow the browser (default), or English /
 * Romanian whatever the browser speaks. `browser.i18n` only knows the browser's language, so an
 * override loads the chosen translation's `messages.json` and answers `getMessage` from it;
 * `@wxt-dev/i18n` reads through `getMessage` on every call, so every page just works.
 */
import { browser } from 'wxt/browser'
import { storage } from 'wxt/utils/storage'

export const LANGUAGES = ['auto', 'en', 'ro'] as const
export type LanguageChoice = typeof LANGUAGES[number]

export const languageStorage = storage.defineItem<LanguageChoice>('local:language', {
  fallback: 'auto',
})

interface ChromeMessage {
  message: string
  placeholders?: Record<string, { content: string }>
}

/** Chrome's substitution rules: `$1`…`$9` positional, `$name$` placeholders, `$$` a dollar. */
export function formatMessage(entry: ChromeMessage, substitutions: string[]): string {
  const positional = (text: string): string => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '')
  return entry.message
    .replace(/\$([\w@]+)\$/g, (whole, name: string) => {
      const placeholder = entry.placeholders?.[name.toLowerCase()] ?? entry.placeholders?.[name]
      return placeholder
        ? positional(placeholder.content)
        : whole
    })
    .replace(/\$\$|\$(\d)/g, (whole, n?: string) => n
      ? substitutions[Number(n) - 1] ?? ''
      : '$')
}

/** Installs a `getMessage` answering from `messages` (for `@@` keys, the browser's own). */
export function overrideMessages(messages: Record<string, ChromeMessage>): void {
  const original = browser.i18n.getMessage.bind(browser.i18n) as (name: string, substitutions?: string | string[]) => string
  const lookup = (name: string, substitutions?: string | string[]): string => {
    const entry = messages[name]
    if (!entry || name.startsWith('@@'))
      return original(name, substitutions)
    return formatMessage(entry, substitutions === undefined
      ? []
      : Array.isArray(substitutions)
        ? substitutions
        : [substitutions])
  }
  ;(browser.i18n as { getMessage: typeof lookup }).getMessage = lookup
}

/**
 * Applies the stored choice before a page mounts. Answers the language in effect. A failure
 * (a translation missing from the build) leaves the browser's language.
 */
export async function applyLanguageChoice(): Promise<string> {
  const choice = await languageStorage.getValue().catch(() => 'auto' as const)
  const current = (browser.i18n.getMessage as (name: string) => string)('common_locale')
  if (choice === 'auto' || choice === current)
    return current
  try {
    const response = await fetch(browser.runtime.getURL(`/_locales/${choice}/messages.json` as '/'))
    overrideMessages(await response.json() as Record<string, ChromeMessage>)
    return choice
  }
  catch (error) {
    console.error('[wa-inbox] cannot load the chosen language', error)
    return current
  }
}

/** Reloads the page when the agent picks another language (on any page). */
export function reloadOnLanguageChange(): void {
  languageStorage.watch(() => location.reload())
}
