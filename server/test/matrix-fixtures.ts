/**
 * Fixtures for the authorization matrix (test/api/authorization-matrix.test.ts): a stand-in Graph
 * client, one fully furnished workspace per call (agents, a customer's conversation with a text
 * and an image, a label on the contact, notes that mention each other, notifications, a quick
 * reply, a team, uploaded media, a synced template), a set of ids nobody has, a snapshot of
 * everything a workspace owns, and the router's own list of routes.
 */
import type { FastifyInstance } from 'fastify'
import type { GraphClient } from '../src/whatsapp/graph-client.ts'
import type { TestServer } from './helper.ts'
import type { Member } from './team.ts'
import { sql } from 'kysely'
import { newId } from '../src/ids.ts'
import { createSession } from '../src/services/sessions.ts'
import { customer, envelope, json, postWebhook, textMessage, wamid } from './helper.ts'
import { apiAs } from './team.ts'

/** Every id (and a few names) a route of the matrix can be pointed at, for one workspace. */
export interface Fixtures {
  workspaceId: string
  adminId: string
  /** a plain agent (not an admin): wrote `agentNoteId`, mentioned in `noteId` */
  agentId: string
  /** a second plain agent, the one admins edit */
  targetAgentId: string
  channelId: string
  contactId: string
  conversationId: string
  /** the customer's text message (it has a wamid: it can be quoted and reacted to) */
  messageId: string
  /** the customer's image (downloadable through the server) */
  mediaMessageId: string
  /** a file an agent uploaded for the conversation's number */
  mediaId: string
  labelId: string
  /** written by the admin, mentions the agent */
  noteId: string
  /** written by the agent, mentions the admin */
  agentNoteId: string
  /** the admin's (raised by `agentNoteId`) */
  notificationId: string
  /** the agent's (raised by `noteId`) */
  agentNotificationId: string
  quickReplyId: string
  teamId: string
  templateId: string
  /** a knowledge-base entry (bots) */
  kbEntryId: string
}

export interface SeededWorkspace {
  fixtures: Fixtures
  /** every id and distinctive name of the workspace: none may reach another workspace */
  strings: string[]
  /** what only someone who may see the customer's conversation may see */
  conversationStrings: string[]
}

/** Ids that exist nowhere (a fresh UUIDv7 each). */
export function unknownFixtures(): Fixtures {
  return {
    workspaceId: newId(),
    adminId: newId(),
    agentId: newId(),
    targetAgentId: newId(),
    channelId: newId(),
    contactId: newId(),
    conversationId: newId(),
    messageId: newId(),
    mediaMessageId: newId(),
    mediaId: newId(),
    labelId: newId(),
    noteId: newId(),
    agentNoteId: newId(),
    notificationId: newId(),
    agentNotificationId: newId(),
    quickReplyId: newId(),
    teamId: newId(),
    templateId: newId(),
    kbEntryId: newId(),
  }
}

/** Ids no schema accepts (65 characters, one over IdSchema's limit). */
export function overlongFixtures(): Fixtures {
  const long = 'x'.repeat(65)
  return Object.fromEntries(Object.keys(unknownFixtures()).map(k => [k, long])) as unknown as Fixtures
}

/** Meta, as far as the routes need it: uploads get an id, media downloads answer bytes, every number has one template. */
export function fakeGraph(): GraphClient {
  let uploads = 0
  return {
    async sendMessage() {
      return {
        wamid: wamid(),
        waId: null,
      }
    },
    async markRead() {},
    async uploadMedia() {
      uploads++
      return `meta-upload-${uploads}-${Date.now()}`
    },
    async getMedia(_channel, mediaId) {
      return {
        url: `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=${mediaId}`,
        mimeType: 'image/jpeg',
        sha256: null,
        fileSize: 4,
      }
    },
    async downloadMedia() {
      return new Response(new Uint8Array([0xFF, 0xD8, 0xFF, 0xD9]), {
        headers: { 'content-type': 'image/jpeg' },
      })
    },
    async listTemplates(channel) {
      return [
        {
          id: `meta-template-${channel.phone_number_id}`,
          name: `tpl_${channel.phone_number_id}`,
          language: 'en',
          status: 'APPROVED',
          category: 'UTILITY',
          parameter_format: 'POSITIONAL',
          components: [
            { type: 'BODY', text: 'Hello' },
          ],
        },
      ]
    },
  }
}

/** A tiny PNG as the form `POST /api/conversations/:id/media` takes. */
export function pngForm(name = 'matrix.png'): FormData {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
  const form = new FormData()
  form.set('file', new Blob([png], { type: 'image/png' }), name)
  return form
}

/** A member with a session made directly (no login: the login route is rate limited). */
export async function memberOf(server: TestServer, agentId: string): Promise<Member> {
  const row = await server.app.db.selectFrom('agents').select(['id', 'workspace_id']).where('id', '=', agentId).executeTakeFirstOrThrow()
  const token = await createSession(server.app.db, row)
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    token,
    api: apiAs(server.url, token),
  }
}

/** Another session of the same agent. */
export async function freshToken(server: TestServer, member: { id: string, workspaceId: string }, now = Date.now()): Promise<string> {
  return await createSession(server.app.db, { id: member.id, workspace_id: member.workspaceId }, now)
}

async function ok<T = any>(res: Response, what: string, status = [200, 201]): Promise<T> {
  if (!status.includes(res.status))
    throw new Error(`${what}: answered ${res.status} ${await res.text()}`)
  return await json<T>(res)
}

export interface SeedOptions {
  /** short and distinctive: every name of the workspace starts with it */
  tag: string
  admin: Member
  agent: Member
  target: Member
  channel: { phoneNumberId: string, appSecret: string }
  /** the customer's WhatsApp id */
  waId: string
}

/** Furnishes a workspace through its own API (and its number's signed webhooks). */
export async function seedWorkspace(server: TestServer, o: SeedOptions): Promise<SeededWorkspace> {
  const { tag, admin, agent } = o
  const db = server.app.db
  const customerName = `${tag} Customer Zamfira`
  const text = textMessage(o.waId, `${tag} hello from the customer`)
  const image = {
    from: o.waId,
    id: wamid(),
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: 'image',
    image: { id: `${tag}-meta-media`, mime_type: 'image/jpeg', sha256: 'c2hh' },
  }
  const hook = await postWebhook(server.url, envelope({
    phoneNumberId: o.channel.phoneNumberId,
    contacts: [
      customer(o.waId, customerName),
    ],
    messages: [text, image],
  }), o.channel.appSecret)
  if (hook.status !== 200)
    throw new Error(`webhook answered ${hook.status}`)
  const conversation = await db.selectFrom('conversations')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['conversations.id', 'conversations.contact_id', 'conversations.channel_id'])
    .where('contacts.wa_id', '=', o.waId)
    .where('conversations.workspace_id', '=', admin.workspaceId)
    .executeTakeFirstOrThrow()
  const messages = await db.selectFrom('messages').select(['id', 'wamid', 'type']).where('conversation_id', '=', conversation.id).execute()
  const messageId = messages.find(m => m.wamid === text.id)!.id
  const mediaMessageId = messages.find(m => m.wamid === image.id)!.id

  const labelName = `${tag} Label Lilac`
  const label = await ok(await admin.api('/api/labels', {
    json: { name: labelName, color: 'purple' },
  }), 'label')
  await ok(await admin.api(`/api/contacts/${conversation.contact_id}/labels`, {
    json: { labelId: label.id },
  }), 'label on contact')
  const teamName = `${tag} Team Tango`
  const team = await ok(await admin.api('/api/teams', {
    json: {
      name: teamName,
      agentIds: [agent.id],
    },
  }), 'team')
  const quickReply = {
    shortcut: `${tag.toLowerCase()}-quick`,
    title: `${tag} Quick Title`,
    body: `${tag} quick reply body`,
  }
  const qr = await ok(await admin.api('/api/quick-replies', { json: quickReply }), 'quick reply')
  const noteBody = `${tag} admin note about the customer`
  const agentNoteBody = `${tag} agent note for the admin`
  const note = await ok(await admin.api(`/api/contacts/${conversation.contact_id}/notes`, {
    json: {
      body: noteBody,
      mentions: [agent.id],
    },
  }), 'admin note')
  const agentNote = await ok(await agent.api(`/api/contacts/${conversation.contact_id}/notes`, {
    json: {
      body: agentNoteBody,
      mentions: [admin.id],
    },
  }), 'agent note')
  const notification = (await ok(await admin.api('/api/notifications'), 'admin notifications')).items.find((n: { noteId: string }) => n.noteId === agentNote.id)
  const agentNotification = (await ok(await agent.api('/api/notifications'), 'agent notifications')).items.find((n: { noteId: string }) => n.noteId === note.id)
  if (!notification || !agentNotification)
    throw new Error('mentions raised no notification')
  const media = await ok(await admin.api(`/api/conversations/${conversation.id}/media`, {
    method: 'POST',
    body: pngForm(`${tag}-upload.png`),
  }), 'media upload')
  await ok(await admin.api('/api/templates/sync', { method: 'POST' }), 'template sync')
  const template = await db.selectFrom('templates').select(['id', 'name']).where('workspace_id', '=', admin.workspaceId).executeTakeFirstOrThrow()
  const kbEntry = await ok(await admin.api('/api/bots/knowledge', {
    json: {
      kind: 'qa',
      title: `${tag} hello from the customer`,
      body: `${tag} hello, how can we help?`,
      language: 'any',
    },
  }), 'knowledge entry')

  const fixtures: Fixtures = {
    workspaceId: admin.workspaceId,
    adminId: admin.id,
    agentId: agent.id,
    targetAgentId: o.target.id,
    channelId: conversation.channel_id,
    contactId: conversation.contact_id,
    conversationId: conversation.id,
    messageId,
    mediaMessageId,
    mediaId: media.id,
    labelId: label.id,
    noteId: note.id,
    agentNoteId: agentNote.id,
    notificationId: notification.id,
    agentNotificationId: agentNotification.id,
    quickReplyId: qr.id,
    teamId: team.id,
    templateId: template.id,
    kbEntryId: kbEntry.id,
  }
  const agents = await db.selectFrom('agents').select(['id', 'email', 'name']).where('workspace_id', '=', admin.workspaceId).execute()
  const channels = await db.selectFrom('channels').select(['id', 'phone_number_id', 'display_phone_number']).where('workspace_id', '=', admin.workspaceId).execute()
  const conversationStrings = [
    conversation.id,
    conversation.contact_id,
    customerName,
    o.waId,
    messageId,
    mediaMessageId,
    text.id,
    image.id,
    `${tag}-meta-media`,
    note.id,
    agentNote.id,
    noteBody,
    agentNoteBody,
  ]
  const strings = [
    ...new Set([
      ...Object.values(fixtures),
      ...conversationStrings,
      ...agents.flatMap(a => [a.id, a.email]),
      ...agents.map(a => a.name).filter(name => name.startsWith(tag)),
      ...channels.flatMap(c => [c.id, c.phone_number_id, c.display_phone_number ?? '']).filter(Boolean),
      labelName,
      teamName,
      quickReply.shortcut,
      quickReply.title,
      quickReply.body,
      template.name,
      media.id,
    ]),
  ]
  return { fixtures, strings, conversationStrings }
}

/** Tables that change on every authenticated request (last use of a session), left out of snapshots. */
/**
 * Not the workspace's data: sessions, and the reports' derived facts (rebuilt from the other
 * tables by any report request or the background refresh, so a read may rewrite them).
 */
const UNSNAPSHOTTED = new Set([
  'sessions',
  'report_conv',
  'report_segments',
  'report_keys',
  'report_state',
  'report_dirty',
])

/**
 * Every row a workspace owns, table by table (found by introspection, so a new table is included
 * without editing this), in a stable order. A table with neither `workspace_id` nor `channel_id`
 * fails loudly: someone has to decide how it is scoped.
 */
export async function snapshotWorkspace(app: FastifyInstance, workspaceId: string): Promise<Record<string, string[]>> {
  const db = app.db
  const schema = app.storage.engine === 'postgres'
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s
    : undefined
  const tables = (await db.introspection.getTables())
    .filter(t => !t.isView && (schema === undefined || t.schema === schema))
    .sort((a, b) => a.name.localeCompare(b.name))
  const channelIds = (await db.selectFrom('channels').select('id').where('workspace_id', '=', workspaceId).execute()).map(c => c.id)
  const snapshot: Record<string, string[]> = {}
  for (const table of tables) {
    if (UNSNAPSHOTTED.has(table.name))
      continue
    const columns = new Set(table.columns.map(c => c.name))
    let query = db.selectFrom(table.name as 'agents').selectAll()
    if (table.name === 'workspaces')
      query = query.where('id' as never, '=', workspaceId as never)
    else if (columns.has('workspace_id'))
      query = query.where('workspace_id' as never, '=', workspaceId as never)
    else if (columns.has('channel_id'))
      query = query.where('channel_id' as never, 'in', [...channelIds, ''] as never)
    else
      throw new Error(`snapshot: table ${table.name} has no workspace_id or channel_id; decide how it is scoped`)
    const rows = await query.execute()
    snapshot[table.name] = rows.map(r => JSON.stringify(r, Object.keys(r).sort())).sort()
  }
  return snapshot
}

/**
 * The router's own list of (method, path) under `/api/`, from `printRoutes` (which, unlike the
 * OpenAPI document, includes hidden routes). HEAD (Fastify adds one per GET) and OPTIONS (CORS
 * preflight) are left out.
 */
export function registeredApiRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false })
  const stack: string[] = []
  const routes: string[] = []
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match)
      continue
    const depth = match[1]!.length / 4
    stack.length = depth
    const path = `${stack.join('')}${match[2]}`
    stack.push(match[2]!)
    for (const method of (match[3] ?? '').split(',').map(m => m.trim()).filter(Boolean)) {
      if (path.startsWith('/api/') && method !== 'HEAD' && method !== 'OPTIONS')
        routes.push(`${method} ${path}`)
    }
  }
  return routes
}
