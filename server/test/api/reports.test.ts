import type { TestServer } from '../helper.ts'
/**
 * Reports (issue 7) on constructed histories with known answers: every metric's definition
 * (README, "Reports"), grouping, percentiles, business hours, time zones, permissions, CSV
 * exports, drill-down and input checks.
 */
import type { Member } from '../team.ts'
import type { History } from './fixtures/report-history.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam } from '../team.ts'
import { history } from './fixtures/report-history.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
/** Monday 2025-03-03 00:00 UTC */
const MON = Date.UTC(2025, 2, 3)
const at = (day: number, h: number, m = 0) => MON + day * DAY + h * HOUR + m * MIN

let server: TestServer
let h: History
let agent1: Member
let agent2: Member
let t1: string
let t2: string
let vip: string
let channel2: string
const conv: Record<string, string> = {}

beforeAll(async () => {
  server = await startServer()
  h = await history(server)
  t1 = await addTeam(server, 'Sales')
  t2 = await addTeam(server, 'Support')
  agent1 = await addAgent(server, {
    name: 'Ana',
    teamIds: [t1],
  })
  // restricted, in no team: sees only what is assigned to them now
  agent2 = await addAgent(server, { name: 'Bogdan', restricted: true })
  vip = await h.addLabel('VIP')
  channel2 = await h.addChannel('+40 700 000 002')

  // A: two cycles. Cycle 1: first response 20 min (a bot message does not stop it), replies
  // 10 and 30 min (a second inbound does not restart the clock), unassigned 5 min, resolved in 2 h.
  const a = conv.a = await h.conversation({
    name: '=Pop, "Ana"\nX',
    teamId: t1,
    labelIds: [vip],
  })
  await h.inbound(a, at(0, 10))
  await h.assign(a, agent1.id, at(0, 10, 5))
  await h.outbound(a, at(0, 10, 10), null)
  await h.outbound(a, at(0, 10, 20), agent1.id)
  await h.inbound(a, at(0, 10, 30))
  await h.inbound(a, at(0, 10, 31))
  await h.outbound(a, at(0, 10, 40), agent1.id)
  await h.inbound(a, at(0, 11))
  await h.outbound(a, at(0, 11, 30), agent1.id)
  await h.status(a, 'closed', at(0, 12))
  // Cycle 2 (reopened by the customer, still assigned): first response 15 min by agent2.
  await h.inbound(a, at(1, 9))
  await h.outbound(a, at(1, 9, 15), agent2.id)

  // B: on the second number, handled by a bot only; one bot send failed.
  const b = conv.b = await h.conversation({ channelId: channel2 })
  await h.inbound(b, at(0, 14))
  await h.outbound(b, at(0, 14, 1), null)
  await h.outbound(b, at(0, 14, 2), null, { code: 131047, title: 'Re-engagement message' })

  // C: moved to team Support; a failed human send is no response; the first response is 10 min.
  const c = conv.c = await h.conversation()
  await h.inbound(c, at(2, 8))
  await h.team(c, t2, at(2, 8, 1))
  await h.outbound(c, at(2, 8, 5), agent1.id, { code: 131026, title: 'Message undeliverable' })
  await h.outbound(c, at(2, 8, 10), agent1.id)
})

afterAll(async () => server.close())

const week = `from=${MON}&to=${MON + 7 * DAY}`

async function summary(query: string, api = server.api) {
  const res = await api(`/api/reports/summary?${query}`)
  expect(res.status, await res.clone().text()).toBe(200)
  return await json(res)
}

describe('summary', () => {
  it('counts and measures each metric as defined', async () => {
    const s = await summary(week)
    const t = s.totals
    expect(t).toMatchObject({
      opened: 4,
      assigned: 1,
      closed: 1,
      messagesIn: 7,
      messagesOut: 9,
      botMessages: 3,
      failed: 2,
      botHandled: 1,
      humanHandled: 3,
    })
    // first responses 20, 15, 10 min: nearest rank p50 = 15, p90 = 20
    expect(t.firstResponse).toEqual({
      count: 3,
      p50: 15 * MIN,
      p90: 20 * MIN,
      mean: 15 * MIN,
    })
    expect(t.reply).toEqual({
      count: 2,
      p50: 10 * MIN,
      p90: 30 * MIN,
      mean: 20 * MIN,
    })
    expect(t.resolution).toEqual({
      count: 1,
      p50: 2 * HOUR,
      p90: 2 * HOUR,
      mean: 2 * HOUR,
    })
    expect(t.unassignedWait).toEqual({
      count: 1,
      p50: 5 * MIN,
      p90: 5 * MIN,
      mean: 5 * MIN,
    })
    expect(s.failedByReason).toEqual([
      { code: 131026, title: 'Message undeliverable', count: 1 },
      { code: 131047, title: 'Re-engagement message', count: 1 },
    ])
  })

  it('groups by agent, team, label and number', async () => {
    const s = await summary(week)
    const row = (rows: any[], id: string | null) => rows.find(r => r.id === id)?.metrics
    expect(row(s.agents, agent1.id).firstResponse).toMatchObject({ count: 2, p50: 10 * MIN, p90: 20 * MIN })
    expect(row(s.agents, agent1.id).reply.count).toBe(2)
    expect(row(s.agents, agent2.id).firstResponse).toMatchObject({ count: 1, p50: 15 * MIN })
    expect(s.agents.find((r: any) => r.id === agent1.id).name).toBe('Ana')
    expect(row(s.teams, t1).firstResponse).toMatchObject({ count: 2, p50: 15 * MIN, p90: 20 * MIN })
    expect(row(s.teams, t2).firstResponse).toMatchObject({ count: 1, p50: 10 * MIN })
    expect(row(s.labels, vip)).toMatchObject({ opened: 2, closed: 1, messagesIn: 5 })
    expect(row(s.channels, channel2)).toMatchObject({
      opened: 1,
      botMessages: 2,
      failed: 1,
      botHandled: 1,
      humanHandled: 0,
    })
    expect(row(s.channels, h.channelId)).toMatchObject({ opened: 3, humanHandled: 3 })
  })

  it('attributes a measurement to the period its clock stops in', async () => {
    // Tuesday only: cycle 2 of A (opened, first response) and nothing of Monday's.
    const s = await summary(`from=${at(1, 0)}&to=${at(2, 0)}`)
    expect(s.totals).toMatchObject({
      opened: 1,
      closed: 0,
      messagesIn: 1,
      messagesOut: 1,
    })
    expect(s.totals.firstResponse).toMatchObject({ count: 1, p50: 15 * MIN })
    // A period starting after the inbound message still measures the answer given inside it.
    const late = await summary(`from=${at(0, 10, 15)}&to=${at(0, 23)}`)
    expect(late.totals.opened).toBe(1) // B at 14:00, not A (opened at 10:00)
    expect(late.totals.firstResponse).toMatchObject({ count: 1, p50: 20 * MIN })
    expect(late.totals.resolution).toMatchObject({ count: 1, p50: 2 * HOUR })
  })

  it('a trend point per local day and a heatmap in the time zone', async () => {
    const s = await summary(week)
    expect(s.trend).toHaveLength(7)
    expect(s.trend[0]).toMatchObject({
      day: '2025-03-03',
      opened: 2,
      closed: 1,
      messagesIn: 5,
      firstResponseP50: 20 * MIN,
    })
    expect(s.heatmap.messagesIn[0][10]).toBe(3)
    expect(s.heatmap.opened[2][8]).toBe(1)
  })
})

describe('permissions', () => {
  it('an agent asking about another agent gets 403', async () => {
    const res = await agent1.api(`/api/reports/summary?${week}&agentId=${agent2.id}`)
    expect(res.status).toBe(403)
    expect((await json(res)).error.code).toBe('forbidden')
  })

  it('an agent sees their own figures', async () => {
    const s = await summary(week, agent1.api)
    expect(s.totals.firstResponse.count).toBe(2)
    expect(s.agents.map((r: any) => r.id)).toEqual([agent1.id])
  })

  it('a restricted agent only counts the conversations they can see', async () => {
    // agent2 answered A's second cycle, but A is assigned to agent1 now.
    const admin = await summary(`${week}&agentId=${agent2.id}`)
    expect(admin.totals.firstResponse.count).toBe(1)
    const own = await summary(week, agent2.api)
    expect(own.totals.firstResponse.count).toBe(0)
    const live = await json(await agent2.api('/api/reports/live'))
    expect(live.open).toBe(0)
  })
})

describe('drill-down', () => {
  it('returns exactly the conversations behind a figure', async () => {
    const get = async (q: string) => {
      const res = await server.api(`/api/reports/conversations?${week}&${q}`)
      expect(res.status, await res.clone().text()).toBe(200)
      return await json(res)
    }
    const fr = await get(`metric=firstResponse&agentId=${agent1.id}`)
    expect(fr.items.map((i: any) => i.conversationId).sort()).toEqual([conv.a, conv.c].sort())
    const reply = await get('metric=reply')
    expect(reply.items).toEqual([
      expect.objectContaining({
        conversationId: conv.a,
        count: 2,
        value: 30 * MIN,
        contactName: '=Pop, "Ana"\nX',
      }),
    ])
    expect((await get('metric=botHandled')).items.map((i: any) => i.conversationId)).toEqual([conv.b])
    expect((await get('metric=messagesIn&weekday=1&hour=10')).items.map((i: any) => i.conversationId)).toEqual([conv.a])
    expect((await get('metric=opened&day=2025-03-05')).items.map((i: any) => i.conversationId)).toEqual([conv.c])
    const paged = await get('metric=opened&limit=2')
    expect(paged.total).toBe(3)
    expect(paged.items).toHaveLength(2)
    const rest = await get(`metric=opened&limit=2&cursor=${paged.nextCursor}`)
    expect(rest.items).toHaveLength(1)
    expect(rest.nextCursor).toBeNull()
  })
})

describe('cSV exports', () => {
  it('conversations.csv: one row per cycle, escaped, formula-guarded', async () => {
    const res = await server.api(`/api/reports/conversations.csv?${week}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="conversations-/)
    const text = (await res.text()).replace(/^\uFEFF/, '')
    const lines = text.split('\r\n')
    expect(lines[0]).toBe('conversation_id,cycle_started_at,closed_at,contact,phone,whatsapp_number,team,assignee,labels,first_response_s,replies,reply_p50_s,reply_max_s,resolution_s,unassigned_wait_s,messages_in,messages_out,bot_messages,handled_by')
    expect(text).toContain(`${conv.a},2025-03-03T10:00:00+00:00,2025-03-03T12:00:00+00:00,"'=Pop, ""Ana""\nX",`)
    expect(text).toContain(',Sales,Ana,VIP,1200,2,600,1800,7200,300,4,4,1,human')
    expect(text).toContain(',\'+40 700 000 002,,,,,0,,,,,1,2,2,bot') // a leading + is guarded too
    expect(lines.filter(Boolean)).toHaveLength(1 + 4) // header and 4 cycles (the quoted \n is no record separator)
  })

  it('aggregates.csv: total and group rows', async () => {
    const res = await server.api(`/api/reports/aggregates.csv?${week}`)
    const lines = (await res.text()).replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[0]!.startsWith('group,id,name,opened,assigned,closed,')).toBe(true)
    expect(lines[1]).toBe('total,,,4,1,1,7,9,3,2,1,3,3,900,1200,2,600,1800,1,7200,7200,1,300,300')
    expect(lines.some(l => l.startsWith(`team,${t2},Support,`))).toBe(true)
  })
})

describe('input', () => {
  it.each([
    ['tz=Mars/Olympus', 'tz', 'unknown_time_zone'],
    [`from=${MON + DAY}&to=${MON}`, 'from', 'from_after_to'],
    [`from=${MON}&to=${MON + 400 * DAY}`, 'to', 'period_too_long'],
    ['hours=8:0-10', 'hours', 'invalid_schedule'],
  ])('%s → 400 %s', async (q, field, reason) => {
    const query = q.startsWith('from')
      ? q
      : `${week}&${q}`
    const res = await server.api(`/api/reports/summary?${query}`)
    expect(res.status).toBe(400)
    const body = await json(res)
    expect(body.error).toMatchObject({
      code: 'invalid_request',
      field,
      details: { reason },
    })
  })

  it('a missing period is refused', async () => {
    const res = await server.api('/api/reports/summary')
    expect(res.status).toBe(400)
  })
})

describe('business hours and time zones', () => {
  let s2: TestServer
  let g: History
  let agent: Member
  beforeAll(async () => {
    s2 = await startServer()
    g = await history(s2)
    agent = await addAgent(s2, { name: 'Night' })
  })
  afterAll(async () => s2.close())

  it('clips clocks to the schedule across a night and a weekend', async () => {
    const night = await g.conversation()
    await g.inbound(night, at(1, 16, 30)) // Tue 16:30
    await g.outbound(night, at(2, 9, 30), agent.id) // Wed 09:30 → 30 + 30 min
    const weekend = await g.conversation()
    await g.inbound(weekend, at(4, 16)) // Fri 16:00
    await g.outbound(weekend, at(7, 10), agent.id) // Mon 10:00 → 1 h + 1 h
    await g.status(weekend, 'closed', at(7, 18)) // resolution: Fri 16–17 + Mon 9–17 = 9 h
    const hours = [1, 2, 3, 4, 5].map(d => `${d}:540-1020`).join(',')
    const res = await s2.api(`/api/reports/summary?from=${MON}&to=${MON + 14 * DAY}&hours=${hours}`)
    const s = await json(res)
    expect(s.totals.firstResponse).toMatchObject({ count: 2, p50: HOUR, p90: 2 * HOUR })
    expect(s.totals.resolution).toMatchObject({ count: 1, p50: 9 * HOUR })
    const wall = await json(await s2.api(`/api/reports/summary?from=${MON}&to=${MON + 14 * DAY}`))
    expect(wall.totals.firstResponse).toMatchObject({ p50: 17 * HOUR, p90: 66 * HOUR })
  })

  it('buckets the heatmap and days in the time zone, across a DST change', async () => {
    // Europe/Bucharest moves from +02:00 to +03:00 on Sunday 2025-03-30 at 03:00 local.
    const c = await g.conversation()
    await g.inbound(c, Date.UTC(2025, 2, 29, 22, 30)) // Sun 00:30 local
    await g.inbound(c, Date.UTC(2025, 2, 30, 0, 30)) // Sun 02:30 local (+02:00)
    await g.inbound(c, Date.UTC(2025, 2, 30, 1, 30)) // Sun 04:30 local (+03:00)
    const q = `from=${Date.UTC(2025, 2, 29, 22)}&to=${Date.UTC(2025, 2, 30, 21)}&tz=Europe/Bucharest`
    const s = await json(await s2.api(`/api/reports/summary?${q}`))
    expect(s.trend).toEqual([
      expect.objectContaining({ day: '2025-03-30', messagesIn: 3, opened: 1 }),
    ])
    const sunday = s.heatmap.messagesIn[6]
    expect([
      sunday[0],
      sunday[1],
      sunday[2],
      sunday[3],
      sunday[4],
    ]).toEqual([1, 0, 1, 0, 1])
    expect(s.heatmap.opened[6][0]).toBe(1)
    const cell = await json(await s2.api(`/api/reports/conversations?${q}&metric=messagesIn&weekday=7&hour=4`))
    expect(cell.items.map((i: any) => i.conversationId)).toEqual([c])
    const utc = await json(await s2.api(`/api/reports/summary?from=${Date.UTC(2025, 2, 29, 22)}&to=${Date.UTC(2025, 2, 30, 21)}`))
    expect(utc.heatmap.messagesIn[5][22]).toBe(1) // Saturday 22:30 UTC
  })
})

describe('live overview', () => {
  it('open, unassigned, waiting longest and agents online', async () => {
    // W: answered at 08:00, then the customer wrote at 09:00 and 10:00: waiting since 09:00.
    const w = await h.conversation({ assigneeId: agent1.id })
    await h.inbound(w, at(3, 7))
    await h.outbound(w, at(3, 8), agent1.id)
    await h.inbound(w, at(3, 9))
    await h.inbound(w, at(3, 10))
    await server.app.db.updateTable('conversations').set({ last_message_direction: 'in' }).where('id', '=', w).execute()
    await server.app.db.updateTable('agents').set({ availability: 'online' }).where('id', '=', agent1.id).execute()
    const live = await json(await server.api('/api/reports/live'))
    // open: B, C, W (A was closed); unassigned: B, C
    expect(live).toMatchObject({
      open: 3,
      unassigned: 2,
      waiting: 1,
      waitingLongest: {
        conversationId: w,
        since: at(3, 9),
      },
      agentsOnline: 1,
    })
    expect(live.agents[0]).toEqual({
      agentId: agent1.id,
      name: 'Ana',
      availability: 'online',
      open: 1,
    })
    expect(live.agents.map((x: any) => x.name)).toContain('Ana')
  })
})
