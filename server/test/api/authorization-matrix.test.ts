/**
 * The authorization matrix: every API route × every kind of caller × own or other workspace, so
 * no route can leak another workspace's data or let someone write what they may not.
 *
 * Workspace 1 (the server's own) has an admin (A1), a plain agent (G1), a restricted agent (R1)
 * who is not on the customer's conversation, and a second agent admins edit; workspace 2 has its
 * admin (A2) and the same furniture. Each row of `ROWS` is one route (or one case of it) with a
 * VALID request built from fixture ids: `t` is the thing acted on, `r` what the request refers
 * to. Then:
 *
 * - no token, a garbage, revoked or expired token, a deactivated agent's token: 401;
 * - A1 with ids nobody has: 404 (or `notFound` for bulk); with malformed ids or bodies: 400;
 * - A2 with W1's ids: exactly the answer of ids nobody has (404, same message), never a W1 id or
 *   name in what it gets back; A2 acting on its own things while referring to W1's: again the
 *   answer of unknown ids; collection routes: 2xx with nothing of W1;
 * - R1 on the customer's conversation, contact, notes, messages: 404; lists without them;
 * - G1 on admin-only rows: 403, on the admin's note: 403, on the admin's notification: 404;
 * - every row of W1 (all tables but sessions) unchanged by all of the above;
 * - then G1 may do what agents may (2xx), and A2's live socket and sync hear nothing of it.
 *
 * Every answer: no 5xx, no stack trace or driver error, no secret (tokens, app secrets, hashes).
 */
import type { TestServer } from '../helper.ts'
import type { Fixtures, SeededWorkspace } from '../matrix-fixtures.ts'
import type { Pulled } from '../team.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultSettings } from '../../src/bots/settings.ts'
import { SESSION_TTL_MS } from '../../src/services/sessions.ts'
import { ADMIN, json, login, startServer, WA } from '../helper.ts'
import { fakeGraph, freshToken, memberOf, overlongFixtures, pngForm, registeredApiRoutes, seedWorkspace, snapshotWorkspace, unknownFixtures } from '../matrix-fixtures.ts'
import { addAgent, apiAs, otherWorkspace, pullAll } from '../team.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * Who may call a row: `public` anyone; `agent` any agent of the workspace; `self` acts on the
 * caller only; `admin` admins only (403 to agents); `authorOrAdmin` the note's author or an admin
 * (`t.noteId` is the admin's, so 403 to G1); `owner` only the notification's agent (`t.notificationId`
 * is the admin's, and someone else's notification answers 404).
 */
type Access = 'public' | 'agent' | 'self' | 'admin' | 'authorOrAdmin' | 'owner'

interface Row {
  method: Method
  /** the route as registered (`:id` parameters) */
  route: string
  /** several requests of one route: what differs */
  case?: string
  access: Access
  path: (t: Fixtures, r: Fixtures) => string
  /** a valid JSON body; `n` is unique per request (names, client ids, emails) */
  body?: (t: Fixtures, r: Fixtures, n: number) => unknown
  /** a multipart body instead */
  form?: () => FormData
  /** about the customer's conversation: a restricted agent not on it gets what `unseen` says */
  hidden?: boolean
  /** a `POST /api/mutations` batch of one: the answer is its result, not the HTTP status */
  mutation?: boolean
  /** ends or replaces the caller's sessions: called with a session of its own */
  consumesSession?: boolean
  /** what a caller who may not see `t` gets; default 404 `not_found` */
  unseen?: (o: Outcome, t: Fixtures) => void
}

interface Outcome {
  status: number
  code: string | null
  error: { code?: string, message?: string, field?: string } | null
  body: any
  text: string
  /** what was sent (path and body): ids sent may come back */
  request: string
  label: string
}

const PASSWORD = 'agent-password'
/** the last 30 days, for the report routes */
const REPORT_PERIOD = `from=${Date.now() - 30 * 24 * 3600_000}&to=${Date.now() + 3600_000}`
const RUN = Date.now().toString(36)

// ---------------------------------------------------------------------------------------------
// Callers and state

interface Caller { name: string, id: string, workspaceId: string, token: string }

let server: TestServer
let W1: SeededWorkspace
let W2: SeededWorkspace
let U: Fixtures
let A1: Caller
let G1: Caller
let R1: Caller
let A2: Caller
let loginProbeEmail: string
/** a message client id and a mutation id W1 used */
let w1ClientId: string
let w1MutationId: string
let deadTokens: Record<string, string>
let before: Record<string, string[]>
let assertions = 0
let requests = 0

// ---------------------------------------------------------------------------------------------
// The matrix

/** Valid bot settings that refer to a team (another workspace's team must answer 404). */
function botSettings(teamId: string) {
  return {
    ...defaultSettings(),
    handoverTeamId: teamId,
  }
}

function mutation(type: string, access: Access, args: (t: Fixtures, r: Fixtures, n: number) => Record<string, unknown>, extra: Partial<Row> = {}): Row {
  return {
    method: 'POST',
    route: '/api/mutations',
    case: type,
    access,
    mutation: true,
    path: () => '/api/mutations',
    body: (t, r, n) => ({
      mutations: [
        {
          id: `matrix-${RUN}-${n}`,
          type,
          args: args(t, r, n),
        },
      ],
    }),
    ...extra,
  }
}

function bulkUnseen(o: Outcome, t: Fixtures) {
  check(o.status, `${o.label}: status ${o.text}`).toBe(200)
  check(o.body, `${o.label}: body`).toEqual({
    updated: 0,
    notFound: [t.conversationId],
  })
}

const conversation = (t: Fixtures) => `/api/conversations/${t.conversationId}`
const contact = (t: Fixtures) => `/api/contacts/${t.contactId}`

const ROWS: Row[] = [
  // Sessions
  {
    method: 'GET',
    route: '/api/health',
    access: 'public',
    path: () => '/api/health',
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    access: 'public',
    path: () => '/api/auth/login',
    body: () => ({ email: loginProbeEmail, password: PASSWORD }),
  },
  {
    method: 'POST',
    route: '/api/auth/logout',
    access: 'self',
    consumesSession: true,
    path: () => '/api/auth/logout',
  },
  {
    method: 'POST',
    route: '/api/auth/password',
    access: 'self',
    consumesSession: true,
    path: () => '/api/auth/password',
    body: () => ({ currentPassword: PASSWORD, newPassword: PASSWORD }),
  },
  {
    method: 'GET',
    route: '/api/auth/me',
    access: 'self',
    path: () => '/api/auth/me',
  },

  // Conversations and messages
  {
    method: 'GET',
    route: '/api/conversations',
    access: 'agent',
    path: () => '/api/conversations?status=all',
  },
  {
    method: 'GET',
    route: '/api/conversations',
    case: 'filtered by ids',
    access: 'agent',
    path: (_t, r) => `/api/conversations?status=all&label=${r.labelId}&channelId=${r.channelId}&contactId=${r.contactId}`,
  },
  {
    method: 'GET',
    route: '/api/conversations/:id',
    access: 'agent',
    hidden: true,
    path: conversation,
  },
  {
    method: 'GET',
    route: '/api/conversations/:id/events',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/events`,
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/assign',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/assign`,
    body: (_t, r) => ({ assigneeId: r.agentId }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/team',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/team`,
    body: (_t, r) => ({ teamId: r.teamId }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/status',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/status`,
    body: () => ({ status: 'closed' }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/unread',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/unread`,
  },
  ...([
    [
      'status',
      () => ({ status: 'closed' }),
    ],
    [
      'assignee',
      (r: Fixtures) => ({ assigneeId: r.agentId }),
    ],
    [
      'team',
      (r: Fixtures) => ({ teamId: r.teamId }),
    ],
    [
      'add label',
      (r: Fixtures) => ({
        addLabelIds: [r.labelId],
      }),
    ],
    [
      'remove label',
      (r: Fixtures) => ({
        removeLabelIds: [r.labelId],
      }),
    ],
  ] as const).map(([name, patch]): Row => ({
    method: 'POST',
    route: '/api/conversations/bulk',
    case: name,
    access: 'agent',
    hidden: true,
    unseen: bulkUnseen,
    path: () => '/api/conversations/bulk',
    body: (t, r) => ({
      conversationIds: [t.conversationId],
      ...patch(r),
    }),
  })),
  {
    method: 'GET',
    route: '/api/conversations/:id/messages',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/messages?limit=10`,
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    case: 'text replying',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/messages`,
    body: (_t, r, n) => ({
      clientId: `matrix-${RUN}-${n}`,
      type: 'text',
      text: 'Matrix says hi',
      replyTo: r.messageId,
    }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    case: 'uploaded image',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/messages`,
    body: (_t, r, n) => ({
      clientId: `matrix-${RUN}-${n}`,
      type: 'image',
      mediaId: r.mediaId,
      caption: 'Matrix image',
    }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/messages',
    case: 'reaction',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/messages`,
    body: (_t, r, n) => ({
      clientId: `matrix-${RUN}-${n}`,
      type: 'reaction',
      messageId: r.messageId,
      emoji: '👍',
    }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/read',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/read`,
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/media',
    access: 'agent',
    hidden: true,
    path: t => `${conversation(t)}/media`,
    form: () => pngForm(),
  },
  {
    method: 'GET',
    route: '/api/messages/:id/media',
    access: 'agent',
    hidden: true,
    path: t => `/api/messages/${t.mediaMessageId}/media`,
  },

  // Templates
  {
    method: 'GET',
    route: '/api/templates',
    access: 'agent',
    path: () => '/api/templates',
  },
  {
    method: 'POST',
    route: '/api/templates/sync',
    access: 'admin',
    path: () => '/api/templates/sync',
  },

  // Reports: agents about themselves (the default), admins about anyone; workspace settings
  ...[
    '/api/reports/summary',
    '/api/reports/conversations.csv',
    '/api/reports/aggregates.csv',
    '/api/reports/live',
  ].map((route): Row => ({
    method: 'GET',
    route,
    access: 'agent',
    path: () => `${route}?${REPORT_PERIOD}`,
  })),
  {
    method: 'GET',
    route: '/api/reports/conversations',
    access: 'agent',
    path: () => `/api/reports/conversations?${REPORT_PERIOD}&metric=opened`,
  },
  {
    method: 'GET',
    route: '/api/workspace',
    access: 'agent',
    path: () => '/api/workspace',
  },
  {
    method: 'PATCH',
    route: '/api/workspace',
    access: 'admin',
    path: () => '/api/workspace',
    body: () => ({
      settings: { defaultCountry: 'RO' },
    }),
  },

  // Agents, teams, numbers
  {
    method: 'GET',
    route: '/api/agents',
    access: 'agent',
    path: () => '/api/agents',
  },
  {
    method: 'POST',
    route: '/api/agents',
    access: 'admin',
    path: () => '/api/agents',
    body: (_t, _r, n) => ({ email: `invitee-${RUN}-${n}@example.com`, name: `Invitee ${n}`, password: 'invitee-password' }),
  },
  {
    method: 'POST',
    route: '/api/agents',
    case: 'into a team',
    access: 'admin',
    path: () => '/api/agents',
    body: (_t, r, n) => ({
      email: `invitee-${RUN}-${n}@example.com`,
      name: `Invitee ${n}`,
      password: 'invitee-password',
      teamIds: [r.teamId],
    }),
  },
  {
    method: 'GET',
    route: '/api/agents/:id',
    access: 'agent',
    path: t => `/api/agents/${t.targetAgentId}`,
  },
  {
    method: 'GET',
    route: '/api/agents/:id',
    case: 'me',
    access: 'self',
    path: () => '/api/agents/me',
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'another agent',
    access: 'admin',
    path: t => `/api/agents/${t.targetAgentId}`,
    body: (_t, _r, n) => ({ name: `Renamed ${n}`, availability: 'away' }),
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'another agent into a team',
    access: 'admin',
    path: t => `/api/agents/${t.targetAgentId}`,
    body: (_t, r) => ({
      teamIds: [r.teamId],
    }),
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'me: name and availability',
    access: 'self',
    path: () => '/api/agents/me',
    body: (_t, _r, n) => ({ name: `Self ${n}`, availability: 'online' }),
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'me: role',
    access: 'admin',
    path: () => '/api/agents/me',
    body: () => ({ role: 'admin' }),
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'me: unrestricted',
    access: 'admin',
    path: () => '/api/agents/me',
    body: () => ({ restricted: false }),
  },
  {
    method: 'PATCH',
    route: '/api/agents/:id',
    case: 'me: teams',
    access: 'admin',
    path: () => '/api/agents/me',
    body: (_t, r) => ({
      teamIds: [r.teamId],
    }),
  },
  {
    method: 'GET',
    route: '/api/teams',
    access: 'agent',
    path: () => '/api/teams',
  },
  {
    method: 'POST',
    route: '/api/teams',
    access: 'admin',
    path: () => '/api/teams',
    body: (_t, _r, n) => ({ name: `Matrix Team ${n}` }),
  },
  {
    method: 'POST',
    route: '/api/teams',
    case: 'with members',
    access: 'admin',
    path: () => '/api/teams',
    body: (_t, r, n) => ({
      name: `Matrix Team ${n}`,
      agentIds: [r.agentId],
    }),
  },
  {
    method: 'PATCH',
    route: '/api/teams/:id',
    case: 'rename',
    access: 'admin',
    path: t => `/api/teams/${t.teamId}`,
    body: (_t, _r, n) => ({ name: `Renamed Team ${n}` }),
  },
  {
    method: 'PATCH',
    route: '/api/teams/:id',
    case: 'members',
    access: 'admin',
    path: t => `/api/teams/${t.teamId}`,
    body: (_t, r) => ({
      agentIds: [r.agentId, r.targetAgentId],
    }),
  },
  {
    method: 'DELETE',
    route: '/api/teams/:id',
    access: 'admin',
    path: t => `/api/teams/${t.teamId}`,
  },
  {
    method: 'GET',
    route: '/api/channels',
    access: 'agent',
    path: () => '/api/channels',
  },
  {
    method: 'POST',
    route: '/api/channels',
    access: 'admin',
    path: () => '/api/channels',
    body: (_t, _r, n) => ({
      phoneNumberId: `7${String(n).padStart(14, '0')}`,
      wabaId: '700000000000001',
      accessToken: `matrix-access-token-${n}`,
      appSecret: `matrix-app-secret-${n}`,
      verifyToken: `matrix-verify-token-${n}`,
      displayPhoneNumber: `+1 555 7${n}`,
    }),
  },

  // Contacts, labels on them, notes, notifications
  {
    method: 'GET',
    route: '/api/contacts',
    access: 'agent',
    path: () => '/api/contacts',
  },
  {
    method: 'GET',
    route: '/api/contacts',
    case: 'by label',
    access: 'agent',
    path: (_t, r) => `/api/contacts?label=${r.labelId}`,
  },
  {
    method: 'POST',
    route: '/api/contacts',
    access: 'agent',
    path: () => '/api/contacts',
    body: (_t, _r, n) => ({ phone: `+40 745 ${String(n).padStart(6, '0')}`, name: `Matrix Contact ${n}` }),
  },
  {
    method: 'POST',
    route: '/api/contacts',
    case: 'on a number',
    access: 'agent',
    path: () => '/api/contacts',
    body: (_t, r, n) => ({ phone: `+40 746 ${String(n).padStart(6, '0')}`, name: `Matrix Contact ${n}`, channelId: r.channelId }),
  },
  {
    method: 'GET',
    route: '/api/contacts/:id',
    access: 'agent',
    hidden: true,
    path: contact,
  },
  {
    method: 'PATCH',
    route: '/api/contacts/:id',
    access: 'agent',
    hidden: true,
    path: contact,
    body: (_t, _r, n) => ({
      name: `Edited ${n}`,
      customFields: { tier: 'gold' },
    }),
  },
  {
    method: 'GET',
    route: '/api/contacts/:id/conversations',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/conversations`,
  },
  {
    method: 'POST',
    route: '/api/contacts/:id/labels',
    case: 'by id',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/labels`,
    body: (_t, r) => ({ labelId: r.labelId }),
  },
  {
    method: 'POST',
    route: '/api/contacts/:id/labels',
    case: 'by name',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/labels`,
    body: (_t, _r, n) => ({ name: `Ad hoc ${n}`, color: 'teal' }),
  },
  {
    method: 'DELETE',
    route: '/api/contacts/:id/labels/:labelId',
    access: 'agent',
    hidden: true,
    path: (t, r) => `${contact(t)}/labels/${r.labelId}`,
  },
  {
    method: 'GET',
    route: '/api/contacts/:id/notes',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/notes`,
  },
  {
    method: 'POST',
    route: '/api/contacts/:id/notes',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/notes`,
    body: (_t, _r, n) => ({ body: `Matrix note ${n}` }),
  },
  {
    method: 'POST',
    route: '/api/contacts/:id/notes',
    case: 'mentioning',
    access: 'agent',
    hidden: true,
    path: t => `${contact(t)}/notes`,
    body: (_t, r, n) => ({
      body: `Matrix note ${n}`,
      mentions: [r.agentId],
    }),
  },
  {
    method: 'PATCH',
    route: '/api/notes/:id',
    case: 'the admin\'s note',
    access: 'authorOrAdmin',
    hidden: true,
    path: t => `/api/notes/${t.noteId}`,
    body: (_t, _r, n) => ({ body: `Edited note ${n}` }),
  },
  {
    method: 'PATCH',
    route: '/api/notes/:id',
    case: 'own note',
    access: 'agent',
    hidden: true,
    path: t => `/api/notes/${t.agentNoteId}`,
    body: (_t, r, n) => ({
      body: `Edited own note ${n}`,
      mentions: [r.adminId],
    }),
  },
  {
    method: 'DELETE',
    route: '/api/notes/:id',
    case: 'the admin\'s note',
    access: 'authorOrAdmin',
    hidden: true,
    path: t => `/api/notes/${t.noteId}`,
  },
  {
    method: 'DELETE',
    route: '/api/notes/:id',
    case: 'own note',
    access: 'agent',
    hidden: true,
    path: t => `/api/notes/${t.agentNoteId}`,
  },
  {
    method: 'GET',
    route: '/api/notifications',
    access: 'self',
    path: () => '/api/notifications',
  },
  {
    method: 'POST',
    route: '/api/notifications/:id/read',
    case: 'the admin\'s',
    access: 'owner',
    path: t => `/api/notifications/${t.notificationId}/read`,
  },
  {
    method: 'POST',
    route: '/api/notifications/:id/read',
    case: 'own',
    access: 'agent',
    hidden: true,
    path: t => `/api/notifications/${t.agentNotificationId}/read`,
  },

  // Labels and quick replies
  {
    method: 'GET',
    route: '/api/labels',
    access: 'agent',
    path: () => '/api/labels',
  },
  {
    method: 'POST',
    route: '/api/labels',
    access: 'agent',
    path: () => '/api/labels',
    body: (_t, _r, n) => ({ name: `Matrix Label ${n}`, color: 'blue' }),
  },
  {
    method: 'PATCH',
    route: '/api/labels/:id',
    access: 'admin',
    path: t => `/api/labels/${t.labelId}`,
    body: (_t, _r, n) => ({ name: `Renamed Label ${n}`, color: 'green' }),
  },
  {
    method: 'DELETE',
    route: '/api/labels/:id',
    access: 'admin',
    path: t => `/api/labels/${t.labelId}`,
  },
  {
    method: 'GET',
    route: '/api/quick-replies',
    access: 'agent',
    path: () => '/api/quick-replies',
  },
  {
    method: 'POST',
    route: '/api/quick-replies',
    access: 'admin',
    path: () => '/api/quick-replies',
    body: (_t, _r, n) => ({ shortcut: `mx${n}`, title: `Matrix ${n}`, body: 'Matrix quick reply' }),
  },
  {
    method: 'PATCH',
    route: '/api/quick-replies/:id',
    access: 'admin',
    path: t => `/api/quick-replies/${t.quickReplyId}`,
    body: (_t, _r, n) => ({ title: `Retitled ${n}` }),
  },
  {
    method: 'DELETE',
    route: '/api/quick-replies/:id',
    access: 'admin',
    path: t => `/api/quick-replies/${t.quickReplyId}`,
  },

  // Bots
  {
    method: 'GET',
    route: '/api/bots',
    access: 'admin',
    path: () => '/api/bots',
  },
  {
    method: 'PUT',
    route: '/api/bots',
    access: 'admin',
    path: () => '/api/bots',
    body: t => botSettings(t.teamId),
  },
  {
    method: 'GET',
    route: '/api/bots/knowledge',
    access: 'admin',
    path: () => '/api/bots/knowledge',
  },
  {
    method: 'POST',
    route: '/api/bots/knowledge',
    access: 'admin',
    path: () => '/api/bots/knowledge',
    body: (_t, _r, n) => ({ kind: 'qa', title: `Question ${n}?`, body: `Answer ${n}.` }),
  },
  {
    method: 'PATCH',
    route: '/api/bots/knowledge/:id',
    access: 'admin',
    path: t => `/api/bots/knowledge/${t.kbEntryId}`,
    body: (_t, _r, n) => ({ title: `Retitled ${n}?` }),
  },
  {
    method: 'DELETE',
    route: '/api/bots/knowledge/:id',
    access: 'admin',
    path: t => `/api/bots/knowledge/${t.kbEntryId}`,
  },
  {
    method: 'POST',
    route: '/api/bots/test',
    access: 'admin',
    path: () => '/api/bots/test',
    body: () => ({ text: 'how long does delivery take?' }),
  },
  {
    method: 'POST',
    route: '/api/conversations/:id/suggest-reply',
    access: 'agent',
    hidden: true,
    path: t => `/api/conversations/${t.conversationId}/suggest-reply`,
  },

  // Sync and mutations (each mutation type on its own)
  {
    method: 'GET',
    route: '/api/sync',
    access: 'agent',
    path: () => '/api/sync?limit=1000',
  },
  mutation('conversation.assign', 'agent', (t, r) => ({ conversationId: t.conversationId, assigneeId: r.agentId }), { hidden: true }),
  mutation('conversation.setTeam', 'agent', (t, r) => ({ conversationId: t.conversationId, teamId: r.teamId }), { hidden: true }),
  mutation('conversation.setStatus', 'agent', t => ({ conversationId: t.conversationId, status: 'open' }), { hidden: true }),
  mutation('conversation.markRead', 'agent', t => ({ conversationId: t.conversationId }), { hidden: true }),
  mutation('conversation.markUnread', 'agent', t => ({ conversationId: t.conversationId }), { hidden: true }),
  mutation('message.send', 'agent', (t, r, n) => ({
    conversationId: t.conversationId,
    message: {
      clientId: `matrix-${RUN}-${n}`,
      type: 'text',
      text: 'Matrix mutation',
      replyTo: r.messageId,
    },
  }), { hidden: true }),
  mutation('contact.update', 'agent', (t, _r, n) => ({
    contactId: t.contactId,
    patch: { name: `Mutated ${n}` },
  }), { hidden: true }),
  mutation('contact.addLabel', 'agent', (t, r) => ({ contactId: t.contactId, labelId: r.labelId }), { hidden: true }),
  mutation('contact.removeLabel', 'agent', (t, r) => ({ contactId: t.contactId, labelId: r.labelId }), { hidden: true }),
  mutation('label.create', 'agent', (_t, _r, n) => ({ name: `Mutation Label ${n}` })),
  mutation('label.update', 'admin', t => ({
    labelId: t.labelId,
    patch: { color: 'amber' },
  })),
  mutation('note.create', 'agent', (t, r, n) => ({
    contactId: t.contactId,
    body: `Mutation note ${n}`,
    mentions: [r.agentId],
  }), { hidden: true }),
  mutation('note.update', 'authorOrAdmin', (t, _r, n) => ({ noteId: t.noteId, body: `Mutated note ${n}` }), { hidden: true }),
  mutation('note.update', 'agent', (t, r, n) => ({
    noteId: t.agentNoteId,
    body: `Mutated own note ${n}`,
    mentions: [r.adminId],
  }), { hidden: true, case: 'note.update (own note)' }),
  mutation('note.delete', 'authorOrAdmin', t => ({ noteId: t.noteId }), { hidden: true }),
  mutation('notification.read', 'owner', t => ({ notificationId: t.notificationId })),
  mutation('notification.read', 'agent', t => ({ notificationId: t.agentNotificationId }), { hidden: true, case: 'notification.read (own)' }),
  mutation('agent.setAvailability', 'self', () => ({ availability: 'away' })),
]

/** Routes the matrix does not walk, and why. */
const EXEMPT: Record<string, string> = {
  'GET /api/openapi.json': 'public, hidden: the API description (checked below to hold no workspace data)',
  'GET /api/live': 'WebSocket; authenticates inside the socket (checked below: bad tokens refused, other workspaces unheard)',
}

function label(row: Row) {
  return `${row.method} ${row.route}${row.case
    ? ` [${row.case}]`
    : ''}`
}
const key = (row: Row) => `${row.method} ${row.route}`
function each(rows: Row[]) {
  return rows.map(row => [
    label(row),
    row,
  ] as const)
}
const guarded = ROWS.filter(row => row.access !== 'public')
const forbiddenToAgents = (row: Row) => row.access === 'admin' || row.access === 'authorOrAdmin' || row.access === 'owner'

// ---------------------------------------------------------------------------------------------
// What each answer must never contain, and how a request is made and judged

const SECRETS = [
  WA.appSecret,
  WA.accessToken,
  WA.verifyToken,
  'w2-app-secret',
  'w2-access-token',
  'w2-verify-token',
  'scrypt$',
  'password_hash',
]
const W2_CHANNEL = { phoneNumberId: '200000000000002', appSecret: 'w2-app-secret' }
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
// A stack frame (`at fn (/path/file.ts:12:3)`), a driver's error class or its `error: …` text.
const INTERNALS = /\bat (?:\S+ \()?(?:file:\/\/)?\/\S+\.[cm]?[jt]s:\d+|SqliteError|DatabaseError|\berror: [a-z]/

function check<T>(value: T, message: string) {
  assertions++
  return expect.soft(value, message)
}

const STATUS_OF: Record<string, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  internal_error: 500,
}

/** Values of token/secret/password fields of a request: none may come back. */
function sentSecrets(value: unknown): string[] {
  if (!value || typeof value !== 'object')
    return []
  return Object.entries(value).flatMap(([k, v]) => typeof v === 'string' && /token|secret|password/i.test(k)
    ? [v]
    : sentSecrets(v))
}

/**
 * One request. `auth` is a caller (their standing session, or a fresh one for rows that consume
 * it), a raw Authorization header, or null for none. Checks what every answer must satisfy;
 * `leaks` are strings that must not come back unless the request carried them.
 */
async function call(auth: Caller | string | null, row: Row, t: Fixtures, r: Fixtures, leaks: string[] = [], options: { method?: string, body?: unknown } = {}): Promise<Outcome> {
  const n = ++requests
  const path = row.path(t, r)
  const payload = options.body ?? row.body?.(t, r, n)
  const headers: Record<string, string> = {}
  let caller = 'anonymous'
  if (typeof auth === 'string') {
    headers.authorization = auth
    caller = 'a dead session'
  }
  else if (auth) {
    caller = auth.name
    headers.authorization = `Bearer ${row.consumesSession
      ? await freshToken(server, auth)
      : auth.token}`
  }
  let body: FormData | string | undefined
  if (row.form && options.body === undefined) {
    body = row.form()
  }
  else if (payload !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(payload)
  }
  const method = options.method ?? row.method
  const res = await fetch(`${server.url}${path}`, { method, headers, body })
  if (row.consumesSession && auth && typeof auth !== 'string')
    auth.token = await freshToken(server, auth) // a password change revoked the standing one
  const text = await res.text()
  let parsed: any = null
  try {
    parsed = JSON.parse(text)
  }
  catch {}
  const request = `${path} ${JSON.stringify(payload) ?? ''}`
  const name = `${caller}: ${method} ${path}${row.mutation
    ? ` [${row.case}]`
    : ''}`
  let outcome: Outcome = {
    status: res.status,
    code: parsed?.error?.code ?? null,
    error: parsed?.error ?? null,
    body: parsed,
    text,
    request,
    label: name,
  }
  if (row.mutation && res.status === 200 && Array.isArray(parsed?.results)) {
    const result = parsed.results[0]
    outcome = {
      ...outcome,
      status: result.ok
        ? 200
        : STATUS_OF[result.error.code] ?? 422,
      code: result.ok
        ? null
        : result.error.code,
      error: result.ok
        ? null
        : result.error,
      body: result,
    }
  }
  check(outcome.status, `${name}: a server error: ${text}`).toBeLessThan(500)
  check(INTERNALS.test(text), `${name}: shows internals: ${text.slice(0, 500)}`).toBe(false)
  const secrets = [
    ...SECRETS,
    ...sentSecrets(payload),
  ].filter(s => text.includes(s))
  check(secrets, `${name}: serves secrets`).toEqual([])
  const leaked = leaks.filter(s => s && !request.includes(s) && text.includes(s))
  check(leaked, `${name}: answers what it may not see: ${text.slice(0, 800)}`).toEqual([])
  return outcome
}

function expectAnswer(o: Outcome, status: number, code: string) {
  check(o.status, `${o.label}: status (${o.text.slice(0, 300)})`).toBe(status)
  check(o.code, `${o.label}: error code`).toBe(code)
}

function expectSuccess(o: Outcome) {
  check(o.status >= 200 && o.status < 300, `${o.label}: answered ${o.status} ${o.text.slice(0, 300)}`).toBe(true)
}

function expectUnseen(row: Row, o: Outcome, t: Fixtures) {
  if (row.unseen)
    row.unseen(o, t)
  else
    expectAnswer(o, 404, 'not_found')
}

/** What a caller can tell from an answer, ids blanked: two answers that differ here reveal something. */
function tell(o: Outcome) {
  return {
    status: o.status,
    code: o.code,
    field: o.error?.field ?? null,
    message: o.error?.message?.replace(UUID, '<id>') ?? null,
  }
}

function expectSameAnswer(a: Outcome, b: Outcome) {
  check(tell(a), `${a.label} answers differently from ids nobody has (${b.label}): ${a.text.slice(0, 300)} vs ${b.text.slice(0, 300)}`).toEqual(tell(b))
}

// Which ids a row uses, told apart by building it from two different sets of ids.
const [P, Q] = [
  unknownFixtures(),
  unknownFixtures(),
]
const signature = (row: Row, t: Fixtures, r: Fixtures) => `${row.path(t, r)} ${JSON.stringify(row.body?.(t, r, 0) ?? null)}`
/** Acts on something of a workspace (an id in the path, or the conversations of a bulk action). */
const hasTarget = (row: Row) => signature(row, P, P) !== signature(row, Q, P)
/** Refers to other things of the workspace (assignee, team, label, quoted message …). */
const hasRefs = (row: Row) => signature(row, P, P) !== signature(row, P, Q)

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  server = await startServer({
    graph: fakeGraph(),
    env: { OUTBOUND_WORKER: '0' },
  })
  const db = server.app.db
  const adminRow = await db.selectFrom('agents').select('id').where('email', '=', ADMIN.email).executeTakeFirstOrThrow()
  const admin1 = await memberOf(server, adminRow.id)
  const agent1 = await addAgent(server, { name: 'W1 Agent Gina' })
  const target1 = await addAgent(server, { name: 'W1 Target Tudor' })
  const restricted1 = await addAgent(server, { name: 'W1 Restricted Rita', restricted: true })
  const deactivated1 = await addAgent(server, { name: 'W1 Deactivated Dan' })
  W1 = await seedWorkspace(server, {
    tag: 'W1',
    admin: admin1,
    agent: agent1,
    target: target1,
    channel: { phoneNumberId: WA.phoneNumberId, appSecret: WA.appSecret },
    waId: '40755000001',
  })

  const admin2 = await otherWorkspace(server)
  const channel2 = await admin2.api('/api/channels', {
    json: {
      phoneNumberId: W2_CHANNEL.phoneNumberId,
      wabaId: '200000000000009',
      accessToken: 'w2-access-token',
      appSecret: W2_CHANNEL.appSecret,
      verifyToken: 'w2-verify-token',
      displayPhoneNumber: '+1 555 0200',
    },
  })
  if (channel2.status !== 201)
    throw new Error(`W2 channel: ${channel2.status} ${await channel2.text()}`)
  const agent2 = await addAgent(server, { name: 'W2 Agent Gina', workspaceId: admin2.workspaceId })
  const target2 = await addAgent(server, { name: 'W2 Target Tudor', workspaceId: admin2.workspaceId })
  W2 = await seedWorkspace(server, {
    tag: 'W2',
    admin: admin2,
    agent: agent2,
    target: target2,
    channel: W2_CHANNEL,
    waId: '40755000002',
  })
  U = unknownFixtures()

  A1 = { name: 'A1 (admin)', ...admin1 }
  G1 = { name: 'G1 (agent)', ...agent1 }
  R1 = { name: 'R1 (restricted agent)', ...restricted1 }
  A2 = { name: 'A2 (admin of W2)', ...admin2 }
  loginProbeEmail = (await db.selectFrom('agents').select('email').where('id', '=', target1.id).executeTakeFirstOrThrow()).email

  w1ClientId = `w1-client-${RUN}`
  const sent = await admin1.api(`/api/conversations/${W1.fixtures.conversationId}/messages`, {
    json: { clientId: w1ClientId, type: 'text', text: 'W1 sent this' },
  })
  w1MutationId = `w1-mutation-${RUN}`
  const mutated = await admin1.api('/api/mutations', {
    json: {
      mutations: [
        {
          id: w1MutationId,
          type: 'label.create',
          args: { name: 'W1 Mutated Label Mauve' },
        },
      ],
    },
  })
  if (sent.status !== 201 || mutated.status !== 200)
    throw new Error(`W1 send ${sent.status}, mutation ${mutated.status}`)
  W1.strings.push('W1 Mutated Label Mauve', (await json(mutated)).results[0].result.id, (await json(sent)).id, w1ClientId)

  // Sessions that must not work: logged out, expired, of a deactivated agent.
  const revoked = await login(server.url, loginProbeEmail, PASSWORD)
  const logout = await apiAs(server.url, revoked)('/api/auth/logout', { method: 'POST' })
  if (logout.status !== 204)
    throw new Error(`logout answered ${logout.status}`)
  const deactivatedToken = await freshToken(server, deactivated1)
  await db.updateTable('agents').set({ active: 0 }).where('id', '=', deactivated1.id).execute()
  deadTokens = {
    'no header': '',
    'a malformed header': `Token ${G1.token}`,
    'a garbage token': 'Bearer not-a-real-token',
    'a logged-out token': `Bearer ${revoked}`,
    'an expired token': `Bearer ${await freshToken(server, G1, Date.now() - SESSION_TTL_MS - 60_000)}`,
    'a deactivated agent\'s token': `Bearer ${deactivatedToken}`,
  }

  before = await snapshotWorkspace(server.app, W1.fixtures.workspaceId)
})

afterAll(async () => {
  if (process.env.MATRIX_STATS)
    console.info(`authorization matrix: ${ROWS.length} rows over ${new Set(ROWS.map(key)).size} routes, ${requests} requests, ${assertions} assertions`)
  await server?.close()
})

describe('the matrix', () => {
  it('has a row for every route under /api/ (OpenAPI and the router agree), and none for a route that does not exist', async () => {
    const doc = await json(await fetch(`${server.url}/api/openapi.json`))
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) => Object.keys(operations).map(method => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .filter(route => route.split(' ')[1]!.startsWith('/api/'))
    const registered = registeredApiRoutes(server.app)
    const matrix = new Set(ROWS.map(key))
    const exempt = new Set(Object.keys(EXEMPT))
    check(documented.filter(r => !matrix.has(r) && !exempt.has(r)), 'documented routes missing from the matrix').toEqual([])
    check(registered.filter(r => !matrix.has(r) && !exempt.has(r)), 'registered (also hidden) routes missing from the matrix').toEqual([])
    check([...matrix].filter(r => !registered.includes(r)), 'matrix rows for routes that do not exist').toEqual([])
    check([...exempt].filter(r => !registered.includes(r)), 'exemptions for routes that do not exist').toEqual([])
    check(registered.length, 'the router listing was parsed').toBeGreaterThan(40)
  })

  it('serves an API description with nothing of any workspace in it', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`)
    check(res.status, 'openapi status').toBe(200)
    const text = await res.text()
    check([
      ...W1.strings,
      ...W2.strings,
      ...SECRETS,
    ].filter(s => text.includes(s)), 'openapi.json holds workspace data').toEqual([])
  })
})

describe('without a valid session: 401', () => {
  it.each(each(guarded))('%s', async (_, row) => {
    for (const [what, header] of Object.entries(deadTokens)) {
      const o = await call(header || null, row, W1.fixtures, W1.fixtures, W1.strings)
      check(o.status, `${o.label} with ${what}: status (${o.text.slice(0, 200)})`).toBe(401)
      check(o.code, `${o.label} with ${what}: code`).toBe('unauthorized')
    }
    if (row.method === 'GET') {
      const head = await call(null, row, W1.fixtures, W1.fixtures, [], { method: 'HEAD' })
      check(head.status, `HEAD ${row.path(W1.fixtures, W1.fixtures)} without a token`).toBe(401)
    }
  })

  it.each(each(ROWS.filter(row => row.access === 'public')))('%s is public', async (_, row) => {
    expectSuccess(await call(null, row, W1.fixtures, W1.fixtures))
  })
})

describe('the workspace\'s admin (A1): unknown ids 404, malformed ids and bodies 400', () => {
  it.each(each(guarded.filter(row => hasTarget(row))))('%s', async (_, row) => {
    expectUnseen(row, await call(A1, row, U, W1.fixtures), U)
    const overlong = await call(A1, row, overlongFixtures(), W1.fixtures)
    expectAnswer(overlong, 400, 'invalid_request')
  })

  it.each(each(ROWS.filter(row => row.body)))('%s with an invalid body', async (_, row) => {
    const bogus = { __matrix_bogus__: true }
    const body = row.mutation
      ? {
          mutations: [
            {
              id: `matrix-${RUN}-bogus-${++requests}`,
              type: row.case!.replace(/ \(.*\)$/, ''),
              args: bogus,
            },
          ],
        }
      : bogus
    expectAnswer(await call(A1, row, W1.fixtures, W1.fixtures, [], { body }), 400, 'invalid_request')
  })
})

describe('another workspace\'s admin (A2): W1\'s ids are as unknown ones, nothing of W1 comes back', () => {
  it.each(each(guarded))('%s', async (_, row) => {
    if (hasTarget(row)) {
      // W1's thing, referring to A2's own (valid) ones: only the target is foreign.
      const foreign = await call(A2, row, W1.fixtures, W2.fixtures, W1.strings)
      expectUnseen(row, foreign, W1.fixtures)
      expectSameAnswer(foreign, await call(A2, row, U, W2.fixtures, W1.strings))
      if (hasRefs(row)) {
        // Its own thing, referring to W1's: the reference must be as unknown as a made-up one.
        const mixed = await call(A2, row, W2.fixtures, W1.fixtures, W1.strings)
        expectSameAnswer(mixed, await call(A2, row, W2.fixtures, U, W1.strings))
      }
    }
    else if (hasRefs(row)) {
      const foreign = await call(A2, row, W2.fixtures, W1.fixtures, W1.strings)
      expectSameAnswer(foreign, await call(A2, row, W2.fixtures, U, W1.strings))
    }
    else {
      expectSuccess(await call(A2, row, W2.fixtures, W2.fixtures, W1.strings))
    }
  })

  it('pulls a whole sync snapshot (page by page) with nothing of W1 in it', async () => {
    const pulled = await pullAll(apiAs(server.url, A2.token), undefined, 5)
    const text = JSON.stringify(pulled)
    check(pulled.changes.length, 'A2 syncs its own workspace').toBeGreaterThan(5)
    check(W1.strings.filter(s => text.includes(s)), 'W1 data in A2\'s sync').toEqual([])
  })
})

describe('a restricted agent (R1) not on the conversation: 404 for it, lists without it', () => {
  const rows = guarded.filter(row => row.hidden || forbiddenToAgents(row) || row.method === 'GET')
  it.each(each(rows))('%s', async (_, row) => {
    const o = await call(R1, row, W1.fixtures, W1.fixtures, W1.conversationStrings)
    if (row.hidden)
      expectUnseen(row, o, W1.fixtures)
    else if (row.access === 'owner')
      expectAnswer(o, 404, 'not_found')
    else if (forbiddenToAgents(row))
      expectAnswer(o, 403, 'forbidden')
    else
      expectSuccess(o)
  })

  it('pulls a sync snapshot without the conversation, its contact, messages or notes', async () => {
    const pulled = await pullAll(apiAs(server.url, R1.token), undefined, 5)
    const text = JSON.stringify(pulled)
    check(W1.conversationStrings.filter(s => text.includes(s)), 'hidden conversation in R1\'s sync').toEqual([])
  })
})

describe('a plain agent (G1): 403 for admin-only and the admin\'s note, 404 for the admin\'s notification', () => {
  it.each(each(guarded.filter(forbiddenToAgents)))('%s', async (_, row) => {
    const o = await call(G1, row, W1.fixtures, W1.fixtures)
    if (row.access === 'owner')
      expectAnswer(o, 404, 'not_found')
    else
      expectAnswer(o, 403, 'forbidden')
  })
})

/**
 * Ids a client chooses (labels, notes, messages, mutations) share one space across workspaces.
 * Another workspace's id must get the answer a fresh id gets. (Emails and WhatsApp numbers are
 * unique across workspaces by design, so `email_taken` and `phone_number_taken` do tell that one
 * exists somewhere; they are not probed here.)
 */
describe('ids chosen by the client: another workspace\'s are as fresh ones', () => {
  const fresh = () => `matrix-fresh-${RUN}-${++requests}`
  const probes: Array<[string, Row, (id: string, n: number) => unknown]> = [
    [
      'a label id',
      {
        method: 'POST',
        route: '/api/labels',
        access: 'agent',
        path: () => '/api/labels',
      },
      (id, n) => ({ id, name: `Probe Label ${n}` }),
    ],
    [
      'a note id',
      {
        method: 'POST',
        route: '/api/contacts/:id/notes',
        access: 'agent',
        path: t => `/api/contacts/${t.contactId}/notes`,
      },
      (id, n) => ({ id, body: `Probe note ${n}` }),
    ],
    [
      'a label id (label.create)',
      {
        method: 'POST',
        route: '/api/mutations',
        case: 'label.create',
        mutation: true,
        access: 'agent',
        path: () => '/api/mutations',
      },
      (id, n) => ({
        mutations: [
          {
            id: fresh(),
            type: 'label.create',
            args: { id, name: `Probe Label ${n}` },
          },
        ],
      }),
    ],
    [
      'a note id (note.create)',
      {
        method: 'POST',
        route: '/api/mutations',
        case: 'note.create',
        mutation: true,
        access: 'agent',
        path: () => '/api/mutations',
      },
      (id, n) => ({
        mutations: [
          {
            id: fresh(),
            type: 'note.create',
            args: { contactId: W2.fixtures.contactId, id, body: `Probe note ${n}` },
          },
        ],
      }),
    ],
    [
      'a message client id',
      {
        method: 'POST',
        route: '/api/conversations/:id/messages',
        access: 'agent',
        path: t => `/api/conversations/${t.conversationId}/messages`,
      },
      id => ({ clientId: id, type: 'text', text: 'Probe' }),
    ],
    [
      'a mutation id',
      {
        method: 'POST',
        route: '/api/mutations',
        case: 'label.create',
        mutation: true,
        access: 'agent',
        path: () => '/api/mutations',
      },
      (id, n) => ({
        mutations: [
          {
            id,
            type: 'label.create',
            args: { name: `Probe Label ${n}` },
          },
        ],
      }),
    ],
  ]
  const w1Ids: Record<string, () => string> = {
    'a label id': () => W1.fixtures.labelId,
    'a note id': () => W1.fixtures.noteId,
    'a label id (label.create)': () => W1.fixtures.labelId,
    'a note id (note.create)': () => W1.fixtures.noteId,
    'a message client id': () => w1ClientId,
    'a mutation id': () => w1MutationId,
  }
  it.each(probes)('reused by A2: %s of W1', async (what, row, body) => {
    const taken = await call(A2, row, W2.fixtures, W2.fixtures, W1.strings, {
      body: body(w1Ids[what]!(), ++requests),
    })
    const unused = await call(A2, row, W2.fixtures, W2.fixtures, W1.strings, {
      body: body(fresh(), ++requests),
    })
    expectSuccess(unused)
    expectSameAnswer(taken, unused)
  })
})

let a2Cursor: string
let a2Heard: unknown[] = []
let a2Socket: WebSocket | undefined

describe('no forbidden write', () => {
  it('left every row of W1 as it was (all tables but sessions)', async () => {
    const after = await snapshotWorkspace(server.app, W1.fixtures.workspaceId)
    for (const table of Object.keys({
      ...before,
      ...after,
    })) {
      const gone = (before[table] ?? []).filter(row => !(after[table] ?? []).includes(row))
      const added = (after[table] ?? []).filter(row => !(before[table] ?? []).includes(row))
      check({ gone, added }, `${table} changed`).toEqual({ gone: [], added: [] })
    }
    check(Object.keys(before).length, 'tables snapshotted').toBeGreaterThan(15)
  })
})

describe('then the plain agent (G1) does what agents may, unheard by the other workspace', () => {
  it('a2 listens (live socket) and takes a sync cursor; bad tokens are refused on the socket', async () => {
    a2Cursor = (await pullAll(apiAs(server.url, A2.token))).cursor
    a2Socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/live`)
    const hello = await new Promise<any>((resolve, reject) => {
      a2Socket!.addEventListener('message', (event) => {
        const message = JSON.parse(String(event.data))
        if (message.type === 'hello')
          resolve(message)
        else
          a2Heard.push(message)
      })
      a2Socket!.addEventListener('error', reject)
      a2Socket!.addEventListener('open', () => a2Socket!.send(JSON.stringify({ type: 'auth', token: A2.token })))
    })
    check(hello.agentId, 'A2 is greeted').toBe(A2.id)
    a2Heard = []
    for (const [what, header] of Object.entries(deadTokens).filter(([, h]) => h.startsWith('Bearer '))) {
      const token = header.slice('Bearer '.length)
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/live`)
      const answer = await new Promise<{ messages: any[], code: number }>((resolve) => {
        const messages: any[] = []
        socket.addEventListener('message', event => messages.push(JSON.parse(String(event.data))))
        socket.addEventListener('close', event => resolve({ messages, code: event.code }))
        socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token })))
      })
      check(answer.code, `/api/live with ${what}: close code`).toBe(4401)
      check(answer.messages.map(m => m.type), `/api/live with ${what}: messages`).toEqual(['error'])
    }
  })

  const allowed = guarded.filter(row => !forbiddenToAgents(row))
    .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
  it.each(each(allowed))('%s', async (_, row) => {
    expectSuccess(await call(G1, row, W1.fixtures, W1.fixtures))
  })

  it('a2 heard nothing of it: no live `changed`, nothing of W1 in its sync since the cursor', async () => {
    await new Promise(resolve => setTimeout(resolve, 200))
    a2Socket?.close()
    check(a2Heard.filter((m: any) => m.type === 'changed'), 'A2 was told of W1 changes').toEqual([])
    const since: Pulled = await pullAll(apiAs(server.url, A2.token), a2Cursor)
    const text = JSON.stringify(since)
    check(W1.strings.filter(s => text.includes(s)), 'W1 changes in A2\'s sync').toEqual([])
    // …while W1 did change (the walk above was not a no-op).
    const w1 = await snapshotWorkspace(server.app, W1.fixtures.workspaceId)
    check(w1.messages!.length, 'G1 sent messages').toBeGreaterThan(before.messages!.length)
  })
})
