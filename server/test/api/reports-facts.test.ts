import type { TestServer } from '../helper.ts'
/**
 * Materialised report facts (server/src/reports/): after every kind of change — a new
 * message, an assignment, a close, a reopen, a send that failed later, a deleted conversation —
 * the next report equals what the replay of the recorded history answers (the reference: the
 * engine replaying the period, as reports were computed before the facts), and equals a rebuild of
 * the facts from scratch. Random histories cover cycles open longer than the lookback and
 * reassignments after the period's end.
 */
import type { History } from './fixtures/report-history.ts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COUNT_METRICS, Metric as M, nearestRank, refreshFacts, replay, reportContext, reportSummary } from '../../src/reports/index.ts'
import { json, startServer } from '../helper.ts'
import { addAgent, addTeam } from '../team.ts'
import { history } from './fixtures/report-history.ts'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
/** Monday 2025-01-06 00:00 UTC */
const T0 = Date.UTC(2025, 0, 6)

let server: TestServer
let h: History
let admin: any
const agents: string[] = []

beforeAll(async () => {
  server = await startServer()
  h = await history(server)
  const me = await json(await server.api('/api/auth/me'))
  const id = me.agent?.id ?? me.id
  const row = await server.app.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  admin = {
    ...row,
    role: 'admin',
    restricted: false,
    teamIds: [],
    sessionId: 'test',
  }
  for (const name of ['Ana', 'Bogdan', 'Carmen'])
    agents.push((await addAgent(server, { name })).id)
})

afterAll(async () => server.close())

const NAMES = Object.keys(M) as Array<keyof typeof M>

/** Totals as the engine's replay of the period answers them (what reports computed before facts). */
async function reference(query: { from: number, to: number, tz?: string, hours?: string }) {
  const ctx = reportContext(admin, query)
  const counts = Array.from<number>({ length: COUNT_METRICS }).fill(0)
  const durations: number[][] = [[], [], [], []]
  const perAgent = new Map<string | null, number>()
  await replay(server.app.db, ctx, {
    measure(metric, _conv, _at, value, agentId) {
      if (metric < COUNT_METRICS)
        counts[metric]!++
      else durations[metric - COUNT_METRICS]!.push(value!)
      perAgent.set(agentId, (perAgent.get(agentId) ?? 0) + 1)
    },
  })
  const out: Record<string, unknown> = {}
  for (const name of NAMES) {
    const m = M[name]
    if (m < COUNT_METRICS) {
      out[name] = counts[m]
    }
    else {
      const v = durations[m - COUNT_METRICS]!.sort((a, b) => a - b)
      out[name] = {
        count: v.length,
        p50: nearestRank(v, 50),
        p90: nearestRank(v, 90),
        mean: v.length
          ? Math.round(v.reduce((a, b) => a + b, 0) / v.length)
          : null,
      }
    }
  }
  return { totals: out, perAgent }
}

async function facts(query: { from: number, to: number, tz?: string, hours?: string }) {
  const s = await reportSummary(server.app.db, admin, query)
  const perAgent = new Map<string | null, number>()
  for (const row of s.agents) {
    const m = row.metrics as any
    let n = 0
    for (const name of NAMES) {
      n += typeof m[name] === 'number'
        ? m[name]
        : m[name].count
    }
    perAgent.set(row.id, n)
  }
  return { summary: s, totals: s.totals, perAgent }
}

const HOURS = '1:540-1020,2:540-1020,3:540-1020,4:540-1020,5:540-1020'

/** Asserts facts = replay for several periods, time zones, with and without business hours. */
async function agree(periods: Array<[number, number]>) {
  for (const [from, to] of periods) {
    for (const extra of [
      {},
      { tz: 'Asia/Kolkata', hours: HOURS },
    ]) {
      const q = { from, to, ...extra }
      const [a, b] = await Promise.all([
        facts(q),
        reference(q),
      ])
      expect(a.totals, JSON.stringify(q)).toEqual(b.totals)
      expect(a.perAgent, JSON.stringify(q)).toEqual(b.perAgent)
    }
  }
}

function strip(s: any) {
  const { generatedAt: _g, computeMs: _c, ...rest } = s
  return rest
}

async function rebuildEquals(query: { from: number, to: number, tz?: string, hours?: string }) {
  const before = strip(await reportSummary(server.app.db, admin, query))
  const db = server.app.db
  for (const table of [
    'report_segments',
    'report_conv',
    'report_keys',
    'report_state',
  ])
    await sql`DELETE FROM ${sql.table(table)} WHERE workspace_id = ${h.workspaceId}`.execute(db)
  await sql`INSERT INTO report_dirty (workspace_id, conversation_id) SELECT workspace_id, id FROM conversations WHERE workspace_id = ${h.workspaceId}`.execute(db)
  const rebuilt = await refreshFacts(db, h.workspaceId)
  expect(rebuilt.conversations).toBeGreaterThan(0)
  expect(strip(await reportSummary(db, admin, query))).toEqual(before)
}

describe('which workspaces are tracked', () => {
  it('a workspace that never asked for a report queues nothing; its first report builds every conversation', async () => {
    const db = server.app.db
    const queued = async () => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM report_dirty WHERE workspace_id = ${h.workspaceId}`.execute(db)).rows[0]!.n)
    const tracked = async () => (await sql`SELECT 1 FROM report_state WHERE workspace_id = ${h.workspaceId}`.execute(db)).rows.length
    expect(await tracked()).toBe(0)
    // long before the periods the other tests use
    const y = await h.conversation()
    await h.inbound(y, T0 - 300 * DAY)
    expect(await queued()).toBe(0)
    const r = await refreshFacts(db, h.workspaceId)
    expect(r.conversations).toBeGreaterThan(0)
    expect(await tracked()).toBe(1)
    expect(await queued()).toBe(0)
    await h.inbound(y, T0 - 300 * DAY + HOUR)
    expect(await queued()).toBe(1)
    await refreshFacts(db, h.workspaceId)
  })
})

describe('incremental facts', () => {
  const week = { from: T0, to: T0 + 7 * DAY }
  let x: string

  it('a new message, an assignment and a close change the next report', async () => {
    const empty = await facts(week)
    expect(empty.totals.opened).toBe(0)

    x = await h.conversation()
    await h.inbound(x, T0 + 10 * HOUR)
    let s = await facts(week)
    expect(s.totals).toMatchObject({
      opened: 1,
      messagesIn: 1,
      firstResponse: { count: 0 },
    })

    await h.outbound(x, T0 + 10 * HOUR + 10 * MIN, agents[0]!)
    s = await facts(week)
    expect(s.totals).toMatchObject({
      messagesOut: 1,
      firstResponse: { count: 1, p50: 10 * MIN },
      unassignedWait: { count: 0 },
    })

    await h.assign(x, agents[1]!, T0 + 10 * HOUR + 20 * MIN)
    s = await facts(week)
    expect(s.totals).toMatchObject({
      assigned: 1,
      unassignedWait: { count: 1, p50: 20 * MIN },
    })
    expect(s.summary.agents.find(r => r.id === agents[1])?.metrics.assigned).toBe(1)

    await h.status(x, 'closed', T0 + 12 * HOUR)
    s = await facts(week)
    expect(s.totals).toMatchObject({
      closed: 1,
      resolution: { count: 1, p50: 2 * HOUR },
      humanHandled: 1,
    })
    await agree([
      [week.from, week.to],
    ])
  })

  it('a send that fails later no longer stops the clock', async () => {
    const db = server.app.db
    await db.updateTable('messages').set({
      status: 'failed',
      error: JSON.stringify({ code: 131026, title: 'Message undeliverable' }),
    }).where('conversation_id', '=', x).where('direction', '=', 'out').execute()
    const s = await facts(week)
    expect(s.totals).toMatchObject({
      failed: 1,
      firstResponse: { count: 0 },
      humanHandled: 0,
      botHandled: 1,
    })
    expect(s.summary.failedByReason).toEqual([
      { code: 131026, title: 'Message undeliverable', count: 1 },
    ])
    await agree([
      [week.from, week.to],
    ])
  })

  it('a reopen starts a new cycle; deleting the conversation removes its facts', async () => {
    await h.status(x, 'open', T0 + DAY)
    await h.inbound(x, T0 + DAY + HOUR)
    await h.outbound(x, T0 + DAY + HOUR + 5 * MIN, agents[2]!)
    let s = await facts(week)
    expect(s.totals).toMatchObject({
      opened: 2,
      firstResponse: { count: 1, p50: 5 * MIN },
    })
    await agree([
      [week.from, week.to],
      [T0 + DAY, T0 + 2 * DAY],
    ])
    await rebuildEquals(week)

    const db = server.app.db
    await db.deleteFrom('messages').where('conversation_id', '=', x).execute()
    await db.deleteFrom('conversation_events').where('conversation_id', '=', x).execute()
    await db.deleteFrom('conversations').where('id', '=', x).execute()
    s = await facts(week)
    expect(s.totals).toMatchObject({
      opened: 0,
      messagesIn: 0,
      assigned: 0,
      closed: 0,
    })
    expect(s.summary.agents).toEqual([])
    const conv = await sql<{ n: number }>`SELECT count(*) AS n FROM report_conv WHERE conversation_id = ${x}`.execute(db)
    expect(Number(conv.rows[0]!.n)).toBe(0)
  })

  it('a refresh rewrites only the days whose facts changed', async () => {
    const y = await h.conversation()
    for (let d = 0; d < 5; d++) {
      await h.inbound(y, T0 + d * DAY + HOUR)
      await h.outbound(y, T0 + d * DAY + 2 * HOUR, agents[0]!)
    }
    await refreshFacts(server.app.db, h.workspaceId)
    await h.inbound(y, T0 + 5 * DAY + HOUR)
    const r = await refreshFacts(server.app.db, h.workspaceId)
    expect(r).toMatchObject({ conversations: 1, days: 1 })
    expect((await refreshFacts(server.app.db, h.workspaceId)).conversations).toBe(0)
  })
})

describe('random histories', () => {
  it('facts equal the replay and a rebuild, across the lookback and after later reassignments', async () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0
      return seed / 2 ** 32
    }
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!
    const base = T0 + 30 * DAY
    for (let c = 0; c < 14; c++) {
      const id = await h.conversation()
      let t = base + Math.floor(random() * 20 * DAY)
      let open = true
      const steps = 10 + Math.floor(random() * 25)
      for (let s = 0; s < steps; s++) {
        // conversation 0: a cycle open for 150 days (longer than the lookback), then answered
        t += c === 0 && s === 1
          ? 150 * DAY
          : Math.floor(random() * (random() < 0.2
              ? 5 * DAY
              : 3 * HOUR))
        const r = random()
        if (r < 0.3) {
          await h.inbound(id, t)
        }
        else if (r < 0.45) {
          await h.outbound(id, t, pick(agents))
        }
        else if (r < 0.5) {
          await h.outbound(id, t, null)
        }
        else if (r < 0.55) {
          await h.outbound(id, t, pick(agents), { code: 131047, title: 'Re-engagement message' })
        }
        else if (r < 0.7) {
          await h.assign(id, random() < 0.3
            ? null
            : pick(agents), t)
        }
        else if (r < 0.8) {
          await h.team(id, random() < 0.5
            ? null
            : await teamId(), t)
        }
        else if (r < 0.9 && (c !== 0 || s > 3)) {
          await h.status(id, open ? 'closed' : 'open', t)
          open = !open
        }
        else {
          await h.inbound(id, t)
          await h.outbound(id, t, pick(agents))
        }
      }
    }
    const periods: Array<[number, number]> = [
      [base, base + 7 * DAY],
      [base + 3 * DAY + 5 * HOUR, base + 40 * DAY + 17 * MIN],
      [base + 100 * DAY, base + 200 * DAY],
      [base + 150 * DAY, base + 180 * DAY],
      [base - 10 * DAY, base + 300 * DAY],
    ]
    await agree(periods)
    await rebuildEquals({
      from: base,
      to: base + 200 * DAY,
      tz: 'America/St_Johns',
      hours: HOURS,
    })
  })
})

let team: string | null = null
async function teamId(): Promise<string> {
  if (!team) {
    team = await addTeam(server, 'Random')
  }
  return team!
}
