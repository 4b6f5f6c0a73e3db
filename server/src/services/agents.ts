/**
 * The team: agents (invite, edit, deactivate), passwords, teams and WhatsApp numbers ("channels").
 * Everything is scoped to the caller's workspace (another workspace's ids answer 404); admin-only
 * actions answer 403 to agents. Every write records what changed, so `/api/sync` and `/api/live`
 * carry it to every extension of the workspace.
 */
import type { Transaction } from 'kysely'
import type { Agent, Availability, Channel, CreateChannel, CreateTeam, InviteAgent, InvitedAgent, Role, Team, UpdateAgent, UpdateTeam } from '../../../protocol/team.ts'
import type { Db, Engine } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { ChangeSet, Committed } from './changes.ts'
import type { ChannelRegistry } from './channels.ts'
import type { MutationHandlers } from './mutations.ts'
import type { SessionAgent } from './sessions.ts'
import { randomBytes } from 'node:crypto'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { requireAdmin } from './access.ts'
import { writeTransaction } from './changes.ts'
import { loadAgents, loadChannels, loadTeams } from './entities.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { createSession, revokeAgentSessions } from './sessions.ts'

type Trx = Transaction<Database>

/** What these services need of the app (tests may pass a stand-in). */
export interface TeamApp {
  db: Db
  storage: { engine: Engine }
  publish: (committed: Committed[]) => void
}

/** Fields an agent may change on themselves; everything else is for admins. */
const SELF_EDITABLE = new Set<keyof UpdateAgent>(['name', 'availability'])

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** 144 random bits, base64url: 24 characters an admin can pass on once. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

function cleanName(name: string, field: string): string {
  const trimmed = name.trim()
  if (!trimmed)
    throw new AppError(400, 'invalid_request', `${field}: must not be blank`, { field })
  return trimmed
}

/** A unique index refused the write (both engines; the pre-checks make this a race-only path). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

const emailTaken = () => new AppError(409, 'email_taken', 'email: another agent already uses this address', { field: 'email' })
const teamNameTaken = () => new AppError(409, 'name_taken', 'name: another team already has this name', { field: 'name' })

function resolveId(caller: SessionAgent, id: string): string {
  return id === 'me'
    ? caller.id
    : id
}

// ---------------------------------------------------------------------------------------------
// Agents

export async function listAgents(db: Db, caller: SessionAgent): Promise<Agent[]> {
  return await loadAgents(db, caller.workspace_id)
}

/** `id` may be `me`. */
export async function getAgent(db: Db, caller: SessionAgent, id: string): Promise<Agent> {
  const agent = (await loadAgents(db, caller.workspace_id, [
    resolveId(caller, id),
  ]))[0]
  if (!agent)
    throw notFound('agent')
  return agent
}

/** Every id must name a team of the workspace, else 404 naming `field`. */
async function requireTeams(trx: Trx, workspaceId: string, ids: readonly string[], field: string): Promise<void> {
  if (ids.length === 0)
    return
  const found = new Set((await trx.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', [...ids]).execute()).map(r => r.id))
  const missing = ids.find(id => !found.has(id))
  if (missing)
    throw new AppError(404, 'not_found', `${field}: no such team ${missing}`, { field })
}

/** Every id must name an agent of the workspace, else 404 naming `field`. */
async function requireAgents(trx: Trx, workspaceId: string, ids: readonly string[], field: string): Promise<void> {
  if (ids.length === 0)
    return
  const found = new Set((await trx.selectFrom('agents').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', [...ids]).execute()).map(r => r.id))
  const missing = ids.find(id => !found.has(id))
  if (missing)
    throw new AppError(404, 'not_found', `${field}: no such agent ${missing}`, { field })
}

export async function inviteAgent(app: TeamApp, caller: SessionAgent, body: InviteAgent): Promise<InvitedAgent> {
  requireAdmin(caller)
  const email = normalizeEmail(body.email)
  const name = cleanName(body.name, 'name')
  const generated = body.password === undefined
    ? generatePassword()
    : null
  const passwordHash = await hashPassword(body.password ?? generated!)
  const teamIds = [
    ...new Set(body.teamIds ?? []),
  ]
  const id = newId()
  try {
    const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
      // Emails are unique across workspaces: login finds the agent by email alone.
      if (await trx.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirst())
        throw emailTaken()
      await requireTeams(trx, caller.workspace_id, teamIds, 'teamIds')
      await trx.insertInto('agents').values({
        id,
        workspace_id: caller.workspace_id,
        email,
        name,
        role: body.role ?? 'agent',
        password_hash: passwordHash,
        active: 1,
        restricted: body.restricted
          ? 1
          : 0,
        created_at: now,
        updated_at: now,
      }).execute()
      changes.add(caller.workspace_id, { kind: 'agent', id })
      await addMemberships(trx, caller.workspace_id, teamIds.map(teamId => ({ teamId, agentId: id })), changes, now)
    })
    app.publish(committed)
  }
  catch (error) {
    if (isUniqueViolation(error))
      throw emailTaken()
    throw error
  }
  const agent = await getAgent(app.db, caller, id)
  return generated
    ? { agent, password: generated }
    : { agent }
}

async function addMemberships(trx: Trx, workspaceId: string, pairs: Array<{ teamId: string, agentId: string }>, changes: ChangeSet, now: number): Promise<void> {
  if (pairs.length === 0)
    return
  await trx.insertInto('team_members')
    .values(pairs.map(p => ({ team_id: p.teamId, agent_id: p.agentId, workspace_id: workspaceId })))
    .onConflict(oc => oc.columns(['team_id', 'agent_id']).doNothing())
    .execute()
  await touchMemberships(trx, workspaceId, pairs, changes)
  await trx.updateTable('teams').set({ updated_at: now }).where('id', 'in', [
    ...new Set(pairs.map(p => p.teamId)),
  ]).execute()
}

async function removeMemberships(trx: Trx, workspaceId: string, pairs: Array<{ teamId: string, agentId: string }>, changes: ChangeSet, now: number): Promise<void> {
  if (pairs.length === 0)
    return
  for (const p of pairs)
    await trx.deleteFrom('team_members').where('team_id', '=', p.teamId).where('agent_id', '=', p.agentId).execute()
  await touchMemberships(trx, workspaceId, pairs, changes)
  await trx.updateTable('teams').set({ updated_at: now }).where('id', 'in', [
    ...new Set(pairs.map(p => p.teamId)),
  ]).execute()
}

/**
 * Both sides show a membership (Agent.teamIds, Team.agentIds): both change. What a restricted
 * member may see changes too, so their client is told to start a new snapshot (`resync`).
 */
async function touchMemberships(trx: Trx, workspaceId: string, pairs: Array<{ teamId: string, agentId: string }>, changes: ChangeSet): Promise<void> {
  for (const p of pairs) {
    changes.add(workspaceId, { kind: 'team', id: p.teamId })
    changes.add(workspaceId, { kind: 'agent', id: p.agentId })
  }
  await resyncRestricted(trx, workspaceId, pairs.map(p => p.agentId), changes)
}

/** Restricted agents among these see through their teams: their clients start a new snapshot. */
async function resyncRestricted(trx: Trx, workspaceId: string, agentIds: string[], changes: ChangeSet): Promise<void> {
  const ids = [
    ...new Set(agentIds),
  ]
  if (ids.length === 0)
    return
  const restricted = await trx.selectFrom('agents').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).where('restricted', '=', 1).where('role', '<>', 'admin').execute()
  for (const r of restricted)
    changes.add(workspaceId, { kind: 'resync', id: r.id, agentId: r.id })
}

/**
 * Changes an agent (`id` may be `me`). Admins may change anything of anyone; an agent only their
 * own name and availability. The workspace always keeps an active admin. Answers the agent as it
 * is now; a patch that changes nothing writes nothing.
 */
export async function updateAgent(app: TeamApp, caller: SessionAgent, id: string, patch: UpdateAgent): Promise<Agent> {
  const targetId = resolveId(caller, id)
  const name = patch.name === undefined
    ? undefined
    : cleanName(patch.name, 'name')
  const email = patch.email === undefined
    ? undefined
    : normalizeEmail(patch.email)
  try {
    const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
      const row = await trx.selectFrom('agents').selectAll().where('id', '=', targetId).where('workspace_id', '=', caller.workspace_id).executeTakeFirst()
      if (!row)
        throw notFound('agent')
      // The session's role was read before this transaction: an admin demoted meanwhile is not one.
      const callerIsAdmin = caller.role === 'admin' && (row.id === caller.id
        ? row
        : await trx.selectFrom('agents').select(['role', 'active']).where('id', '=', caller.id).executeTakeFirst())?.role === 'admin'
      if (!callerIsAdmin) {
        if (row.id !== caller.id)
          throw new AppError(403, 'forbidden', 'only an admin may change another agent')
        const denied = (Object.keys(patch) as Array<keyof UpdateAgent>).find(k => patch[k] !== undefined && !SELF_EDITABLE.has(k))
        if (denied)
          throw new AppError(403, 'forbidden', `${denied}: only an admin may change this`, { field: denied })
      }

      const set: Partial<{ name: string, email: string, role: Role, availability: Availability, availability_at: number, restricted: number, active: number }> = {}
      if (name !== undefined && name !== row.name)
        set.name = name
      if (email !== undefined && email !== row.email) {
        if (await trx.selectFrom('agents').select('id').where('email', '=', email).where('id', '<>', row.id).executeTakeFirst())
          throw emailTaken()
        set.email = email
      }
      if (patch.role !== undefined && patch.role !== row.role)
        set.role = patch.role
      if (patch.availability !== undefined && patch.availability !== row.availability) {
        set.availability = patch.availability
        set.availability_at = now
      }
      if (patch.restricted !== undefined && Number(patch.restricted) !== row.restricted)
        set.restricted = Number(patch.restricted)
      if (patch.active !== undefined && Number(patch.active) !== row.active)
        set.active = Number(patch.active)

      const losesAdmin = row.role === 'admin' && row.active === 1 && (set.role === 'agent' || set.active === 0)
      if (losesAdmin)
        await requireAnotherAdmin(trx, app.storage.engine, caller.workspace_id, row.id)

      let membershipChanged = false
      if (patch.teamIds !== undefined) {
        const wanted = new Set(patch.teamIds)
        await requireTeams(trx, caller.workspace_id, [...wanted], 'teamIds')
        const current = new Set((await trx.selectFrom('team_members').select('team_id').where('agent_id', '=', row.id).execute()).map(r => r.team_id))
        const added = [...wanted].filter(t => !current.has(t)).map(teamId => ({ teamId, agentId: row.id }))
        const removed = [...current].filter(t => !wanted.has(t)).map(teamId => ({ teamId, agentId: row.id }))
        await addMemberships(trx, caller.workspace_id, added, changes, now)
        await removeMemberships(trx, caller.workspace_id, removed, changes, now)
        membershipChanged = added.length + removed.length > 0
      }

      if (Object.keys(set).length > 0 || membershipChanged) {
        await trx.updateTable('agents').set({ ...set, updated_at: now }).where('id', '=', row.id).execute()
        changes.add(caller.workspace_id, { kind: 'agent', id: row.id })
      }
      // Becoming (un)restricted, or a restricted agent changing role, changes what they may see.
      if (set.restricted !== undefined || (set.role !== undefined && row.restricted === 1))
        changes.add(caller.workspace_id, { kind: 'resync', id: row.id, agentId: row.id })
      // Deactivation ends every session at once (their next request is 401). Their conversations
      // keep them as assignee: an admin reassigns deliberately; nothing is unassigned silently.
      // Sessions stay revoked if the agent is reactivated later: they sign in again.
      if (set.active === 0)
        await revokeAgentSessions(trx, row.id, null, now)
    })
    app.publish(committed)
  }
  catch (error) {
    if (isUniqueViolation(error))
      throw emailTaken()
    throw error
  }
  return await getAgent(app.db, caller, targetId)
}

/**
 * Refuses (422 last_admin) unless the workspace has an active admin other than `agentId`. On
 * PostgreSQL the active admins' rows are locked first, so two admins demoting each other at once
 * take turns and the second sees the first's result; SQLite runs one write transaction at a time.
 */
async function requireAnotherAdmin(trx: Trx, engine: Engine, workspaceId: string, agentId: string): Promise<void> {
  let q = trx.selectFrom('agents').select('id').where('workspace_id', '=', workspaceId).where('role', '=', 'admin').where('active', '=', 1).orderBy('id')
  if (engine === 'postgres')
    q = q.forNoKeyUpdate()
  const admins = await q.execute()
  if (!admins.some(a => a.id !== agentId))
    throw new AppError(422, 'last_admin', 'the workspace must keep at least one active admin')
}

/** Sets the caller's availability (the status the team sees beside their name). */
export async function setAvailability(app: TeamApp, caller: SessionAgent, availability: Availability): Promise<Agent> {
  return await updateAgent(app, caller, caller.id, { availability })
}

// Verifying against a fixed dummy hash when the email is unknown keeps timing the same either way.
const dummyHash = hashPassword('not-a-real-password')

/** Signs in with email and password: a new session token and the agent, or 401 `invalid_credentials`. */
export async function signIn(db: Db, email: string, password: string): Promise<{ token: string, agent: Agent }> {
  const agent = await db.selectFrom('agents').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
  const ok = await verifyPassword(password, agent?.password_hash ?? await dummyHash)
  // A deactivated agent gets the same answer as a wrong password: nothing to learn by probing.
  if (!agent || !ok || !agent.active)
    throw new AppError(401, 'invalid_credentials', 'wrong email or password')
  const token = await createSession(db, agent)
  return {
    token,
    agent: (await loadAgents(db, agent.workspace_id, [agent.id]))[0]!,
  }
}

/** The caller as an Agent. */
export async function me(db: Db, caller: SessionAgent): Promise<Agent> {
  return (await loadAgents(db, caller.workspace_id, [caller.id]))[0]!
}

/**
 * Changes the caller's password after checking the current one. Every other session of the agent
 * is revoked (a stolen token stops working); the one making the request keeps working.
 */
export async function changePassword(db: Db, caller: SessionAgent, currentPassword: string, newPassword: string): Promise<void> {
  const row = await db.selectFrom('agents').select(['password_hash']).where('id', '=', caller.id).where('workspace_id', '=', caller.workspace_id).executeTakeFirst()
  if (!row)
    throw notFound('agent')
  if (!await verifyPassword(currentPassword, row.password_hash))
    throw new AppError(403, 'wrong_password', 'currentPassword: not the current password', { field: 'currentPassword' })
  const hash = await hashPassword(newPassword)
  // No change entry: the password is no part of the Agent anyone syncs.
  await db.transaction().execute(async (trx) => {
    const now = Date.now()
    await trx.updateTable('agents').set({ password_hash: hash }).where('id', '=', caller.id).execute()
    await revokeAgentSessions(trx, caller.id, caller.sessionId, now)
  })
}

// ---------------------------------------------------------------------------------------------
// Teams

export async function listTeams(db: Db, caller: SessionAgent): Promise<Team[]> {
  return await loadTeams(db, caller.workspace_id)
}

async function getTeam(db: Db, caller: SessionAgent, id: string): Promise<Team> {
  const team = (await loadTeams(db, caller.workspace_id, [id]))[0]
  if (!team)
    throw notFound('team')
  return team
}

function teamNameKey(name: string): string {
  return name.trim().toLowerCase()
}

async function requireFreeTeamName(trx: Trx, workspaceId: string, key: string, exceptId: string | null): Promise<void> {
  let q = trx.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('name_key', '=', key)
  if (exceptId)
    q = q.where('id', '<>', exceptId)
  if (await q.executeTakeFirst())
    throw teamNameTaken()
}

export async function createTeam(app: TeamApp, caller: SessionAgent, body: CreateTeam): Promise<Team> {
  requireAdmin(caller)
  const name = cleanName(body.name, 'name')
  const agentIds = [
    ...new Set(body.agentIds ?? []),
  ]
  const id = newId()
  try {
    const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
      await requireFreeTeamName(trx, caller.workspace_id, teamNameKey(name), null)
      await requireAgents(trx, caller.workspace_id, agentIds, 'agentIds')
      await trx.insertInto('teams').values({
        id,
        workspace_id: caller.workspace_id,
        name,
        name_key: teamNameKey(name),
        created_at: now,
        updated_at: now,
      }).execute()
      changes.add(caller.workspace_id, { kind: 'team', id })
      await addMemberships(trx, caller.workspace_id, agentIds.map(agentId => ({ teamId: id, agentId })), changes, now)
    })
    app.publish(committed)
  }
  catch (error) {
    if (isUniqueViolation(error))
      throw teamNameTaken()
    throw error
  }
  return await getTeam(app.db, caller, id)
}

/** Renames a team and/or replaces its members. */
export async function updateTeam(app: TeamApp, caller: SessionAgent, id: string, patch: UpdateTeam): Promise<Team> {
  requireAdmin(caller)
  const name = patch.name === undefined
    ? undefined
    : cleanName(patch.name, 'name')
  try {
    const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
      const row = await trx.selectFrom('teams').selectAll().where('id', '=', id).where('workspace_id', '=', caller.workspace_id).executeTakeFirst()
      if (!row)
        throw notFound('team')
      let changed = false
      if (name !== undefined && name !== row.name) {
        const key = teamNameKey(name)
        if (key !== row.name_key)
          await requireFreeTeamName(trx, caller.workspace_id, key, row.id)
        await trx.updateTable('teams').set({ name, name_key: key, updated_at: now }).where('id', '=', row.id).execute()
        changed = true
      }
      if (patch.agentIds !== undefined) {
        const wanted = new Set(patch.agentIds)
        await requireAgents(trx, caller.workspace_id, [...wanted], 'agentIds')
        const current = new Set((await trx.selectFrom('team_members').select('agent_id').where('team_id', '=', row.id).execute()).map(r => r.agent_id))
        const added = [...wanted].filter(a => !current.has(a)).map(agentId => ({ teamId: row.id, agentId }))
        const removed = [...current].filter(a => !wanted.has(a)).map(agentId => ({ teamId: row.id, agentId }))
        await addMemberships(trx, caller.workspace_id, added, changes, now)
        await removeMemberships(trx, caller.workspace_id, removed, changes, now)
        if (added.length + removed.length > 0) {
          // Agents' own rows change too (updatedAt), as their teamIds did.
          await trx.updateTable('agents').set({ updated_at: now }).where('id', 'in', [
            ...added,
            ...removed,
          ].map(p => p.agentId)).execute()
          changed = true
        }
      }
      if (changed)
        changes.add(caller.workspace_id, { kind: 'team', id: row.id })
    })
    app.publish(committed)
  }
  catch (error) {
    if (isUniqueViolation(error))
      throw teamNameTaken()
    throw error
  }
  return await getTeam(app.db, caller, id)
}

/**
 * Deletes a team: its memberships go, and its conversations lose their team (each move recorded
 * with the admin as actor). Sync serves the team as a deletion, since it no longer exists.
 */
export async function deleteTeam(app: TeamApp, caller: SessionAgent, id: string): Promise<void> {
  requireAdmin(caller)
  const ws = caller.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await trx.selectFrom('teams').select('id').where('id', '=', id).where('workspace_id', '=', ws).executeTakeFirst()
    if (!row)
      throw notFound('team')
    const members = (await trx.selectFrom('team_members').select('agent_id').where('team_id', '=', id).execute()).map(r => r.agent_id)
    await trx.deleteFrom('team_members').where('team_id', '=', id).execute()
    if (members.length > 0)
      await trx.updateTable('agents').set({ updated_at: now }).where('id', 'in', members).execute()
    const conversations = await trx.updateTable('conversations')
      .set({ team_id: null, updated_at: now })
      .where('workspace_id', '=', ws)
      .where('team_id', '=', id)
      .returning(['id', 'contact_id'])
      .execute()
    for (let i = 0; i < conversations.length; i += 200) {
      await trx.insertInto('conversation_events').values(conversations.slice(i, i + 200).map(c => ({
        id: newId(),
        workspace_id: ws,
        conversation_id: c.id,
        kind: 'team' as const,
        actor_id: caller.id,
        from_value: id,
        to_value: null,
        created_at: now,
      }))).execute()
    }
    await trx.deleteFrom('teams').where('id', '=', id).execute()
    for (const c of conversations)
      changes.conversation(ws, c.id, c.contact_id)
    for (const agentId of members)
      changes.add(ws, { kind: 'agent', id: agentId })
    await resyncRestricted(trx, ws, members, changes)
    changes.add(ws, { kind: 'team', id })
  })
  app.publish(committed)
}

// ---------------------------------------------------------------------------------------------
// Channels (WhatsApp numbers)

export async function listChannels(db: Db, caller: SessionAgent): Promise<Channel[]> {
  return await loadChannels(db, caller.workspace_id)
}

const phoneNumberTaken = () => new AppError(409, 'phone_number_taken', 'phoneNumberId: this number is already connected', { field: 'phoneNumberId' })

/**
 * Adds a WhatsApp number. Its token and secrets are stored for the connector and never served
 * back; the webhook path's registry is reloaded so the number's webhooks verify at once.
 */
export async function createChannel(app: TeamApp & { channels: ChannelRegistry, config: { throughputPerSecond: number } }, caller: SessionAgent, body: CreateChannel): Promise<Channel> {
  requireAdmin(caller)
  const id = newId()
  try {
    const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
      // phone_number_id is unique across workspaces: Meta's webhooks are routed by it alone.
      if (await trx.selectFrom('channels').select('id').where('phone_number_id', '=', body.phoneNumberId).executeTakeFirst())
        throw phoneNumberTaken()
      await trx.insertInto('channels').values({
        id,
        workspace_id: caller.workspace_id,
        phone_number_id: body.phoneNumberId,
        waba_id: body.wabaId,
        display_phone_number: body.displayPhoneNumber?.trim() || null,
        access_token: body.accessToken,
        app_secret: body.appSecret,
        verify_token: body.verifyToken,
        throughput_per_second: body.throughputPerSecond ?? app.config.throughputPerSecond,
        created_at: now,
        updated_at: now,
      }).execute()
      changes.add(caller.workspace_id, { kind: 'channel', id })
    })
    app.publish(committed)
  }
  catch (error) {
    if (isUniqueViolation(error))
      throw phoneNumberTaken()
    throw error
  }
  await app.channels.reload(true)
  return (await loadChannels(app.db, caller.workspace_id, [id]))[0]!
}

export const agentMutations: MutationHandlers = {
  'agent.setAvailability': async ({ app, agent }, args) => await setAvailability(app, agent, args.availability),
}
