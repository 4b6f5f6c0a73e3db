/**
 * `GET /api/sync`: a snapshot of what the agent may see, then every change after a cursor.
 *
 * Changes come from the change log (services/changes.ts), whose numbers are visible strictly in
 * order: a page ending at n can never be followed by a commit numbered below n. Each entity is
 * served once per page, as it is now; an entity that is gone, or that the agent may no longer
 * see, is served as a deletion (messages and notes of a hidden conversation are simply left out;
 * the client drops them with their conversation).
 */
import type { SyncChange, SyncKind, SyncResponse } from '../../../protocol/sync.ts'
import type { Db } from '../storage/db.ts'
import type { SessionAgent } from './sessions.ts'
import { AppError } from '../errors.ts'
import { canSeeConversation, conversationVisibility, isRestricted } from './access.ts'
import { loadAgents, loadChannels, loadContacts, loadConversations, loadLabels, loadMessages, loadNotes, loadNotifications, loadQuickReplies, loadTeams, loadTemplates } from './entities.ts'

interface Cursor {
  /** every change up to this number is reflected */
  s: number
  /** snapshot in progress: phase index and last id served in it */
  p?: number
  a?: string
}

const SNAPSHOT_PHASES = [
  'agent',
  'team',
  'channel',
  'label',
  'quick_reply',
  'template',
  'contact',
  'conversation',
  'message',
  'note',
  'notification',
  // last, so the phase numbers in snapshot cursors already handed out keep their meaning
  'workspace',
] as const
type Phase = typeof SNAPSHOT_PHASES[number]

/** Notifications older than this are not part of a snapshot. */
const NOTIFICATION_HORIZON_MS = 30 * 24 * 60 * 60 * 1000

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url')
}

function decode(value: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor
    if (Number.isSafeInteger(c.s) && c.s >= 0 && (c.p === undefined || (Number.isInteger(c.p) && c.p >= 0 && c.p < SNAPSHOT_PHASES.length)) && (c.a === undefined || typeof c.a === 'string'))
      return c
  }
  catch {}
  throw new AppError(400, 'invalid_request', 'since: not a cursor this server issued', { field: 'since' })
}

export async function pull(db: Db, agent: SessionAgent, since: string | undefined, limit: number, sequencer?: { flush: (timeoutMs?: number) => Promise<boolean> }): Promise<SyncResponse> {
  const cursor = since === undefined
    ? null
    : decode(since)
  // Read your writes: changes committed before this pull are numbered before it reads (cheap when
  // nothing waits: one index lookup). Snapshots read current state and need no numbering; and the
  // wait is bounded, as it only serves freshness (a change numbered later is pulled next time).
  if (sequencer && cursor && cursor.p === undefined) {
    const waiting = await db.selectFrom('changes').select('id').where('seq', 'is', null).where('workspace_id', '=', agent.workspace_id).limit(1).executeTakeFirst()
    if (waiting)
      await sequencer.flush(2000)
  }
  const head = await db.selectFrom('workspaces').select('change_seq').where('id', '=', agent.workspace_id).executeTakeFirstOrThrow()
  if (!cursor)
    return await snapshotPage(db, agent, { s: head.change_seq, p: 0 }, limit, true)
  if (cursor.s > head.change_seq)
    throw new AppError(410, 'cursor_expired', 'since: this cursor is ahead of the server (was its database replaced?); start a new snapshot')
  if (cursor.p !== undefined)
    return await snapshotPage(db, agent, cursor, limit, false)
  const page = await changesPage(db, agent, cursor.s, limit, head.change_seq)
  if (cursor.s < head.change_seq) {
    // Entries are numbered without gaps and pruned only from the oldest end: if the one right
    // after the cursor is gone now (checked after reading, so a prune racing the read counts
    // too), the page may have started after a gap.
    const oldest = await db.selectFrom('changes').select('seq').where('workspace_id', '=', agent.workspace_id).where('seq', 'is not', null).orderBy('seq').limit(1).executeTakeFirst()
    if (!oldest || oldest.seq! > cursor.s + 1)
      throw new AppError(410, 'cursor_expired', 'since: changes this old are no longer kept; start a new snapshot')
  }
  return page
}

async function changesPage(db: Db, agent: SessionAgent, since: number, limit: number, headSeq: number): Promise<SyncResponse> {
  const rows = await db.selectFrom('changes')
    .select([
      'seq',
      'kind',
      'entity_id',
      'conversation_id',
      'contact_id',
    ])
    .where('workspace_id', '=', agent.workspace_id)
    .where('seq', '>', since)
    .where(eb => eb.or([
      eb('agent_id', 'is', null),
      eb('agent_id', '=', agent.id),
    ]))
    .orderBy('seq')
    .limit(limit + 1)
    .execute()
  const hasMore = rows.length > limit
  const page = rows.slice(0, limit)
  // What this agent may see changed wholesale (their teams, their restriction): rather than work
  // out every conversation, contact and note that appeared or vanished, start a new snapshot.
  if (page.some(r => r.kind === 'resync'))
    return await snapshotPage(db, agent, { s: headSeq, p: 0 }, limit, true)
  // Each entity once, at its last position in the page.
  const latest = new Map<string, (typeof page)[number] & { seq: number }>()
  for (const row of page) {
    const key = `${row.kind}|${row.entity_id}`
    latest.delete(key)
    latest.set(key, row as typeof row & { seq: number })
  }
  const byKind = new Map<SyncKind, string[]>()
  for (const row of latest.values()) {
    const ids = byKind.get(row.kind as SyncKind) ?? []
    ids.push(row.entity_id)
    byKind.set(row.kind as SyncKind, ids)
  }
  const found = await loadKinds(db, agent, byKind)
  const changes: SyncChange[] = []
  for (const row of latest.values()) {
    const kind = row.kind as SyncKind
    const key = `${kind}|${row.entity_id}`
    if (found.skipped.has(key))
      continue
    const data = found.data.get(key)
    changes.push(data === undefined
      ? {
          seq: row.seq,
          kind,
          id: row.entity_id,
          op: 'delete',
        }
      : {
          seq: row.seq,
          kind,
          id: row.entity_id,
          op: 'upsert',
          data,
        })
  }
  const last = page.at(-1)
  return {
    changes,
    cursor: encode({ s: last?.seq ?? since }),
    hasMore,
    reset: false,
    snapshot: false,
  }
}

interface Loaded {
  /** kind|id → the entity as the wire shows it */
  data: Map<string, unknown>
  /** kind|id the agent may not see and should not be told about (not even as a deletion) */
  skipped: Set<string>
}

async function loadKinds(db: Db, agent: SessionAgent, byKind: Map<SyncKind, string[]>): Promise<Loaded> {
  const ws = agent.workspace_id
  const data = new Map<string, unknown>()
  const skipped = new Set<string>()
  const put = (kind: SyncKind, items: Array<{ id: string }>) => {
    for (const item of items)
      data.set(`${kind}|${item.id}`, item)
  }
  const ids = (kind: SyncKind) => byKind.get(kind) ?? []
  if (byKind.has('workspace')) {
    const rows = await db.selectFrom('workspaces').select(['id', 'name', 'settings']).where('id', '=', ws).execute()
    put('workspace', rows.map(r => ({
      id: r.id,
      name: r.name,
      settings: JSON.parse(r.settings),
    })))
  }
  if (byKind.has('agent'))
    put('agent', await loadAgents(db, ws, ids('agent')))
  if (byKind.has('team'))
    put('team', await loadTeams(db, ws, ids('team')))
  if (byKind.has('channel'))
    put('channel', await loadChannels(db, ws, ids('channel')))
  if (byKind.has('label'))
    put('label', await loadLabels(db, ws, ids('label')))
  if (byKind.has('quick_reply'))
    put('quick_reply', await loadQuickReplies(db, ws, ids('quick_reply')))
  if (byKind.has('template'))
    put('template', await loadTemplates(db, ws, ids('template')))
  if (byKind.has('notification'))
    put('notification', await loadNotifications(db, agent, ids('notification')))
  if (byKind.has('conversation')) {
    const { items, hidden } = await loadConversations(db, agent, ids('conversation'))
    put('conversation', items)
    void hidden // not in `data`: served as deletions
  }
  if (byKind.has('message')) {
    const messages = await loadMessages(db, ws, ids('message'))
    const visible = await visibleConversationIds(db, agent, messages.map(m => m.conversationId))
    for (const m of messages) {
      if (visible.has(m.conversationId))
        data.set(`message|${m.id}`, m)
      else skipped.add(`message|${m.id}`)
    }
  }
  if (byKind.has('contact') || byKind.has('note')) {
    const contacts = await loadContacts(db, ws, ids('contact'))
    const notes = await loadNotes(db, ws, ids('note'))
    const visible = await visibleContactIds(db, agent, [
      ...contacts.map(c => c.id),
      ...notes.map(n => n.contactId),
    ])
    // Not visible (any more): served as deletions, like conversations, so nothing stale stays.
    for (const c of contacts) {
      if (visible.has(c.id))
        data.set(`contact|${c.id}`, c)
    }
    for (const n of notes) {
      if (visible.has(n.contactId))
        data.set(`note|${n.id}`, n)
    }
  }
  return { data, skipped }
}

/** Conversations (by id) a restricted agent may see; everything for everyone else. */
async function visibleConversationIds(db: Db, agent: SessionAgent, ids: string[]): Promise<Set<string>> {
  return await visibleBy(db, agent, 'id', ids)
}

/** Contacts a restricted agent may see: those with at least one conversation they may see. */
async function visibleContactIds(db: Db, agent: SessionAgent, ids: string[]): Promise<Set<string>> {
  return await visibleBy(db, agent, 'contact_id', ids)
}

async function visibleBy(db: Db, agent: SessionAgent, column: 'id' | 'contact_id', ids: string[]): Promise<Set<string>> {
  const unique = [
    ...new Set(ids),
  ]
  if (!isRestricted(agent))
    return new Set(unique)
  const visible = new Set<string>()
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('conversations').select([
      'id',
      'contact_id',
      'assignee_id',
      'team_id',
    ]).where('workspace_id', '=', agent.workspace_id).where(column, 'in', unique.slice(i, i + 500)).execute()
    for (const r of rows) {
      if (canSeeConversation(agent, r))
        visible.add(r[column])
    }
  }
  return visible
}

async function snapshotPage(db: Db, agent: SessionAgent, cursor: Cursor, limit: number, reset: boolean): Promise<SyncResponse> {
  const changes: SyncChange[] = []
  let phase = cursor.p ?? 0
  let after = cursor.a ?? ''
  while (phase < SNAPSHOT_PHASES.length && changes.length < limit) {
    const kind = SNAPSHOT_PHASES[phase]!
    const want = limit - changes.length
    const { positions, items } = await snapshotItems(db, agent, kind, after, want)
    for (const item of items) {
      changes.push({
        seq: cursor.s,
        kind,
        id: item.id,
        op: 'upsert',
        data: item,
      })
    }
    // Decided on the rows the page query found, not the entities loaded: one that vanished in
    // between must not make the phase look finished.
    if (positions.length === want) {
      after = positions.at(-1)!
      continue
    }
    phase++
    after = ''
  }
  const done = phase >= SNAPSHOT_PHASES.length
  return {
    changes,
    cursor: encode(done
      ? { s: cursor.s }
      : { s: cursor.s, p: phase, a: after }),
    // After the snapshot the client pulls changes from its base: there may be some already.
    hasMore: !done,
    reset,
    snapshot: !done,
  }
}

interface PhasePage { positions: string[], items: Array<{ id: string }> }

/** One page of a snapshot phase, in position order after `after` (the id, or for messages their conversation's). */
async function snapshotItems(db: Db, agent: SessionAgent, kind: Phase, after: string, limit: number): Promise<PhasePage> {
  const ws = agent.workspace_id
  const visible = conversationVisibility(agent)
  const ids = async <T extends { id: string }>(rows: Array<{ id: string }>, load: (ids: string[]) => Promise<T[]>): Promise<PhasePage> => {
    const positions = rows.map(r => r.id)
    return {
      positions,
      items: sortById(await load(positions)),
    }
  }
  switch (kind) {
    case 'workspace': {
      const rows = await db.selectFrom('workspaces').select(['id', 'name', 'settings']).where('id', '=', ws).where('id', '>', after).execute()
      return {
        positions: rows.map(r => r.id),
        items: rows.map(r => ({
          id: r.id,
          name: r.name,
          settings: JSON.parse(r.settings) as Record<string, unknown>,
        })),
      }
    }
    case 'agent':
      return await ids(await db.selectFrom('agents').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadAgents(db, ws, i))
    case 'team':
      return await ids(await db.selectFrom('teams').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadTeams(db, ws, i))
    case 'channel':
      return await ids(await db.selectFrom('channels').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadChannels(db, ws, i))
    case 'label':
      return await ids(await db.selectFrom('labels').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadLabels(db, ws, i))
    case 'quick_reply':
      return await ids(await db.selectFrom('quick_replies').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadQuickReplies(db, ws, i))
    case 'template':
      return await ids(await db.selectFrom('templates').select('id').where('workspace_id', '=', ws).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadTemplates(db, ws, i))
    case 'contact': {
      let q = db.selectFrom('contacts').select('contacts.id').where('contacts.workspace_id', '=', ws).where('contacts.id', '>', after)
      if (visible)
        q = q.where(eb => eb.exists(eb.selectFrom('conversations').select('conversations.id').whereRef('conversations.contact_id', '=', 'contacts.id').where(visible)))
      return await ids(await q.orderBy('contacts.id').limit(limit).execute(), i => loadContacts(db, ws, i))
    }
    case 'conversation': {
      let q = db.selectFrom('conversations').select('id').where('workspace_id', '=', ws).where('id', '>', after)
      if (visible)
        q = q.where(visible)
      return await ids(await q.orderBy('id').limit(limit).execute(), async i => (await loadConversations(db, agent, i)).items)
    }
    case 'message': {
      // Each conversation's latest message; history is fetched per conversation when opened.
      // Paged by conversation id.
      let q = db.selectFrom('conversations').select(['id', 'last_message_id']).where('workspace_id', '=', ws).where('id', '>', after).where('last_message_id', 'is not', null)
      if (visible)
        q = q.where(visible)
      const rows = await q.orderBy('id').limit(limit).execute()
      return {
        positions: rows.map(r => r.id),
        items: await loadMessages(db, ws, rows.map(r => r.last_message_id!)),
      }
    }
    case 'note': {
      let q = db.selectFrom('notes').select('notes.id').where('notes.workspace_id', '=', ws).where('notes.id', '>', after)
      if (visible)
        q = q.where(eb => eb.exists(eb.selectFrom('conversations').select('conversations.id').whereRef('conversations.contact_id', '=', 'notes.contact_id').where(visible)))
      return await ids(await q.orderBy('notes.id').limit(limit).execute(), i => loadNotes(db, ws, i))
    }
    case 'notification':
      return await ids(await db.selectFrom('notifications').select('id').where('workspace_id', '=', ws).where('agent_id', '=', agent.id).where('created_at', '>', Date.now() - NOTIFICATION_HORIZON_MS).where('id', '>', after).orderBy('id').limit(limit).execute(), i => loadNotifications(db, agent, i))
  }
}

function sortById<T extends { id: string }>(items: T[]): T[] {
  return items.sort((a, b) => a.id < b.id
    ? -1
    : a.id > b.id
      ? 1
      : 0)
}
