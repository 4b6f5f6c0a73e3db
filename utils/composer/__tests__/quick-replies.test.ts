import type { QuickReply } from '~/utils/db'
import { describe, expect, it } from 'vitest'
import { filterQuickReplies, slashQuery } from '~/utils/composer/quick-replies'

function reply(shortcut: string, title: string): QuickReply {
  return {
    id: shortcut,
    shortcut,
    title,
    body: `${title} body`,
    createdAt: 1,
    updatedAt: 1,
  }
}

describe('slashQuery', () => {
  it.each([
    ['/', ''],
    ['/hel', 'hel'],
    ['/opening hours', 'opening hours'],
    ['hello /x', null],
    ['/a\nb', null],
    ['', null],
  ])('%j → %j', (text, query) => {
    expect(slashQuery(text)).toBe(query)
  })
})

describe('filterQuickReplies', () => {
  const replies = [
    reply('thanks', 'Thank you'),
    reply('hours', 'Opening hours'),
    reply('hello', 'Greeting'),
    reply('livrare', 'Livrare în București'),
  ]

  it('lists everything by shortcut for an empty query', () => {
    expect(filterQuickReplies(replies, '').map(r => r.shortcut)).toEqual(['hello', 'hours', 'livrare', 'thanks'])
  })

  it('puts shortcut prefixes first, then other shortcut or title matches', () => {
    expect(filterQuickReplies(replies, 'h').map(r => r.shortcut)).toEqual(['hello', 'hours', 'thanks'])
    expect(filterQuickReplies(replies, 'OPEN').map(r => r.shortcut)).toEqual(['hours'])
  })

  it('ignores accents', () => {
    expect(filterQuickReplies(replies, 'bucuresti').map(r => r.shortcut)).toEqual(['livrare'])
  })
})
