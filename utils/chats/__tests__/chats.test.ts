import { describe, expect, it } from 'vitest'
import { agent, contact, conversation, label, NOW } from '~/components/chat/__tests__/fixtures'
import { formatShortRelativeTime } from '~/utils/chats/relative-time'
import { matchesSearch, matchesTab, toChatListRow } from '~/utils/chats/rows'
import { contactDisplayName, initialsOf, normalizeText } from '~/utils/chats/text'

const tables = {
  contacts: new Map(),
  labels: new Map([
    [
      'l1',
      label('l1', 'VIP', 'red'),
    ],
  ]),
  agents: new Map([
    [
      'a1',
      agent('a1', 'Ana Pop'),
    ],
  ]),
}

describe('chat list helpers', () => {
  it('normalizes text without diacritics', () => {
    expect(normalizeText('  Ștefan IONUȚ Șerbănescu ')).toBe('stefan ionut serbanescu')
  })

  it('picks the display name: name, then profile name, then phone', () => {
    expect(contactDisplayName(contact('c', { name: 'Ana', profileName: 'A', phone: '+1' }))).toBe('Ana')
    expect(contactDisplayName(contact('c', { profileName: 'A', phone: '+1' }))).toBe('A')
    expect(contactDisplayName(contact('c', { phone: '+1' }))).toBe('+1')
  })

  it('makes initials', () => {
    expect(initialsOf('ana maria pop')).toBe('AP')
    expect(initialsOf('Ștefan')).toBe('Ș')
    expect(initialsOf('+40 722 123')).toBe('#')
  })

  it('builds a row, preferring the contacts table over the embedded contact', () => {
    const embedded = contact('c1', {
      name: 'Old',
      labelIds: ['l1', 'gone'],
    })
    const row = toChatListRow(
      conversation('k1', embedded, { assigneeId: 'a1', lastMessagePreview: '', lastMessageType: 'audio' }),
      {
        ...tables,
        contacts: new Map([
          [
            'c1',
            { ...embedded, name: 'New', phone: '+40 722-123' },
          ],
        ]),
      },
    )
    expect(row).toMatchObject({
      displayName: 'New',
      mediaType: 'audio',
      assigneeName: 'Ana Pop',
      labels: [
        { id: 'l1', name: 'VIP', color: 'red' },
      ],
      searchPhone: '40722123',
    })
  })

  it('matches search by name words or phone digits', () => {
    const row = toChatListRow(conversation('k1', contact('c1', { name: 'Ștefan', phone: '+40722123456' })), tables)
    expect(matchesSearch(row, '')).toBe(true)
    expect(matchesSearch(row, 'ștef')).toBe(true)
    expect(matchesSearch(row, 'STEF')).toBe(true)
    expect(matchesSearch(row, '0722 123')).toBe(true)
    expect(matchesSearch(row, '0733')).toBe(false)
    expect(matchesSearch(row, '722 123')).toBe(true)
    expect(matchesSearch(row, 'ion')).toBe(false)
  })

  it('matches tabs', () => {
    const mine = toChatListRow(conversation('k1', contact('c1'), { assigneeId: 'a1' }), tables)
    const free = toChatListRow(conversation('k2', contact('c2')), tables)
    expect([mine, free].filter(row => matchesTab(row, 'mine', 'a1'))).toEqual([mine])
    expect([mine, free].filter(row => matchesTab(row, 'unassigned', 'a1'))).toEqual([free])
    expect([mine, free].filter(row => matchesTab(row, 'all', 'a1'))).toHaveLength(2)
    expect(matchesTab(mine, 'mine', null)).toBe(false)
  })

  it('formats a short relative time', () => {
    expect(formatShortRelativeTime(NOW - 10_000, NOW, 'en')).toBeNull()
    expect(formatShortRelativeTime(NOW - 24 * 3600_000, NOW, 'en')).toBe('yesterday')
    expect(formatShortRelativeTime(NOW + 3600_000, NOW, 'en')).toBeNull()
  })
})
