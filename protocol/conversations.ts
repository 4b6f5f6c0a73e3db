import type { Static } from 'typebox'
import Type from 'typebox'
import { BotHandoverSchema } from './bots.ts'
import { IdSchema, pageOf, TimestampSchema } from './common.ts'
import { ContactSchema } from './contacts.ts'
import { LIMITS } from './team.ts'

export const CONVERSATION_STATUSES = ['open', 'snoozed', 'closed'] as const
export type ConversationStatus = typeof CONVERSATION_STATUSES[number]
export const ConversationStatusSchema = Type.Enum(CONVERSATION_STATUSES)

function Nullable<T extends Parameters<typeof Type.Union>[0][number]>(t: T) {
  return Type.Union([
    t,
    Type.Null(),
  ])
}

export const ConversationSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  contactId: IdSchema,
  /**
   * The contact as it was when this conversation was read. Sync serves contact edits as their own
   * `contact` changes (not as changes of every conversation): clients show the contact by `contactId`.
   */
  contact: ContactSchema,
  status: ConversationStatusSchema,
  /** with status `snoozed`: when it reopens by itself; null = at the customer's next message */
  snoozedUntil: Nullable(TimestampSchema),
  statusChangedAt: Nullable(TimestampSchema),
  assigneeId: Nullable(IdSchema),
  assignedAt: Nullable(TimestampSchema),
  teamId: Nullable(IdSchema),
  /** unread for the agent asking (their own read state; the team's until they first read it) */
  unreadCount: Type.Integer({ minimum: 0 }),
  /** the agent marked it unread */
  markedUnread: Type.Boolean(),
  lastMessageAt: Nullable(TimestampSchema),
  lastMessagePreview: Nullable(Type.String()),
  lastMessageDirection: Type.Union([
    Type.Literal('in'),
    Type.Literal('out'),
    Type.Null(),
  ]),
  /** lets the UI label a media message whose preview text is empty */
  lastMessageType: Nullable(Type.String()),
  lastInboundAt: Nullable(TimestampSchema),
  /** end of the 24-hour customer service window; free-form messages are refused after it */
  windowExpiresAt: Nullable(TimestampSchema),
  /** the AI Bot handed this chat to the humans (why, when); null while a bot may still answer. Cleared when the chat closes or an agent turns the AI Bot on again. */
  botHandover: Type.Optional(Nullable(BotHandoverSchema)),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Conversation = Static<typeof ConversationSchema>

export const CONVERSATION_VIEWS = ['all', 'mine', 'unassigned'] as const
export type ConversationView = typeof CONVERSATION_VIEWS[number]

export const ListConversationsQuerySchema = Type.Object({
  view: Type.Optional(Type.Enum(CONVERSATION_VIEWS, { default: 'all' })),
  /** open (default), snoozed, closed, or all */
  status: Type.Optional(Type.Enum([...CONVERSATION_STATUSES, 'all'] as const)),
  label: Type.Optional(IdSchema),
  teamId: Type.Optional(IdSchema),
  channelId: Type.Optional(IdSchema),
  assigneeId: Type.Optional(IdSchema),
  /** only conversations unread for the caller */
  unread: Type.Optional(Type.Boolean()),
  /** contact name (word prefix, accents ignored) or phone digits anywhere ("0722" finds +40 722 …) */
  q: Type.Optional(Type.String({ maxLength: 100 })),
  contactId: Type.Optional(IdSchema),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type ListConversationsQuery = Static<typeof ListConversationsQuerySchema>

export const AssignSchema = Type.Object({
  /** null unassigns */
  assigneeId: Nullable(IdSchema),
}, { additionalProperties: false })
export type Assign = Static<typeof AssignSchema>

export const SetTeamSchema = Type.Object({
  teamId: Nullable(IdSchema),
}, { additionalProperties: false })
export type SetTeam = Static<typeof SetTeamSchema>

export const SetStatusSchema = Type.Object({
  status: ConversationStatusSchema,
  /** with `snoozed`: reopen at this time (in the future); absent or null = at the customer's next message */
  snoozedUntil: Type.Optional(Nullable(TimestampSchema)),
}, { additionalProperties: false })
export type SetStatus = Static<typeof SetStatusSchema>

export const BulkConversationsSchema = Type.Object({
  conversationIds: Type.Array(IdSchema, { minItems: 1, maxItems: LIMITS.bulk }),
  assigneeId: Type.Optional(Nullable(IdSchema)),
  teamId: Type.Optional(Nullable(IdSchema)),
  status: Type.Optional(ConversationStatusSchema),
  snoozedUntil: Type.Optional(Nullable(TimestampSchema)),
  /** labels added to each conversation's contact */
  addLabelIds: Type.Optional(Type.Array(IdSchema, { maxItems: 20 })),
  removeLabelIds: Type.Optional(Type.Array(IdSchema, { maxItems: 20 })),
}, { additionalProperties: false, minProperties: 2 })
export type BulkConversations = Static<typeof BulkConversationsSchema>

export const BulkResultSchema = Type.Object({
  /** conversations changed */
  updated: Type.Integer({ minimum: 0 }),
  /** ids not found or not visible to the caller (nothing was done to them) */
  notFound: Type.Array(IdSchema),
})
export type BulkResult = Static<typeof BulkResultSchema>

/** One row of a conversation's history of assignment and status changes (feeds reports). */
export const ConversationEventSchema = Type.Object({
  id: IdSchema,
  kind: Type.Union([
    Type.Literal('assigned'),
    Type.Literal('team'),
    Type.Literal('status'),
  ]),
  actorId: Nullable(IdSchema),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  createdAt: TimestampSchema,
})
export type ConversationEvent = Static<typeof ConversationEventSchema>

export const ConversationPageSchema = pageOf(ConversationSchema)
export type ConversationPage = Static<typeof ConversationPageSchema>

export const TemplateSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  name: Type.String(),
  language: Type.String(),
  status: Type.String(),
  category: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  parameterFormat: Type.Union([
    Type.Literal('POSITIONAL'),
    Type.Literal('NAMED'),
  ]),
  components: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  syncedAt: TimestampSchema,
})
export type Template = Static<typeof TemplateSchema>
