import type { Static } from 'typebox'
import Type from 'typebox'
import { IdSchema, pageOf, TimestampSchema } from './common.ts'

export const ContactSchema = Type.Object({
  id: IdSchema,
  /** WhatsApp id (phone digits); null for a customer known only by their business-scoped user id */
  waId: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  /** business-scoped user id (BSUID), e.g. `US.13491208655302741918` */
  userId: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  username: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  /** the name the customer set in WhatsApp */
  profileName: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Contact = Static<typeof ContactSchema>

export const ConversationSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  contact: ContactSchema,
  status: Type.String(),
  unreadCount: Type.Integer({ minimum: 0 }),
  lastMessageAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  lastMessagePreview: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  lastMessageDirection: Type.Union([
    Type.Literal('in'),
    Type.Literal('out'),
    Type.Null(),
  ]),
  /** lets the UI label a media message whose preview text is empty */
  lastMessageType: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  lastInboundAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  /** end of the 24-hour customer service window; free-form messages are refused after it */
  windowExpiresAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Conversation = Static<typeof ConversationSchema>

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

export const LoginRequestSchema = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false })
export type LoginRequest = Static<typeof LoginRequestSchema>

export const AgentSchema = Type.Object({
  id: IdSchema,
  workspaceId: IdSchema,
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([
    Type.Literal('admin'),
    Type.Literal('agent'),
  ]),
})
export type Agent = Static<typeof AgentSchema>

export const LoginResponseSchema = Type.Object({
  token: Type.String(),
  agent: AgentSchema,
})
export type LoginResponse = Static<typeof LoginResponseSchema>
