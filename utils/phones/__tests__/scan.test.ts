import { describe, expect, it } from 'vitest'
import { candidateRuns, phoneInSelection, scanPhoneNumbers } from '~/utils/phones/scan'

const numbers = (text: string, country: string | null = 'RO') => scanPhoneNumbers(text, country).map(p => p.number)

describe('scanPhoneNumbers', () => {
  it.each([
    ['RO national, spaces', 'Sună la 0722 123 456 azi', '+40722123456'],
    ['RO national, no separators', 'tel 0722123456', '+40722123456'],
    ['RO national, dashes', '0722-123-456', '+40722123456'],
    ['RO national, dots', '0722.123.456', '+40722123456'],
    ['RO national, parentheses', '(0722) 123 456', '+40722123456'],
    ['RO national, spaced dashes', '0722 - 123 - 456', '+40722123456'],
    ['RO +40', '+40 722 123 456', '+40722123456'],
    ['RO +40 (0)', '+40 (0)722 123 456', '+40722123456'],
    ['RO 0040', '0040 722 123 456', '+40722123456'],
    ['RO landline', 'Bucharest office: 021 312 3456', '+40213123456'],
    ['after tel:', 'tel:0722123456', '+40722123456'],
    ['no-break spaces', '0722\u00A0123\u00A0456', '+40722123456'],
    ['UK international', 'London +44 20 7946 0958', '+442079460958'],
    ['UK mobile international', '+44 7911 123456', '+447911123456'],
    ['US international', '+1 (415) 555-2671', '+14155552671'],
    ['US dashes', '+1 415-555-2671', '+14155552671'],
  ])('finds %s', (_what, text, expected) => {
    expect(numbers(text)).toEqual([expected])
  })

  it.each([
    [
      'UK national',
      '07911 123456',
      'GB',
      '+447911123456',
    ],
    [
      'US national',
      '(415) 555-2671',
      'US',
      '+14155552671',
    ],
    [
      'RO number from the UK (00 is the UK\'s prefix too)',
      '0040 722 123 456',
      'GB',
      '+40722123456',
    ],
  ])('reads %s in the default country', (_what, text, country, expected) => {
    expect(numbers(text, country)).toEqual([expected])
  })

  it.each([
    ['an order number after #', 'Order #0722123456'],
    ['an order id with letters', 'ORD-20240115-0042'],
    ['a glued id', 'SKU0722123456'],
    ['an ISO date', 'date 2024-01-15'],
    ['a dotted date', '15.01.2024'],
    ['a date and time', '2024/01/15 10:30'],
    ['an IBAN', 'IBAN RO49 AAAA 1B31 0075 9384 0000'],
    ['a price with decimals', '1.234.567,89 lei'],
    ['a price with spaces', '1 234 567,00 lei'],
    ['a short number', 'cod 12345678'],
    ['an invoice number', 'factura 4000123456'],
    ['a personal numeric code (13 digits)', 'CNP 1850101123456'],
    ['an IP address', '192.168.100.200'],
    ['an e-mail', '0722123456@example.com'],
    ['a version', 'v1.2.3.4567890'],
  ])('ignores %s', (_what, text) => {
    expect(numbers(text)).toEqual([])
  })

  it('answers each number once, with the first raw text and where it was', () => {
    const text = 'Ana\t0722 123 456\nAna again\t+40722123456\tRadu\t0733 999 888'
    expect(scanPhoneNumbers(text, 'RO')).toEqual([
      { number: '+40722123456', raw: '0722 123 456', index: 4 },
      { number: '+40733999888', raw: '0733 999 888', index: 45 },
    ])
  })

  it('keeps table cells apart, and numbers side by side', () => {
    expect(numbers('0722 123 456\t0733 123 456')).toEqual(['+40722123456', '+40733123456'])
    expect(numbers('0722 123 456 0733 123 456')).toEqual(['+40722123456', '+40733123456'])
    expect(numbers('Call +1 (415) 555-2673. 0722 - 123 - 462')).toEqual(['+14155552673', '+40722123462'])
  })

  it('without a default country finds only international numbers', () => {
    expect(numbers('0722 123 456, +40 733 123 456', null)).toEqual(['+40733123456'])
    expect(numbers('0722 123 456', 'not a country')).toEqual([])
  })

  it('stops at maxResults and at maxChars', () => {
    const text = Array.from({ length: 50 }, (_, i) => `07${String(22_000_000 + i).padStart(8, '0')}`).join('\n')
    expect(scanPhoneNumbers(text, 'RO', { maxResults: 3 })).toHaveLength(3)
    expect(scanPhoneNumbers(text, 'RO', { maxChars: 22 })).toHaveLength(2)
  })

  it('is fast on a 10,000-row table', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `Client ${i}\t07${String(20_000_000 + i).padStart(8, '0')}\tclient${i}@example.com\tORD-${100_000 + i}\t${(i * 3.7).toFixed(2)} lei`)
    const text = rows.join('\n')
    const started = performance.now()
    const found = scanPhoneNumbers(text, 'RO', { maxResults: 100_000 })
    const ms = performance.now() - started
    expect(found).toHaveLength(10_000)
    expect(ms).toBeLessThan(1000) // ~15 ms here; generous for slow CI machines
  })

  it('finds every number by default (no cap besides maxChars)', () => {
    const text = Array.from({ length: 1500 }, (_, i) => `07${String(22_000_000 + i).padStart(8, '0')}`).join('\n')
    expect(scanPhoneNumbers(text, 'RO')).toHaveLength(1500)
  })
})

describe('candidateRuns', () => {
  /** The regular expression the hand-written pass replaces (same matches, leftmost and greedy). */
  const CANDIDATE = /[+(]?\d(?:[ \u00A0]?[-./()]?[ \u00A0]?\d){6,60}\)?/g
  const ALPHABET = '0123456789012345678901234567890123456789     \u00A0--..//(())++\t\nab#,:'

  it('matches the candidate regular expression on random text', () => {
    let seed = 7
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
      return seed / 2_147_483_648
    }
    for (let round = 0; round < 3000; round++) {
      const length = 1 + Math.floor(next() * 120)
      let text = ''
      for (let i = 0; i < length; i++)
        text += ALPHABET[Math.floor(next() * ALPHABET.length)]
      const expected = [
        ...text.matchAll(CANDIDATE),
      ].map(m => [m.index, m.index + m[0].length])
      expect(candidateRuns(text), JSON.stringify(text)).toEqual(expected)
    }
  })

  it('cuts runs longer than 61 digits like the expression', () => {
    const text = `${'1'.repeat(70)} 22 333 4444`
    expect(candidateRuns(text)).toEqual([
      ...text.matchAll(CANDIDATE),
    ].map(m => [m.index, m.index + m[0].length]))
  })
})

describe('phoneInSelection', () => {
  it('answers the first number of a selection', () => {
    expect(phoneInSelection(' 0722 123 456 ', 'RO')).toMatchObject({ number: '+40722123456' })
    expect(phoneInSelection('nothing here', 'RO')).toBeNull()
  })
})
