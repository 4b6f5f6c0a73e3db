import type { VueWrapper } from '@vue/test-utils'
import type { ReportSummary } from '~/protocol/reports'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import ReportsPage from '../ReportsPage.vue'
import { agent, channel, drillPage, emptySummary, label, liveFixture, session, summaryFixture, team } from './fixtures'

const DAY = 86_400_000
const ana = agent('a1', 'Ana Pop')
const bogdan = agent('a2', 'Bogdan Rus')
const admin = agent('a9', 'Adi Admin', { role: 'admin' })

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

type Route = (url: URL, init?: RequestInit) => Response | Promise<Response>
let routes: Record<string, Route>
let fetchMock: ReturnType<typeof vi.fn>

/** The requests made to a path, as URLs. */
function requests(path: string): URL[] {
  return fetchMock.mock.calls.map(([url]) => new URL(String(url))).filter(url => url.pathname === path)
}
function last(path: string): URL {
  const list = requests(path)
  expect(list.length, `a request to ${path}`).toBeGreaterThan(0)
  return list.at(-1)!
}

async function settle(check: () => void | Promise<void>): Promise<void> {
  // Several live queries and fetches settle in turn: on a loaded machine that takes more than
  // vi.waitFor's default second (the page promises no deadline).
  await vi.waitFor(async () => {
    await flushPromises()
    await check()
  }, { timeout: 10_000, interval: 20 })
}

async function mountPage(hash = '#tz=UTC'): Promise<VueWrapper> {
  history.replaceState(null, '', `/reports.html${hash}`)
  const wrapper = mount(ReportsPage, { attachTo: document.body })
  await settle(() => expect(wrapper.find('[data-testid="report-charts"], [data-testid="report-empty"], [data-testid="report-error"], [data-testid="report-forbidden"], [data-testid="signed-out"]').exists()).toBe(true))
  return wrapper
}

const testid = (id: string) => `[data-testid="${id}"]`

describe('reports page', () => {
  let summary: ReportSummary

  beforeEach(async () => {
    summary = summaryFixture()
    routes = {
      '/api/reports/summary': () => jsonResponse(summary),
      '/api/reports/live': () => jsonResponse(liveFixture()),
      '/api/reports/conversations': () => jsonResponse(drillPage()),
      '/api/reports/conversations.csv': () => new Response('conversation_id\nk1\n', {
        headers: { 'Content-Type': 'text/csv' },
      }),
      '/api/reports/aggregates.csv': () => new Response('group,id\ntotal,\n', {
        headers: { 'Content-Type': 'text/csv' },
      }),
    }
    fetchMock = vi.fn(async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      const route = routes[url.pathname]
      return route
        ? await route(url, init)
        : jsonResponse({
            error: { code: 'not_found', message: 'no' },
          }, 404)
    })
    vi.stubGlobal('fetch', fetchMock)
    await db.agents.bulkPut([
      ana,
      bogdan,
      admin,
      agent('a4', 'Gone', { active: false }),
    ])
    await db.teams.bulkPut([
      team('t1', 'Sales'),
      team('t2', 'Support'),
    ])
    await db.labels.bulkPut([
      label('l1', 'VIP'),
    ])
    await db.channels.bulkPut([
      channel('ch1', '+40 700 000 001'),
    ])
    await authSessionStorage.setValue(session(admin))
  })

  describe('controls', () => {
    it('asks for the last 30 days in the chosen zone by default, with the session\'s token', async () => {
      await mountPage('#tz=Europe%2FBucharest')
      const url = last('/api/reports/summary')
      expect(url.origin).toBe('https://inbox.example.com')
      expect(url.searchParams.get('tz')).toBe('Europe/Bucharest')
      const from = Number(url.searchParams.get('from'))
      const to = Number(url.searchParams.get('to'))
      // 30 whole local days ending with today (a DST change may make it an hour shorter or longer).
      expect(Math.abs(to - from - 30 * DAY)).toBeLessThanOrEqual(3600_000)
      expect(to).toBeGreaterThan(Date.now())
      expect(to - Date.now()).toBeLessThanOrEqual(DAY)
      expect([
        ...url.searchParams.keys(),
      ].sort()).toEqual(['from', 'to', 'tz'])
      const init = fetchMock.mock.calls.find(([input]) => String(input).includes('/summary'))![1] as RequestInit
      expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    })

    it('asks again for each change, and keeps the choices in the address', async () => {
      const wrapper = await mountPage()
      await wrapper.get('[data-period="7"]').trigger('click')
      await settle(() => {
        const url = last('/api/reports/summary')
        expect(Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'))).toBe(7 * DAY)
      })

      await wrapper.get(testid('business-hours')).setValue(true)
      await settle(() => expect(last('/api/reports/summary').searchParams.get('hours')).toBe('1:540-1020,2:540-1020,3:540-1020,4:540-1020,5:540-1020'))
      await wrapper.get(testid('hours-start')).setValue('480')
      await settle(() => expect(last('/api/reports/summary').searchParams.get('hours')).toMatch(/^1:480-1020,/))

      await wrapper.get(testid('filter-agent')).setValue('a2')
      await wrapper.get(testid('filter-team')).setValue('t1')
      await wrapper.get(testid('filter-label')).setValue('l1')
      await wrapper.get(testid('filter-number')).setValue('ch1')
      await settle(() => {
        const url = last('/api/reports/summary')
        expect(url.searchParams.get('agentId')).toBe('a2')
        expect(url.searchParams.get('teamId')).toBe('t1')
        expect(url.searchParams.get('labelId')).toBe('l1')
        expect(url.searchParams.get('channelId')).toBe('ch1')
      })
      expect(location.hash).toBe('#period=7&tz=UTC&bh=480-1020&agent=a2&team=t1&label=l1&number=ch1')

      // The filters list what Dexie holds (inactive agents left out).
      expect(wrapper.findAll(`${testid('filter-agent')} option`).map(option => option.text())).toEqual([
        'reports_controls_allAgents',
        'Adi Admin',
        'Ana Pop',
        'Bogdan Rus',
      ])
      expect(wrapper.findAll(`${testid('filter-number')} option`).map(option => option.text())).toEqual(['reports_controls_allNumbers', '+40 700 000 001'])
    })

    it('opens the view the address describes (a shared link)', async () => {
      const wrapper = await mountPage('#period=custom&from=2025-01-01&to=2025-01-31&tz=UTC&team=t2&tab=teams')
      const url = last('/api/reports/summary')
      expect(Number(url.searchParams.get('from'))).toBe(Date.UTC(2025, 0, 1))
      expect(Number(url.searchParams.get('to'))).toBe(Date.UTC(2025, 1, 1))
      expect(url.searchParams.get('teamId')).toBe('t2')
      expect((wrapper.get(testid('custom-from')).element as HTMLInputElement).value).toBe('2025-01-01')
      expect(wrapper.get('[role="tab"][aria-selected="true"]').attributes('data-tab')).toBe('teams')
    })

    it('asks nothing for a custom period that ends before it starts, and says why', async () => {
      const wrapper = await mountPage('#period=custom&from=2025-01-01&to=2025-01-31&tz=UTC')
      const before = requests('/api/reports/summary').length
      await wrapper.get(testid('custom-from')).setValue('2025-02-15')
      await wrapper.get(testid('custom-from')).trigger('change')
      await flushPromises()
      expect(wrapper.get(testid('period-problem')).text()).toBe('reports_controls_problems_fromAfterTo')
      expect(requests('/api/reports/summary')).toHaveLength(before)
    })

    it('locks an agent to themself, whatever the address says', async () => {
      await authSessionStorage.setValue(session(ana))
      const wrapper = await mountPage('#tz=UTC&agent=a2')
      expect(requests('/api/reports/summary').every(url => url.searchParams.get('agentId') === 'a1')).toBe(true)
      const select = wrapper.get(testid('filter-agent'))
      expect(select.attributes('disabled')).toBeDefined()
      expect(select.findAll('option').map(option => option.text())).toEqual(['Ana Pop'])
      expect(wrapper.find(testid('locked-agent-hint')).exists()).toBe(true)
      expect(location.hash).toContain('agent=a1')
      // Another link opened later cannot switch to someone else either.
      location.hash = '#tz=UTC&agent=a2&period=7'
      window.dispatchEvent(new HashChangeEvent('hashchange'))
      await settle(() => expect(Number(last('/api/reports/summary').searchParams.get('to')) - Number(last('/api/reports/summary').searchParams.get('from'))).toBe(7 * DAY))
      expect(last('/api/reports/summary').searchParams.get('agentId')).toBe('a1')
    })
  })

  describe('states', () => {
    it('shows the forbidden state on a 403', async () => {
      routes['/api/reports/summary'] = () => jsonResponse({
        error: { code: 'forbidden', message: 'no' },
      }, 403)
      const wrapper = await mountPage()
      expect(wrapper.get(testid('report-forbidden')).text()).toContain('reports_forbidden_title')
      expect(wrapper.find(testid('report-charts')).exists()).toBe(false)
    })

    it('says so when nothing happened in the period', async () => {
      summary = emptySummary()
      const wrapper = await mountPage()
      expect(wrapper.get(testid('report-empty')).text()).toContain('reports_empty')
      expect(wrapper.find(testid('report-charts')).exists()).toBe(false)
    })

    it('translates the error and retries', async () => {
      routes['/api/reports/summary'] = () => jsonResponse({
        error: {
          code: 'invalid_request',
          message: 'bad tz',
          field: 'tz',
          details: { reason: 'unknown_time_zone' },
        },
      }, 400)
      const wrapper = await mountPage()
      expect(wrapper.get(testid('report-error-text')).text()).toBe('reports_errors_unknownTimeZone')
      routes['/api/reports/summary'] = () => jsonResponse({
        error: { code: 'service_unavailable', message: 'down' },
      }, 503)
      await wrapper.get(testid('report-retry')).trigger('click')
      await settle(() => expect(wrapper.get(testid('report-error-text')).text()).toBe('reports_errors_unavailable'))
      routes['/api/reports/summary'] = () => jsonResponse(summary)
      await wrapper.get(testid('report-retry')).trigger('click')
      await settle(() => expect(wrapper.find(testid('report-charts')).exists()).toBe(true))
    })

    it('asks to sign in when there is no session, and asks the server nothing', async () => {
      await authSessionStorage.setValue(null)
      const wrapper = await mountPage()
      expect(wrapper.find(testid('signed-out')).exists()).toBe(true)
      expect(fetchMock).not.toHaveBeenCalled()
    })
  })

  describe('content', () => {
    it('shows the live overview', async () => {
      const wrapper = await mountPage()
      await settle(() => expect(wrapper.find(testid('live-updated')).exists()).toBe(true))
      const values = wrapper.findAll(`${testid('report-live')} ${testid('live-value')}`).map(value => value.text())
      expect(values).toEqual(['12', '3', '42 min', '1'])
      expect(wrapper.get(testid('live-waiting-link')).attributes('href')).toBe('inbox.html#/c/k1')
      expect(wrapper.get(`${testid('report-live')} [data-testid="live-detail"]`).text()).toBe('reports_live_waitingCount 4')
    })

    it('sorts the table by any column, and switches groups', async () => {
      const wrapper = await mountPage()
      const names = () => wrapper.findAll(testid('row-name')).map(name => name.text())
      // Agents: most assigned first by default.
      expect(names()).toEqual([
        'Bogdan Rus',
        'Ana Pop',
        'Cora Ilie',
        'reports_table_noAgent',
      ])
      await wrapper.get('[data-sort="firstResponseP50"]').trigger('click')
      expect(names()).toEqual([
        'Bogdan Rus',
        'Ana Pop',
        'Cora Ilie',
        'reports_table_noAgent',
      ])
      await wrapper.get('[data-sort="firstResponseP50"]').trigger('click')
      // Ascending; no value still last.
      expect(names()).toEqual([
        'Ana Pop',
        'Bogdan Rus',
        'Cora Ilie',
        'reports_table_noAgent',
      ])
      expect(wrapper.get('th[aria-sort]').text()).toContain('reports_table_p50')
      await wrapper.get('[data-sort="name"]').trigger('click')
      expect(names()).toEqual([
        'Ana Pop',
        'Bogdan Rus',
        'Cora Ilie',
        'reports_table_noAgent',
      ])
      await wrapper.get('[data-tab="teams"]').trigger('click')
      expect(names()).toEqual(['Sales', 'Support'])
      expect(location.hash).toContain('tab=teams')
    })

    it('drills down from a heatmap cell: the same query plus the cell, each conversation linking to the inbox', async () => {
      const wrapper = await mountPage('#tz=UTC&team=t1')
      await wrapper.get('[data-weekday="1"][data-hour="9"]').trigger('click')
      await settle(() => expect(wrapper.findAll(testid('drill-link'))).toHaveLength(2))
      const summaryUrl = last('/api/reports/summary')
      const url = last('/api/reports/conversations')
      expect(Object.fromEntries(url.searchParams)).toEqual({
        ...Object.fromEntries(summaryUrl.searchParams),
        metric: 'messagesIn',
        weekday: '1',
        hour: '9',
      })
      expect(wrapper.findAll(testid('drill-link')).map(link => link.attributes('href'))).toEqual(['inbox.html#/c/k1', 'inbox.html#/c/k2'])
      expect(wrapper.findAll(testid('drill-contact')).map(name => name.text())).toEqual(['Maria Popescu', 'reports_drill_unknownContact'])
      expect(wrapper.get(testid('drill-title')).text()).toBe('reports_metrics_messagesIn · Monday, 9:00 AM–10:00 AM')

      // Another figure for the same cell.
      await wrapper.get(testid('drill-metric')).setValue('opened')
      await settle(() => expect(last('/api/reports/conversations').searchParams.get('metric')).toBe('opened'))
      expect(last('/api/reports/conversations').searchParams.get('hour')).toBe('9')

      await wrapper.get(testid('drill-close')).trigger('click')
      expect(wrapper.find(testid('report-drill')).exists()).toBe(false)
    })

    it('drills down from a table row and pages through the conversations', async () => {
      routes['/api/reports/conversations'] = url => jsonResponse(url.searchParams.get('cursor')
        ? drillPage({
            items: [
              {
                ...drillPage().items[0]!,
                conversationId: 'k3',
                contactName: 'Third',
              },
            ],
            total: 3,
            nextCursor: null,
          })
        : drillPage({ total: 3, nextCursor: 'next-1' }))
      const wrapper = await mountPage()
      await wrapper.get('[data-testid="table-row"][data-id="a1"] [data-column="closed"]').trigger('click')
      await settle(() => expect(wrapper.findAll(testid('drill-link'))).toHaveLength(2))
      expect(last('/api/reports/conversations').searchParams.get('metric')).toBe('closed')
      expect(last('/api/reports/conversations').searchParams.get('agentId')).toBe('a1')
      await wrapper.get(testid('drill-more')).trigger('click')
      await settle(() => expect(wrapper.findAll(testid('drill-link'))).toHaveLength(3))
      expect(last('/api/reports/conversations').searchParams.get('cursor')).toBe('next-1')
      expect(wrapper.find(testid('drill-more')).exists()).toBe(false)
      // A row without an id (no agent) cannot be narrowed to: nothing happens.
      const before = requests('/api/reports/conversations').length
      await wrapper.get('[data-testid="table-row"][data-id=""] [data-column="opened"]').trigger('click')
      await flushPromises()
      expect(requests('/api/reports/conversations')).toHaveLength(before)
    })

    it('downloads both CSV exports for the current query, with the token, through an object URL', async () => {
      const created: Blob[] = []
      const revoked: string[] = []
      vi.stubGlobal('URL', Object.assign(class extends URL {}, {
        createObjectURL: (blob: Blob) => {
          created.push(blob)
          return `blob:test/${created.length}`
        },
        revokeObjectURL: (url: string) => revoked.push(url),
      }))
      const clicks: { href: string, download: string }[] = []
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        clicks.push({ href: this.href, download: this.download })
      })
      const wrapper = await mountPage('#period=custom&from=2025-01-01&to=2025-01-31&tz=UTC&label=l1')
      await wrapper.get(testid('export-conversations')).trigger('click')
      await settle(() => expect(revoked).toEqual(['blob:test/1']))
      await wrapper.get(testid('export-aggregates')).trigger('click')
      await settle(() => expect(revoked).toEqual(['blob:test/1', 'blob:test/2']))

      const query = {
        from: String(Date.UTC(2025, 0, 1)),
        to: String(Date.UTC(2025, 1, 1)),
        tz: 'UTC',
        labelId: 'l1',
      }
      expect(Object.fromEntries(last('/api/reports/conversations.csv').searchParams)).toEqual(query)
      expect(Object.fromEntries(last('/api/reports/aggregates.csv').searchParams)).toEqual(query)
      const csvInit = fetchMock.mock.calls.find(([input]) => String(input).includes('.csv'))![1] as RequestInit
      expect((csvInit.headers as Record<string, string>).Authorization).toBe('Bearer tok')
      expect(await created[0]!.text()).toBe('conversation_id\nk1\n')
      expect(clicks.map(click => click.download)).toEqual([
        'wa-inbox-conversations-2025-01-01_2025-01-31.csv',
        'wa-inbox-aggregates-2025-01-01_2025-01-31.csv',
      ])
      expect(document.querySelector('a[download]')).toBeNull()
    })

    it('says when an export failed', async () => {
      routes['/api/reports/aggregates.csv'] = () => jsonResponse({
        error: { code: 'rate_limited', message: 'slow down' },
      }, 429)
      const wrapper = await mountPage()
      await wrapper.get(testid('export-aggregates')).trigger('click')
      await settle(() => expect(wrapper.get(testid('export-error')).text()).toBe('reports_export_failed reports_errors_rateLimited'))
    })
  })
})
