/**
 * Team fixtures for API tests: agents and second workspaces inserted directly (so a test does not
 * depend on the invite API it is not testing), customers writing in through signed webhooks, and
 * sync helpers.
 */
import type { TestServer } from './helper.ts'
import { newId } from '../src/ids.ts'
import { hashPassword } from '../src/services/passwords.ts'
import { customer, envelope, json, login, textMessage } from './helper.ts'

export interface Member {
  id: string
  token: string
  workspaceId: string
  api: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>
}

let counter = 0

export function apiAs(url: string, token: string): Member['api'] {
  return async (p, init = {}) => {
    const { json: body, ...rest } = init
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(rest.headers as Record<string, string> | undefined) }
    if (body !== undefined)
      headers['content-type'] = 'application/json'
    return await fetch(`${url}${p}`, {
      ...rest,
      headers,
      ...(body !== undefined
        ? {
            body: JSON.stringify(body),
            method: rest.method ?? 'POST',
          }
        : {}),
    })
  }
}

async function workspaceOf(server: TestServer): Promise<string> {
  return (await server.app.db.selectFrom('workspaces').select('id').orderBy('created_at').executeTakeFirstOrThrow()).id
}

/** An agent (or admin) of the server's first workspace, or of `workspaceId`, logged in. */
export async function addAgent(server: TestServer, options: { role?: 'admin' | 'agent', restricted?: boolean, name?: string, workspaceId?: string, teamIds?: string[] } = {}): Promise<Member> {
  counter++
  const workspaceId = options.workspaceId ?? await workspaceOf(server)
  const email = `agent${counter}-${Date.now()}@example.com`
  const now = Date.now()
  const id = newId()
  await server.app.db.insertInto('agents').values({
    id,
    workspace_id: workspaceId,
    email,
    name: options.name ?? `Agent ${counter}`,
    role: options.role ?? 'agent',
    password_hash: await hashPassword('agent-password'),
    active: 1,
    restricted: options.restricted ? 1 : 0,
    created_at: now,
    updated_at: now,
  }).execute()
  for (const teamId of options.teamIds ?? [])
    await server.app.db.insertInto('team_members').values({ team_id: teamId, agent_id: id, workspace_id: workspaceId }).execute()
  const token = await login(server.url, email, 'agent-password')
  return {
    id,
    token,
    workspaceId,
    api: apiAs(server.url, token),
  }
}

/** A second workspace with its own admin (and no WhatsApp number). */
export async function otherWorkspace(server: TestServer): Promise<Member> {
  const id = newId()
  await server.app.db.insertInto('workspaces').values({
    id,
    name: 'Other team',
    created_at: Date.now(),
  }).execute()
  return await addAgent(server, { role: 'admin', workspaceId: id })
}

export async function addTeam(server: TestServer, name: string, workspaceId?: string): Promise<string> {
  const id = newId()
  const now = Date.now()
  await server.app.db.insertInto('teams').values({
    id,
    workspace_id: workspaceId ?? await workspaceOf(server),
    name,
    name_key: name.toLowerCase(),
    created_at: now,
    updated_at: now,
  }).execute()
  return id
}

/** A customer writes in (signed webhook); answers their conversation's id. */
export async function customerSays(server: TestServer, waId: string, name: string, body = 'Bună ziua!', timestamp?: number): Promise<string> {
  const message = textMessage(waId, body, timestamp
    ? {
        timestamp: String(Math.floor(timestamp / 1000)),
      }
    : {})
  const res = await server.webhook(envelope({
    contacts: [
      customer(waId, name),
    ],
    messages: [message],
  }))
  if (res.status !== 200)
    throw new Error(`webhook answered ${res.status}`)
  const row = await server.app.db.selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select('conversations.id')
    .where('contacts.wa_id', '=', waId)
    .executeTakeFirstOrThrow()
  return row.id
}

export interface Pulled { changes: Array<{ seq: number, kind: string, id: string, op: 'upsert' | 'delete', data?: any }>, cursor: string }

/** Pulls until nothing is left: a snapshot when `since` is absent. */
export async function pullAll(api: Member['api'], since?: string, limit = 1000): Promise<Pulled> {
  const changes: Pulled['changes'] = []
  let cursor = since
  for (let page = 0; page < 10_000; page++) {
    const res = await api(`/api/sync?limit=${limit}${cursor
      ? `&since=${encodeURIComponent(cursor)}`
      : ''}`)
    if (res.status !== 200)
      throw new Error(`sync answered ${res.status}: ${await res.text()}`)
    const body = await json(res)
    changes.push(...body.changes)
    cursor = body.cursor
    if (!body.hasMore)
      return { changes, cursor: cursor! }
  }
  throw new Error('sync never finished')
}
