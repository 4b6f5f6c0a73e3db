/**
 * Sync, mutations and live events: how an extension keeps its local store equal to the server's.
 *
 * 1. `GET /api/sync` without `since` serves a snapshot (agents, teams, channels, labels, quick
 *    replies, templates, contacts, conversations and each conversation's latest message, notes,
 *    the agent's notifications) in pages; the first page says `reset: true`.
 * 2. Then `GET /api/sync?since=<cursor>` serves every change after the cursor in commit order:
 *    an entity as it is now (`upsert`) or its removal (`delete`, also when it stopped being
 *    visible to this agent). A cursor never skips a change committed late.
 * 3. `/api/live` (WebSocket) says `changed` within milliseconds of a commit; the client pulls.
 * 4. `POST /api/mutations` applies the client's queued actions idempotently (by mutation id).
 */
import type { Static, TObject, TProperties, TSchema } from 'typebox'
import Type from 'typebox'
import { IdSchema } from './common.ts'
import { AddContactLabelSchema, CreateLabelSchema, CreateNoteSchema, UpdateContactSchema, UpdateLabelSchema, UpdateNoteSchema } from './contacts.ts'
import { AssignSchema, SetStatusSchema, SetTeamSchema } from './conversations.ts'
import { ERROR_CODES } from './errors.ts'
import { SendMessageSchema } from './messages.ts'
import { AvailabilitySchema, LIMITS } from './team.ts'

export const SYNC_KINDS = [
  'workspace',
  'agent',
  'team',
  'channel',
  'template',
  'label',
  'quick_reply',
  'contact',
  'note',
  'conversation',
  'message',
  'notification',
] as const
export type SyncKind = typeof SYNC_KINDS[number]

export const SyncChangeSchema = Type.Object({
  /** position in the workspace's change log (the snapshot's base position during a snapshot) */
  seq: Type.Integer({ minimum: 0 }),
  kind: Type.Enum(SYNC_KINDS),
  id: IdSchema,
  op: Type.Union([
    Type.Literal('upsert'),
    Type.Literal('delete'),
  ]),
  /** the entity as the matching schema (Agent, Conversation, Message …); absent on delete */
  data: Type.Optional(Type.Unknown()),
})
export type SyncChange = Static<typeof SyncChangeSchema>

export const SyncQuerySchema = Type.Object({
  /** a cursor from a previous answer; absent = start a snapshot */
  since: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
})
export type SyncQuery = Static<typeof SyncQuerySchema>

export const SyncResponseSchema = Type.Object({
  changes: Type.Array(SyncChangeSchema),
  /** pass as `since` next time */
  cursor: Type.String(),
  /** more is waiting: pull again right away */
  hasMore: Type.Boolean(),
  /** first page of a snapshot: the client replaces what it has with what follows */
  reset: Type.Boolean(),
  /** still serving a snapshot (pages of current state rather than changes) */
  snapshot: Type.Boolean(),
})
export type SyncResponse = Static<typeof SyncResponseSchema>

/** The object schema with one more required id property (e.g. the conversation it applies to). */
function withId<K extends string, P extends TProperties>(key: K, schema: TObject<P>) {
  return Type.Object({ [key]: IdSchema, ...schema.properties } as { [Q in K]: typeof IdSchema } & P, { additionalProperties: false })
}

/** What each mutation type takes. The server applies each through the same code as its REST route. */
export const MUTATION_ARGS = {
  'conversation.assign': withId('conversationId', AssignSchema),
  'conversation.setTeam': withId('conversationId', SetTeamSchema),
  'conversation.setStatus': withId('conversationId', SetStatusSchema),
  'conversation.markRead': Type.Object({ conversationId: IdSchema }, { additionalProperties: false }),
  'conversation.markUnread': Type.Object({ conversationId: IdSchema }, { additionalProperties: false }),
  'message.send': Type.Object({ conversationId: IdSchema, message: SendMessageSchema }, { additionalProperties: false }),
  'contact.update': Type.Object({ contactId: IdSchema, patch: UpdateContactSchema }, { additionalProperties: false }),
  'contact.addLabel': withId('contactId', AddContactLabelSchema),
  'contact.removeLabel': Type.Object({ contactId: IdSchema, labelId: IdSchema }, { additionalProperties: false }),
  'label.create': CreateLabelSchema,
  'label.update': Type.Object({ labelId: IdSchema, patch: UpdateLabelSchema }, { additionalProperties: false }),
  'note.create': withId('contactId', CreateNoteSchema),
  'note.update': withId('noteId', UpdateNoteSchema),
  'note.delete': Type.Object({ noteId: IdSchema }, { additionalProperties: false }),
  'notification.read': Type.Object({ notificationId: IdSchema }, { additionalProperties: false }),
  'agent.setAvailability': Type.Object({ availability: AvailabilitySchema }, { additionalProperties: false }),
} satisfies Record<string, TSchema>
export type MutationType = keyof typeof MUTATION_ARGS
export const MUTATION_TYPES = Object.keys(MUTATION_ARGS) as MutationType[]
export type MutationArgs<T extends MutationType> = Static<typeof MUTATION_ARGS[T]>

export const MutationSchema = Type.Object({
  /** the client's id for this action: applying it again answers the first result */
  id: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.Enum(MUTATION_TYPES),
  /** validated per type (MUTATION_ARGS); an invalid one fails alone */
  args: Type.Record(Type.String(), Type.Unknown()),
})
export type Mutation = Static<typeof MutationSchema>

export const MutationBatchSchema = Type.Object({
  mutations: Type.Array(MutationSchema, { minItems: 1, maxItems: LIMITS.mutations }),
}, { additionalProperties: false })
export type MutationBatch = Static<typeof MutationBatchSchema>

export const MutationResultSchema = Type.Union([
  Type.Object({
    id: Type.String(),
    ok: Type.Literal(true),
    /** the entity the mutation produced or changed, as its schema */
    result: Type.Optional(Type.Unknown()),
  }),
  Type.Object({
    id: Type.String(),
    ok: Type.Literal(false),
    error: Type.Object({
      code: Type.Enum(ERROR_CODES),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      details: Type.Optional(Type.Unknown()),
    }),
  }),
])
export type MutationResult = Static<typeof MutationResultSchema>

export const MutationBatchResultSchema = Type.Object({
  results: Type.Array(MutationResultSchema),
})
export type MutationBatchResult = Static<typeof MutationBatchResultSchema>

/** Messages on `/api/live`. The client's first message must be `auth` (within 10 s). */
export type LiveClientMessage
  = | { type: 'auth', token: string }
    | { type: 'ping' }

export type LiveServerMessage
  = | { type: 'hello', agentId: string, seq: number, heartbeatMs: number }
    /** something committed at or before `seq`: pull `/api/sync` */
    | { type: 'changed', seq: number }
    | { type: 'ping', at: number }
    | { type: 'pong', at: number }
    /** then the server closes the socket (4401 = unauthorized) */
    | { type: 'error', code: 'unauthorized' | 'invalid_request', message: string }

export const LIVE_CLOSE_UNAUTHORIZED = 4401
export const LIVE_HEARTBEAT_MS = 20_000
