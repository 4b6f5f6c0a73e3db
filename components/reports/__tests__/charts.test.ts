import type { VueWrapper } from '@vue/test-utils'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ReportBarChart from '../ReportBarChart.vue'
import ReportCharts from '../ReportCharts.vue'
import ReportHeatmap from '../ReportHeatmap.vue'
import ReportTrendChart from '../ReportTrendChart.vue'
import { MIN, summaryFixture } from './fixtures'

function chart(wrapper: VueWrapper, name: string) {
  return wrapper.get(`[data-chart="${name}"]`)
}

describe('report charts', () => {
  it('draws a trend: one focusable point per day, labelled with the day and every series', async () => {
    const wrapper = mount(ReportTrendChart, {
      props: {
        title: 'Per day',
        summary: 'sum',
        days: ['2025-03-03', '2025-03-04', '2025-03-05'],
        series: [
          {
            key: 'a',
            label: 'Opened',
            tone: 'primary',
            values: [5, 0, 7],
          },
          {
            key: 'b',
            label: 'Closed',
            tone: 'warning',
            values: [2, null, 3],
          },
        ],
        kind: 'count',
        xLabel: 'Day',
        yLabel: 'Conversations',
      },
      attachTo: document.body,
    })
    const points = wrapper.findAll('[data-testid="trend-point"]')
    expect(points.map(point => point.attributes('data-day'))).toEqual(['2025-03-03', '2025-03-04', '2025-03-05'])
    expect(points[0]!.attributes('aria-label')).toBe('Monday, March 3, 2025 — Opened: 5, Closed: 2')
    expect(points[1]!.attributes('aria-label')).toBe('Tuesday, March 4, 2025 — Opened: 0, Closed: –')
    // One tab stop for the whole chart.
    expect(points.map(point => point.attributes('tabindex'))).toEqual(['0', '-1', '-1'])
    // A missing value breaks the line: the closed line has two pieces.
    expect(wrapper.get('[data-series="b"]').attributes('d')!.match(/M/g)).toHaveLength(2)
    expect(wrapper.get('[data-testid="x-label"]').text()).toBe('Day')
    expect(wrapper.get('[data-testid="y-label"]').text()).toBe('Conversations')
    expect(wrapper.get('[data-testid="chart-title"]').text()).toBe('Per day')
    expect(wrapper.get('caption').text()).toBe('Per day')

    // Keyboard: focus shows the tooltip, arrows move, Enter selects.
    await points[0]!.trigger('focus')
    expect(wrapper.get('[data-testid="chart-tooltip"]').text()).toContain('Opened: 5')
    await points[0]!.trigger('keydown', { key: 'ArrowRight' })
    expect(document.activeElement?.getAttribute('data-day')).toBe('2025-03-04')
    await points[1]!.trigger('keydown', { key: 'Enter' })
    await points[2]!.trigger('click')
    expect(wrapper.emitted('select')).toEqual([
      ['2025-03-04'],
      ['2025-03-05'],
    ])
  })

  it('formats duration axes and tooltips as durations', async () => {
    const wrapper = mount(ReportTrendChart, {
      props: {
        title: 'FR',
        summary: 'sum',
        days: ['2025-03-03'],
        series: [
          {
            key: 'p50',
            label: 'Median',
            tone: 'primary',
            values: [80 * MIN],
          },
        ],
        kind: 'duration',
        xLabel: 'Day',
        yLabel: 'Time',
      },
    })
    expect(wrapper.get('[data-testid="trend-point"]').attributes('aria-label')).toContain('Median: 1 hr 20 min')
    expect(wrapper.text()).toContain('30 min')
  })

  it('draws one bar group per row with its values, and selects a row', async () => {
    const wrapper = mount(ReportBarChart, {
      props: {
        title: 'By agent',
        summary: 'sum',
        rows: [
          {
            id: 'a1',
            label: 'Ana Pop',
            values: [2 * MIN, 5 * MIN],
          },
          {
            id: 'a2',
            label: 'Bogdan Rus',
            values: [80 * MIN, null],
          },
        ],
        series: [
          { key: 'p50', label: 'Median', tone: 'primary' },
          { key: 'p90', label: 'p90', tone: 'warning' },
        ],
        kind: 'duration',
        xLabel: 'Time to first response',
      },
      attachTo: document.body,
    })
    expect(wrapper.findAll('[data-testid="bar-row"]')).toHaveLength(2)
    expect(wrapper.findAll('[data-testid="bar"]')).toHaveLength(4)
    expect(wrapper.findAll('[data-testid="bar-label"]').map(label => label.text())).toEqual(['Ana Pop', 'Bogdan Rus'])
    expect(wrapper.findAll('[data-testid="bar-value"]').map(value => value.text())).toEqual(['2 min', '5 min', '1 hr 20 min', '–'])
    expect(wrapper.findAll('[data-testid="bar-row"]')[1]!.attributes('aria-label')).toBe('Bogdan Rus — Median: 1 hr 20 min, p90: –')
    // The longest bar reaches further than the shorter one.
    const widths = wrapper.findAll('[data-testid="bar"][data-series="p50"]').map(bar => Number(bar.attributes('width')))
    expect(widths[1]).toBeGreaterThan(widths[0]! * 10)
    await wrapper.findAll('[data-testid="bar-row"]')[0]!.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement?.getAttribute('data-id')).toBe('a2')
    await wrapper.findAll('[data-testid="bar-row"]')[1]!.trigger('keydown', { key: ' ' })
    expect(wrapper.emitted('select')).toEqual([
      ['a2'],
    ])
  })

  it('draws the heatmap as 7 × 24 cells, Monday first, darker where busier', async () => {
    const cells = Array.from({ length: 7 }, () => Array.from<number>({ length: 24 }).fill(0))
    cells[0]![9] = 8
    cells[6]![23] = 2
    const wrapper = mount(ReportHeatmap, {
      props: {
        title: 'Heat',
        summary: 'sum',
        cells,
        valueLabel: 'Messages',
        xLabel: 'Hour (UTC)',
      },
      attachTo: document.body,
    })
    const all = wrapper.findAll('[data-testid="heatmap-cell"]')
    expect(all).toHaveLength(168)
    expect(wrapper.findAll('[data-testid="weekday-label"]').map(label => label.text())).toEqual([
      'Mon',
      'Tue',
      'Wed',
      'Thu',
      'Fri',
      'Sat',
      'Sun',
    ])
    const monday9 = wrapper.get('[data-weekday="1"][data-hour="9"]')
    expect(monday9.attributes('aria-label')).toBe('Monday, 9:00 AM–10:00 AM: Messages 8')
    expect(monday9.classes()).toContain('fill-primary')
    expect(wrapper.get('[data-weekday="7"][data-hour="23"]').classes()).toContain('fill-primary/25')
    expect(wrapper.get('[data-weekday="3"][data-hour="3"]').classes()).toContain('fill-line')
    expect(wrapper.findAll('[data-testid="hour-tick"]')).toHaveLength(8)
    // Arrow down from Monday 09:00 reaches Tuesday 09:00; Enter selects it (ISO weekday 2).
    await monday9.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement?.getAttribute('data-weekday')).toBe('2')
    expect(document.activeElement?.getAttribute('data-hour')).toBe('9')
    await wrapper.get('[data-weekday="2"][data-hour="9"]').trigger('keydown', { key: 'Enter' })
    await wrapper.get('[data-weekday="7"][data-hour="0"]').trigger('click')
    expect(wrapper.emitted('select')).toEqual([
      [2, 9],
      [7, 0],
    ])
  })

  it('maps a summary to its charts, and each click to the drill-down it means', async () => {
    const wrapper = mount(ReportCharts, {
      props: {
        summary: summaryFixture(),
      },
      attachTo: document.body,
    })
    expect(chart(wrapper, 'conversations').findAll('[data-testid="trend-point"]')).toHaveLength(2)
    expect(chart(wrapper, 'conversations').get('[data-testid="chart-summary"]').text()).toContain('reports_charts_conversations_summary 9 6')
    // Agents with first responses, fastest first; the agent without any is left out.
    expect(chart(wrapper, 'agent-first-response').findAll('[data-testid="bar-label"]').map(label => label.text())).toEqual(['Ana Pop', 'Bogdan Rus'])
    expect(chart(wrapper, 'agent-first-response').findAll('[data-testid="bar"]')).toHaveLength(4)
    expect(chart(wrapper, 'agent-handled').findAll('[data-testid="bar-label"]').map(label => label.text())).toEqual(['Bogdan Rus', 'Ana Pop'])
    expect(chart(wrapper, 'heatmap').findAll('[data-testid="heatmap-cell"]')).toHaveLength(168)
    expect(chart(wrapper, 'split').findAll('[data-testid="split-part"]').map(part => part.attributes('aria-label'))).toEqual([
      'reports_charts_split_human: 7 (78%)',
      'reports_charts_split_bot: 2 (22%)',
    ])
    // Long names are shortened on the axis, whole in the accessible name.
    expect(chart(wrapper, 'failed').findAll('[data-testid="bar-label"]')[0]!.text()).toBe('Re-engagement messa…')
    expect(chart(wrapper, 'failed').findAll('[data-testid="bar-row"]').map(bar => bar.attributes('aria-label'))).toEqual([
      'Re-engagement message (131047) — reports_metrics_failed: 3',
      'reports_charts_failed_unknown — reports_metrics_failed: 1',
    ])

    await chart(wrapper, 'conversations').findAll('[data-testid="trend-point"]')[1]!.trigger('click')
    await chart(wrapper, 'first-response').findAll('[data-testid="trend-point"]')[0]!.trigger('click')
    await chart(wrapper, 'agent-first-response').findAll('[data-testid="bar-row"]')[1]!.trigger('click')
    await chart(wrapper, 'agent-handled').findAll('[data-testid="bar-row"]')[0]!.trigger('click')
    await chart(wrapper, 'heatmap').get('[data-weekday="5"][data-hour="17"]').trigger('click')
    await chart(wrapper, 'heatmap').findAll('[data-testid="heatmap-mode"]')[1]!.trigger('click')
    await chart(wrapper, 'heatmap').get('[data-weekday="1"][data-hour="9"]').trigger('click')
    await chart(wrapper, 'split').findAll('[data-testid="split-part"]')[1]!.trigger('click')
    expect(wrapper.emitted('drill')!.map(([selection]) => selection)).toEqual([
      { metric: 'opened', day: '2025-03-04', scope: 'Tuesday, March 4, 2025' },
      { metric: 'firstResponse', day: '2025-03-03', scope: 'Monday, March 3, 2025' },
      { metric: 'firstResponse', agentId: 'a2', scope: 'Bogdan Rus' },
      { metric: 'humanHandled', agentId: 'a2', scope: 'Bogdan Rus' },
      {
        metric: 'messagesIn',
        weekday: 5,
        hour: 17,
        scope: 'Friday, 5:00 PM–6:00 PM',
      },
      {
        metric: 'opened',
        weekday: 1,
        hour: 9,
        scope: 'Monday, 9:00 AM–10:00 AM',
      },
      { metric: 'botHandled' },
    ])
  })
})
