/**
 * Reports figures (issue 7): a 90-day, 50-agent workspace with 1,000,000 messages (BENCH_QUICK:
 * 50,000) and its assignment / status history, seeded straight into the database. Then:
 * - `reports_refresh_cold`: the first refresh, building the facts of every conversation (what a
 *   server does once after migration 0005, in the background);
 * - `reports_summary`: the summary computed in-process (the service the route calls) for the last
 *   7, 30 and 90 days, with and without business hours, facts fresh; median and max of 5 runs (the
 *   first run also loads the day segments into the cache: `first_ms`);
 * - `reports_refresh_incremental`: 100 new messages in 100 conversations, then the refresh, and
 *   the 7-day summary after it (which includes that refresh's check).
 */
import type { Storage } from '../server/src/storage/db.ts'
import { sql } from 'kysely'
import { refreshFacts, reportSummary } from '../server/src/reports/index.ts'
import { migrate, openStorage } from '../server/src/storage/db.ts'
import { benchDatabase, emit, percentile, WA } from './lib.ts'

const DAY = 24 * 60 * 60 * 1000
const MIN = 60_000

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

async function insertMany(storage: Storage, table: string, rows: Record<string, unknown>[]) {
  if (rows.length === 0)
    return
  if (storage.engine === 'postgres') {
    // One parameter per 20,000 rows; listing the columns keeps the others' defaults.
    const columns = sql.join(Object.keys(rows[0]!).map(c => sql.ref(c)))
    for (let i = 0; i < rows.length; i += 20_000)
      await sql`INSERT INTO ${sql.table(table)} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${sql.table(table)}, ${JSON.stringify(rows.slice(i, i + 20_000))})`.execute(storage.db)
    return
  }
  const columns = Object.keys(rows[0]!).length
  const size = Math.floor(30_000 / columns)
  await storage.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += size)
      await trx.insertInto(table as any).values(rows.slice(i, i + size) as any).execute()
  })
}

export async function seed(storage: Storage, messagesWanted: number, agents: number): Promise<{ workspaceId: string, now: number, conversations: number, events: number }> {
  const db = storage.db
  const now = Date.UTC(2025, 5, 30, 12)
  const ws = 'bench-reports'
  await db.insertInto('workspaces').values({ id: ws, name: 'reports bench', created_at: now - 100 * DAY }).execute()
  const channels = [
    'bench-ch-1',
    'bench-ch-2',
  ]
  await insertMany(storage, 'channels', channels.map((id, i) => ({
    id,
    workspace_id: ws,
    phone_number_id: `10654035224292${i}`,
    waba_id: WA.wabaId,
    display_phone_number: `+4070000000${i}`,
    access_token: 'x',
    app_secret: 'x',
    verify_token: 'x',
    throughput_per_second: 80,
    created_at: now,
    updated_at: now,
  })))
  const agentIds = Array.from({ length: agents }, (_, i) => `bench-agent-${i}`)
  await insertMany(storage, 'agents', agentIds.map((id, i) => ({
    id,
    workspace_id: ws,
    email: `${id}@bench.test`,
    name: `Agent ${i}`,
    role: 'agent',
    password_hash: 'x',
    active: 1,
    created_at: now,
    updated_at: now,
    availability: i % 3 === 0
      ? 'online'
      : 'offline',
    availability_at: null,
    restricted: 0,
  })))
  const teamIds = Array.from({ length: 5 }, (_, i) => `bench-team-${i}`)
  await insertMany(storage, 'teams', teamIds.map((id, i) => ({
    id,
    workspace_id: ws,
    name: `Team ${i}`,
    name_key: `team ${i}`,
    created_at: now,
    updated_at: now,
  })))
  await insertMany(storage, 'team_members', agentIds.map((id, i) => ({ team_id: teamIds[i % 5]!, agent_id: id, workspace_id: ws })))
  const labelIds = Array.from({ length: 10 }, (_, i) => `bench-label-${i}`)
  await insertMany(storage, 'labels', labelIds.map((id, i) => ({
    id,
    workspace_id: ws,
    name: `Label ${i}`,
    name_key: `label ${i}`,
    color: 'blue',
    created_at: now,
    updated_at: now,
  })))

  const random = rng(7)
  const perConversation = 20
  const count = Math.ceil(messagesWanted / perConversation)
  let messages: Record<string, unknown>[] = []
  let events: Record<string, unknown>[] = []
  let contacts: Record<string, unknown>[] = []
  let conversations: Record<string, unknown>[] = []
  let contactLabels: Record<string, unknown>[] = []
  let written = 0
  let eventCount = 0
  const flush = async () => {
    await insertMany(storage, 'contacts', contacts)
    await insertMany(storage, 'conversations', conversations)
    await insertMany(storage, 'contact_labels', contactLabels)
    await insertMany(storage, 'messages', messages)
    await insertMany(storage, 'conversation_events', events)
    eventCount += events.length
    contacts = []
    conversations = []
    contactLabels = []
    messages = []
    events = []
  }
  for (let c = 0; c < count; c++) {
    const cid = `bc-${c}`
    const vid = `bv-${c}`
    const channel = channels[c % 2]!
    contacts.push({
      id: cid,
      workspace_id: ws,
      wa_id: String(40_700_000_000 + c),
      user_id: null,
      username: null,
      profile_name: `Customer ${c}`,
      created_at: now - 90 * DAY,
      updated_at: now,
    })
    if (c % 4 === 0) {
      contactLabels.push({
        contact_id: cid,
        label_id: labelIds[c % 10]!,
        workspace_id: ws,
        created_by: null,
        created_at: now,
      })
    }
    let t = now - 90 * DAY + Math.floor(random() * 88 * DAY)
    let assignee: string | null = null
    const team = teamIds[c % 5]!
    let status = 'open'
    let m = 0
    const event = (kind: string, from: string | null, to: string | null, at: number) => {
      events.push({
        id: `be-${c}-${events.length}`,
        workspace_id: ws,
        conversation_id: vid,
        kind,
        actor_id: null,
        from_value: from,
        to_value: to,
        created_at: at,
      })
    }
    const message = (direction: 'in' | 'out', sentBy: string | null, failed: boolean) => {
      messages.push({
        id: `bm-${c}-${m}`,
        workspace_id: ws,
        conversation_id: vid,
        channel_id: channel,
        wamid: `wamid.bench.${c}.${m}`,
        client_id: null,
        direction,
        type: 'text',
        status: failed
          ? 'failed'
          : direction === 'in'
            ? 'delivered'
            : 'read',
        content: '{"body":"hello"}',
        context: null,
        referral: null,
        error: failed ? '{"code":131047,"title":"Re-engagement message"}' : null,
        reaction: null,
        raw: null,
        timestamp: t,
        created_at: t,
        updated_at: t,
        sent_at: null,
        delivered_at: null,
        read_at: null,
        played_at: null,
        failed_at: failed ? t : null,
        sent_by: sentBy,
      })
      m++
    }
    // eslint-disable-next-line no-unmodified-loop-condition -- `message()` advances m
    while (m < perConversation && t < now) {
      // a cycle: the customer writes, maybe a bot answers, someone is assigned, exchanges, close
      message('in', null, false)
      if (random() < 0.3) {
        t += 20_000
        message('out', null, false)
      }
      if (!assignee) {
        t += Math.floor(random() * 30 * MIN)
        const next = agentIds[Math.floor(random() * agentIds.length)]!
        event('assigned', assignee, next, t)
        assignee = next
      }
      const exchanges = 1 + Math.floor(random() * 4)
      // eslint-disable-next-line no-unmodified-loop-condition -- `message()` advances m
      for (let x = 0; x < exchanges && m < perConversation - 1; x++) {
        t += Math.floor(random() * 60 * MIN) + 1000
        message('out', assignee, random() < 0.02)
        t += Math.floor(random() * 120 * MIN) + 1000
        message('in', null, false)
      }
      t += Math.floor(random() * 30 * MIN) + 1000
      message('out', assignee, false)
      t += Math.floor(random() * 3 * 60 * MIN)
      event('status', status, 'closed', t)
      status = 'closed'
      if (random() < 0.3) {
        event('assigned', assignee, null, t + 1)
        assignee = null
      }
      t += Math.floor(random() * 10 * DAY)
      status = 'open'
    }
    written += m
    conversations.push({
      id: vid,
      workspace_id: ws,
      channel_id: channel,
      contact_id: cid,
      status: 'closed',
      unread_count: 0,
      last_message_id: null,
      last_message_at: null,
      last_message_preview: null,
      last_message_direction: 'out',
      last_message_type: 'text',
      last_inbound_at: null,
      window_expires_at: null,
      created_at: now - 90 * DAY,
      updated_at: now,
      assignee_id: assignee,
      team_id: team,
      snoozed_until: null,
      inbound_count: 0,
      status_changed_at: null,
      assigned_at: null,
    })
    if (messages.length >= 50_000)
      await flush()
  }
  await flush()
  if (storage.engine === 'postgres')
    await sql`ANALYZE`.execute(db)
  else await sql`ANALYZE`.execute(db)
  return {
    workspaceId: ws,
    now,
    conversations: count,
    events: eventCount,
    messages: written,
  } as any
}

export async function benchReports(engine: 'sqlite' | 'postgres', postgresUrl: string, messages: number): Promise<void> {
  const database = await benchDatabase(engine, postgresUrl)
  const storage = openStorage({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, sqliteSynchronous: 'NORMAL' })
  try {
    await migrate(storage)
    const seedStart = performance.now()
    const seeded = await seed(storage, messages, 50) as any
    emit({
      bench: 'reports_seed',
      engine,
      messages: seeded.messages,
      conversations: seeded.conversations,
      events: seeded.events,
      agents: 50,
      days: 90,
      seconds: Math.round((performance.now() - seedStart) / 100) / 10,
    })
    const admin = {
      id: 'bench-admin',
      workspace_id: seeded.workspaceId,
      email: 'a@bench.test',
      name: 'Admin',
      role: 'admin' as const,
      sessionId: 'x',
      restricted: false,
      teamIds: [],
    }
    const coldStart = performance.now()
    const cold = await refreshFacts(storage.db, seeded.workspaceId)
    emit({
      bench: 'reports_refresh_cold',
      engine,
      conversations: cold.conversations,
      segments: cold.days,
      seconds: Math.round((performance.now() - coldStart) / 100) / 10,
    })
    const hours = [1, 2, 3, 4, 5].map(d => `${d}:540-1020`).join(',')
    for (const days of (process.env.DAYS
      ? [
          Number(process.env.DAYS),
        ]
      : [7, 30, 90])) {
      for (const business of [false, true]) {
        const times: number[] = []
        let summary: any
        for (let run = 0; run < 5; run++) {
          const start = performance.now()
          summary = await reportSummary(storage.db, admin, {
            from: seeded.now - days * DAY,
            to: seeded.now,
            tz: 'Europe/Bucharest',
            ...(business
              ? { hours }
              : {}),
          })
          times.push(performance.now() - start)
        }
        const first = times[0]!
        times.sort((a, b) => a - b)
        emit({
          bench: 'reports_summary',
          engine,
          days,
          businessHours: business,
          messagesInPeriod: summary.totals.messagesIn + summary.totals.messagesOut,
          opened: summary.totals.opened,
          firstResponses: summary.totals.firstResponse.count,
          replies: summary.totals.reply.count,
          median_ms: percentile(times, 50),
          max_ms: percentile(times, 100),
          first_ms: Math.round(first),
          target_ms: engine === 'postgres'
            ? 500
            : 1000,
        })
      }
    }
    // Incremental: 100 new messages (inbound and agents' answers) in 100 conversations.
    const random = rng(11)
    const fresh: Record<string, unknown>[] = []
    for (let i = 0; i < 100; i++) {
      const c = Math.floor(random() * seeded.conversations)
      const t = seeded.now - 60 * MIN + i * 1000
      const inbound = i % 2 === 0
      fresh.push({
        id: `bm-new-${i}`,
        workspace_id: seeded.workspaceId,
        conversation_id: `bv-${c}`,
        channel_id: `bench-ch-${(c % 2) + 1}`,
        wamid: `wamid.bench.new.${i}`,
        client_id: null,
        direction: inbound ? 'in' : 'out',
        type: 'text',
        status: inbound ? 'delivered' : 'sent',
        content: '{"body":"again"}',
        context: null,
        referral: null,
        error: null,
        reaction: null,
        raw: null,
        timestamp: t,
        created_at: t,
        updated_at: t,
        sent_at: null,
        delivered_at: null,
        read_at: null,
        played_at: null,
        failed_at: null,
        sent_by: inbound ? null : 'bench-agent-1',
      })
    }
    await insertMany(storage, 'messages', fresh)
    const incStart = performance.now()
    const inc = await refreshFacts(storage.db, seeded.workspaceId)
    const incMs = performance.now() - incStart
    const afterStart = performance.now()
    const after = await reportSummary(storage.db, admin, { from: seeded.now - 7 * DAY, to: seeded.now, tz: 'Europe/Bucharest' })
    emit({
      bench: 'reports_refresh_incremental',
      engine,
      newMessages: 100,
      conversations: inc.conversations,
      segmentsRewritten: inc.days,
      refresh_ms: Math.round(incMs),
      summary7d_after_ms: Math.round(performance.now() - afterStart),
      messagesIn7d: after.totals.messagesIn,
    })
  }
  finally {
    await storage.close()
    await database.drop()
  }
}
