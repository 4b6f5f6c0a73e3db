/**
 * Bearer sessions: random tokens, stored only as SHA-256 hashes, revocable, expiring.
 */
import type { Db } from '../storage/db.ts'
import type { AgentsTable } from '../storage/schema.ts'
import { createHash, randomBytes } from 'node:crypto'
import { newId } from '../ids.ts'

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000

export type SessionAgent = Pick<AgentsTable, 'id' | 'workspace_id' | 'email' | 'name' | 'role'> & {
  sessionId: string
  /** sees only conversations assigned to them or their teams (never for admins) */
  restricted: boolean
  teamIds: string[]
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export async function createSession(db: Db, agent: Pick<AgentsTable, 'id' | 'workspace_id'>, now = Date.now()): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await db.insertInto('sessions').values({
    id: newId(),
    workspace_id: agent.workspace_id,
    agent_id: agent.id,
    token_hash: hashToken(token),
    created_at: now,
    last_used_at: now,
    expires_at: now + SESSION_TTL_MS,
    revoked_at: null,
  }).execute()
  return token
}

export async function authenticate(db: Db, token: string, now = Date.now()): Promise<SessionAgent | null> {
  const row = await db.selectFrom('sessions')
    .innerJoin('agents', 'agents.id', 'sessions.agent_id')
    .select([
      'sessions.id as sessionId',
      'sessions.expires_at',
      'sessions.revoked_at',
      'sessions.last_used_at',
      'agents.id',
      'agents.workspace_id',
      'agents.email',
      'agents.name',
      'agents.role',
      'agents.active',
      'agents.restricted',
    ])
    .where('sessions.token_hash', '=', hashToken(token))
    .executeTakeFirst()
  if (!row || row.revoked_at !== null || row.expires_at <= now || !row.active)
    return null
  if (now - row.last_used_at > 60_000)
    await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', row.sessionId).execute()
  const restricted = row.role !== 'admin' && row.restricted === 1
  const teams = restricted
    ? await db.selectFrom('team_members').select('team_id').where('agent_id', '=', row.id).execute()
    : []
  return {
    sessionId: row.sessionId,
    id: row.id,
    workspace_id: row.workspace_id,
    email: row.email,
    name: row.name,
    role: row.role,
    restricted,
    teamIds: teams.map(t => t.team_id),
  }
}

/** Revokes every session of an agent (deactivation, password change), except `keep` if given. */
export async function revokeAgentSessions(db: Db, agentId: string, keep: string | null = null, now = Date.now()): Promise<void> {
  let query = db.updateTable('sessions').set({ revoked_at: now }).where('agent_id', '=', agentId).where('revoked_at', 'is', null)
  if (keep)
    query = query.where('id', '<>', keep)
  await query.execute()
}

export async function revokeSession(db: Db, sessionId: string, now = Date.now()): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute()
}
