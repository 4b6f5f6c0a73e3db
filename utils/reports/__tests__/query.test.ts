import { describe, expect, it } from 'vitest'
import { REPORT_MAX_DAYS, REPORT_METRICS } from '~/protocol/reports'
import { buildDrillQuery, buildReportQuery, dayIn, defaultControls, MAX_PERIOD_DAYS, METRICS, parseHash, periodDays, startOfDay, toHash, toSearch } from '../query'

// 2025-03-30 09:00 UTC: the morning Romania moved its clocks forward (03:00 → 04:00 local).
const NOW = Date.UTC(2025, 2, 30, 9, 0)
const defaults = defaultControls('UTC')

describe('reports query', () => {
  it('repeats the protocol\'s constants exactly (they are not imported, to keep TypeBox out of the page)', () => {
    expect(MAX_PERIOD_DAYS).toBe(REPORT_MAX_DAYS)
    expect([...METRICS]).toEqual([...REPORT_METRICS])
  })

  it('finds local midnight in a time zone, across a DST change', () => {
    expect(startOfDay('2025-03-30', 'Europe/Bucharest')).toBe(Date.UTC(2025, 2, 29, 22)) // +02:00
    expect(startOfDay('2025-03-31', 'Europe/Bucharest')).toBe(Date.UTC(2025, 2, 30, 21)) // +03:00
    expect(startOfDay('2025-03-30', 'America/New_York')).toBe(Date.UTC(2025, 2, 30, 4))
    expect(dayIn(Date.UTC(2025, 2, 29, 23), 'Europe/Bucharest')).toBe('2025-03-30')
    expect(dayIn(Date.UTC(2025, 2, 29, 23), 'UTC')).toBe('2025-03-29')
  })

  it.each([
    ['7', '2025-03-24', '2025-03-30'],
    ['30', '2025-03-01', '2025-03-30'],
    ['90', '2024-12-31', '2025-03-30'],
  ] as const)('"last %s days" ends today in the chosen zone', (period, from, to) => {
    expect(periodDays({ ...defaults, period, tz: 'Europe/Bucharest' }, NOW)).toEqual({ from, to })
  })

  it('builds the summary query: period from local midnight to the next one, zone, schedule and filters', () => {
    const query = buildReportQuery({
      ...defaults,
      period: '7',
      tz: 'Europe/Bucharest',
      businessHours: true,
      hoursStart: 8 * 60 + 30,
      hoursEnd: 18 * 60,
      teamId: 't1',
      labelId: 'l1',
      channelId: 'ch2',
    }, NOW)
    expect(query).toEqual({
      from: Date.UTC(2025, 2, 23, 22),
      to: Date.UTC(2025, 2, 30, 21),
      tz: 'Europe/Bucharest',
      hours: '1:510-1080,2:510-1080,3:510-1080,4:510-1080,5:510-1080',
      teamId: 't1',
      labelId: 'l1',
      channelId: 'ch2',
    })
  })

  it('leaves out the schedule and empty filters', () => {
    expect(buildReportQuery({ ...defaults, period: '30' }, NOW)).toEqual({
      from: Date.UTC(2025, 2, 1),
      to: Date.UTC(2025, 2, 31),
      tz: 'UTC',
    })
  })

  it('a custom period covers its first and last day; a wrong one asks nothing', () => {
    expect(buildReportQuery({
      ...defaults,
      period: 'custom',
      from: '2025-01-01',
      to: '2025-01-31',
    }, NOW)).toMatchObject({
      from: Date.UTC(2025, 0, 1),
      to: Date.UTC(2025, 1, 1),
    })
    expect(periodDays({
      ...defaults,
      period: 'custom',
      from: '2025-02-01',
      to: '2025-01-01',
    }, NOW)).toEqual({ problem: 'fromAfterTo' })
    expect(periodDays({
      ...defaults,
      period: 'custom',
      from: '2023-01-01',
      to: '2025-01-01',
    }, NOW)).toEqual({ problem: 'tooLong' })
    expect(periodDays({
      ...defaults,
      period: 'custom',
      from: '',
      to: '2025-01-01',
    }, NOW)).toEqual({ problem: 'missing' })
    expect(buildReportQuery({
      ...defaults,
      period: 'custom',
      from: '2025-02-30',
      to: '2025-03-01',
    }, NOW)).toBeNull()
  })

  it('adds the drill-down target: metric, a day or a heatmap cell, and a narrower filter', () => {
    const base = {
      from: 1,
      to: 2,
      tz: 'UTC',
      teamId: 't1',
    }
    expect(buildDrillQuery(base, { metric: 'opened', day: '2025-03-05' })).toEqual({ ...base, metric: 'opened', day: '2025-03-05' })
    expect(buildDrillQuery(base, { metric: 'messagesIn', weekday: 1, hour: 0 }, 'c1')).toEqual({
      ...base,
      metric: 'messagesIn',
      weekday: 1,
      hour: 0,
      cursor: 'c1',
    })
    expect(buildDrillQuery(base, { metric: 'firstResponse', agentId: 'a2' })).toEqual({ ...base, metric: 'firstResponse', agentId: 'a2' })
    expect(toSearch({
      from: 1,
      to: 2,
      tz: 'Europe/Bucharest',
      agentId: undefined,
      day: '',
    })).toBe('?from=1&to=2&tz=Europe%2FBucharest')
  })

  it('keeps the controls in the address and reads them back', () => {
    const controls = {
      ...defaults,
      period: 'custom' as const,
      from: '2025-01-01',
      to: '2025-01-31',
      tz: 'Europe/Bucharest',
      businessHours: true,
      agentId: 'a1',
      teamId: 't1',
      labelId: 'l1',
      channelId: 'ch1',
      tab: 'labels' as const,
    }
    const hash = toHash(controls, defaults)
    expect(hash).toBe('#period=custom&from=2025-01-01&to=2025-01-31&tz=Europe%2FBucharest&bh=540-1020&agent=a1&team=t1&label=l1&number=ch1&tab=labels')
    expect(parseHash(hash, defaults)).toEqual(controls)
    expect(toHash(defaults, defaults)).toBe('#tz=UTC')
  })

  it('ignores what does not make sense in the address', () => {
    expect(parseHash('#period=12&tz=Mars%2FOlympus&bh=900-100&agent=<x>&tab=nope&from=2025-01-01', defaults)).toEqual(defaults)
  })
})
