/** The drill-down: the conversations behind one figure of the summary. */
import type { ReportConversationPage, ReportConversationsQuery } from '../../../protocol/reports.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import type { MetricId } from './metrics.ts'
import { reportContext } from './context.ts'
import { conversationIds } from './facts-read.ts'
import { Metric } from './metrics.ts'
import { scan } from './scan.ts'
import { badInput, parseDay } from './time.ts'

const DURATION_METRIC_IDS = new Set<MetricId>([
  Metric.firstResponse,
  Metric.reply,
  Metric.resolution,
  Metric.unassignedWait,
])

/** The drill-down's bucket and page from the query (400 invalid_bucket / invalid_cursor). */
function drillBucket(query: ReportConversationsQuery): { day: number | null, offset: number, limit: number } {
  let day: number | null = null
  if (query.day !== undefined) {
    day = parseDay(query.day)
    if (day === null)
      throw badInput('day', 'invalid_bucket', 'must be a date YYYY-MM-DD')
  }
  if ((query.weekday === undefined) !== (query.hour === undefined)) {
    throw badInput(query.weekday === undefined
      ? 'weekday'
      : 'hour', 'invalid_bucket', 'weekday and hour go together (a heatmap cell)')
  }
  const limit = query.limit ?? 50
  let offset = 0
  if (query.cursor !== undefined) {
    const n = /^o(\d{1,9})$/.exec(query.cursor)
    if (!n)
      throw badInput('cursor', 'invalid_cursor', 'not a cursor this server issued')
    offset = Number(n[1])
  }
  return { day, offset, limit }
}

/** The conversations behind one figure: exactly the measurements the summary counted, filtered by metric and bucket. */
export async function reportConversations(db: Db, caller: SessionAgent, query: ReportConversationsQuery): Promise<ReportConversationPage> {
  const ctx = reportContext(caller, query)
  const metric = Metric[query.metric]
  const { day, offset, limit } = drillBucket(query)
  const found = new Map<number, { conv: number, count: number, value: number | null, at: number }>()
  const { clock } = ctx
  await scan(db, ctx, () => (m, conv, at, value) => {
    if (m !== metric)
      return
    if (day !== null && clock.day(at) !== day)
      return
    if (query.weekday !== undefined && (clock.weekday(at) !== query.weekday || clock.hour(at) !== query.hour))
      return
    const entry = found.get(conv)
    if (entry) {
      entry.count++
      entry.at = Math.max(entry.at, at)
      if (value !== null)
        entry.value = Math.max(entry.value ?? 0, value)
    }
    else {
      found.set(conv, {
        conv,
        count: 1,
        value: DURATION_METRIC_IDS.has(m)
          ? value
          : null,
        at,
      })
    }
  })
  const idOf = await conversationIds(db, ctx.workspaceId, [
    ...found.keys(),
  ])
  const all = [
    ...found.values(),
  ].map(f => ({ ...f, id: idOf.get(f.conv) ?? '' })).sort((a, b) => b.at - a.at || (a.id < b.id
    ? -1
    : 1))
  const page = all.slice(offset, offset + limit)
  const convRows = page.length === 0
    ? []
    : await db.selectFrom('conversations').select([
        'id',
        'contact_id',
        'channel_id',
        'assignee_id',
        'team_id',
      ]).where('id', 'in', page.map(p => p.id)).execute()
  const convOf = new Map(convRows.map(r => [r.id, r]))
  const contacts = convRows.length === 0
    ? []
    : await db.selectFrom('contacts').select(['id', 'name', 'profile_name']).where('id', 'in', convRows.map(r => r.contact_id)).execute()
  const contactName = new Map(contacts.map(c => [c.id, c.name ?? c.profile_name]))
  return {
    items: page.map((p) => {
      const c = convOf.get(p.id)
      return {
        conversationId: p.id,
        contactId: c?.contact_id ?? '',
        contactName: c
          ? (contactName.get(c.contact_id) ?? null)
          : null,
        channelId: c?.channel_id ?? '',
        assigneeId: c?.assignee_id ?? null,
        teamId: c?.team_id ?? null,
        count: p.count,
        value: p.value,
        at: p.at,
      }
    }),
    total: all.length,
    nextCursor: offset + limit < all.length
      ? `o${offset + limit}`
      : null,
  }
}
