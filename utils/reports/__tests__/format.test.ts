import { describe, expect, it } from 'vitest'
import { niceDurationScale, niceScale } from '../chart'
import { formatDuration, formatNumber, formatPercent, weekdayNames } from '../format'

describe('reports formatting', () => {
  it.each([
    [null, '–'],
    [45_000, '45 sec'],
    [4 * 60_000 + 10_000, '4 min'],
    [60 * 60_000, '1 hr'],
    [80 * 60_000, '1 hr 20 min'],
    [23 * 3600_000 + 59.9 * 60_000, '1 day'],
    [2 * 86_400_000 + 3 * 3600_000, '2 days 3 hr'],
  ])('%s ms reads "%s" in English', (ms, text) => {
    expect(formatDuration(ms, 'en')).toBe(text)
  })

  it('speaks Romanian too', () => {
    expect(formatDuration(80 * 60_000, 'ro')).toBe('1 oră 20 min.')
    expect(formatNumber(1234.5, 'ro')).toBe('1.234,5')
    expect(formatNumber(12_345, 'en')).toBe('12,345')
    expect(formatPercent(0.42, 'en')).toBe('42%')
    expect(weekdayNames('short', 'en')).toEqual([
      'Mon',
      'Tue',
      'Wed',
      'Thu',
      'Fri',
      'Sat',
      'Sun',
    ])
    expect(weekdayNames('long', 'ro')[0]).toBe('luni')
  })

  it('ends axes on round values', () => {
    expect(niceScale(9)).toEqual({
      max: 12,
      ticks: [0, 3, 6, 9, 12],
    })
    expect(niceScale(9, 4, false)).toEqual({
      max: 10,
      ticks: [0, 2.5, 5, 7.5, 10],
    })
    expect(niceScale(42)).toEqual({
      max: 80,
      ticks: [0, 20, 40, 60, 80],
    })
    expect(niceScale(0).max).toBe(4)
    expect(niceDurationScale(50 * 60_000).ticks).toEqual([0, 15, 30, 45, 60].map(m => m * 60_000))
  })
})
