import { describe, expect, it } from 'vitest'
import { browser } from 'wxt/browser'
import { formatMessage, overrideMessages } from '~/utils/language'

describe('language choice', () => {
  it('substitutes like Chrome: positional, named placeholders and $$', () => {
    expect(formatMessage({ message: 'Connected — database: $1' }, ['sqlite'])).toBe('Connected — database: sqlite')
    expect(formatMessage({ message: '$1 of $2, $3' }, ['a', 'b'])).toBe('a of b, ')
    expect(formatMessage({
      message: 'Hi $NAME$!',
      placeholders: {
        name: { content: '$1' },
      },
    }, ['Ana'])).toBe('Hi Ana!')
    expect(formatMessage({ message: 'costs $$5' }, [])).toBe('costs $5')
  })

  it('answers getMessage from the chosen translation', () => {
    overrideMessages({
      inbox_settings: { message: 'Setări' },
      conversation_assignedTo: { message: 'Atribuită lui $1' },
    })
    const getMessage = browser.i18n.getMessage as (name: string, subs?: string | string[]) => string
    expect(getMessage('inbox_settings')).toBe('Setări')
    expect(getMessage('conversation_assignedTo', ['Ana'])).toBe('Atribuită lui Ana')
    expect(getMessage('conversation_assignedTo', 'Radu')).toBe('Atribuită lui Radu')
  })
})
