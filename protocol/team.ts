import type { Static } from 'typebox'
import Type from 'typebox'
import { IdSchema, TimestampSchema } from './common.ts'

export const ROLES = ['admin', 'agent'] as const
export type Role = typeof ROLES[number]
export const AVAILABILITIES = ['online', 'away', 'offline'] as const
export type Availability = typeof AVAILABILITIES[number]

export const RoleSchema = Type.Enum(ROLES)
export const AvailabilitySchema = Type.Enum(AVAILABILITIES)

/** Limits shared by the server (refuses longer input with `invalid_request` naming the field) and the UI. */
export const LIMITS = {
  name: 120,
  email: 320,
  password: { min: 8, max: 1024 },
  teamName: 80,
  labelName: 60,
  noteBody: 10_000,
  quickReplyShortcut: 40,
  quickReplyTitle: 120,
  quickReplyBody: 4096,
  customFieldKey: 60,
  customFieldValue: 1000,
  customFields: 50,
  language: 35,
  bulk: 500,
  mutations: 100,
  channelAccessToken: 4096,
  channelSecret: 256,
} as const

export const NameSchema = Type.String({ minLength: 1, maxLength: LIMITS.name })
export const EmailSchema = Type.String({ minLength: 3, maxLength: LIMITS.email, pattern: '^[^\\s@]+@[^\\s@]+$' })

export const AgentSchema = Type.Object({
  id: IdSchema,
  workspaceId: IdSchema,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  availability: AvailabilitySchema,
  /** true = sees only conversations assigned to them or to one of their teams */
  restricted: Type.Boolean(),
  active: Type.Boolean(),
  teamIds: Type.Array(IdSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Agent = Static<typeof AgentSchema>

export const InviteAgentSchema = Type.Object({
  email: EmailSchema,
  name: NameSchema,
  role: Type.Optional(RoleSchema),
  /** initial password; when absent the server generates one and returns it once */
  password: Type.Optional(Type.String({ minLength: LIMITS.password.min, maxLength: LIMITS.password.max })),
  restricted: Type.Optional(Type.Boolean()),
  teamIds: Type.Optional(Type.Array(IdSchema, { maxItems: 100 })),
}, { additionalProperties: false })
export type InviteAgent = Static<typeof InviteAgentSchema>

export const InvitedAgentSchema = Type.Object({
  agent: AgentSchema,
  /** present only when the server generated the password: shown once, never stored in clear */
  password: Type.Optional(Type.String()),
})
export type InvitedAgent = Static<typeof InvitedAgentSchema>

/** Admins may change everything; an agent may change only their own name and availability. */
export const UpdateAgentSchema = Type.Object({
  name: Type.Optional(NameSchema),
  email: Type.Optional(EmailSchema),
  role: Type.Optional(RoleSchema),
  availability: Type.Optional(AvailabilitySchema),
  restricted: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean()),
  teamIds: Type.Optional(Type.Array(IdSchema, { maxItems: 100 })),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateAgent = Static<typeof UpdateAgentSchema>

export const ChangePasswordSchema = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: LIMITS.password.max }),
  newPassword: Type.String({ minLength: LIMITS.password.min, maxLength: LIMITS.password.max }),
}, { additionalProperties: false })
export type ChangePassword = Static<typeof ChangePasswordSchema>

export const TeamSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  agentIds: Type.Array(IdSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Team = Static<typeof TeamSchema>

export const CreateTeamSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: LIMITS.teamName }),
  agentIds: Type.Optional(Type.Array(IdSchema, { maxItems: 1000 })),
}, { additionalProperties: false })
export type CreateTeam = Static<typeof CreateTeamSchema>

export const UpdateTeamSchema = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.teamName })),
  agentIds: Type.Optional(Type.Array(IdSchema, { maxItems: 1000 })),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateTeam = Static<typeof UpdateTeamSchema>

export const LoginRequestSchema = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false })
export type LoginRequest = Static<typeof LoginRequestSchema>

export const LoginResponseSchema = Type.Object({
  token: Type.String(),
  agent: AgentSchema,
})
export type LoginResponse = Static<typeof LoginResponseSchema>

/** A WhatsApp number of the workspace, as agents see it (never its secrets). */
export const ChannelSchema = Type.Object({
  id: IdSchema,
  phoneNumberId: Type.String(),
  displayPhoneNumber: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  createdAt: TimestampSchema,
})
export type Channel = Static<typeof ChannelSchema>

/** Meta's ids (phone number, business account) are decimal strings. */
const MetaIdSchema = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9]+$' })
/** Tokens and secrets never contain whitespace: a pasted newline or space is refused, not stored. */
const SecretSchema = Type.String({ minLength: 1, maxLength: LIMITS.channelSecret, pattern: '^\\S+$' })

/** An admin adds a WhatsApp number; the token and secrets are stored, never served back. */
export const CreateChannelSchema = Type.Object({
  phoneNumberId: MetaIdSchema,
  wabaId: MetaIdSchema,
  /** a system user's permanent token with whatsapp_business_messaging */
  accessToken: Type.String({ minLength: 1, maxLength: LIMITS.channelAccessToken, pattern: '^\\S+$' }),
  /** the Meta app's secret: verifies the webhooks' X-Hub-Signature-256 */
  appSecret: SecretSchema,
  /** the token Meta echoes in the webhook verification handshake */
  verifyToken: SecretSchema,
  displayPhoneNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  /** send rate for this number (messages/s); the server's default when absent */
  throughputPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
}, { additionalProperties: false })
export type CreateChannel = Static<typeof CreateChannelSchema>
