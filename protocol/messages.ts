import type { Static } from 'typebox'
import Type from 'typebox'
import { BOT_KINDS } from './bots.ts'
import { IdSchema, pageOf, TimestampSchema } from './common.ts'

export const MESSAGE_STATUSES = [
  'pending',
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
] as const
export type MessageStatus = typeof MESSAGE_STATUSES[number]

/**
 * Message types as stored. Inbound types follow Meta's webhook `type`; anything the connector does
 * not know is stored as `unsupported` with the original type in `content.originalType`.
 */
export const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'template',
  'system',
  'unsupported',
] as const
export type MessageType = typeof MESSAGE_TYPES[number]

export const WhatsAppErrorSchema = Type.Object({
  code: Type.Integer(),
  title: Type.String(),
  details: Type.Optional(Type.String()),
})
export type WhatsAppError = Static<typeof WhatsAppErrorSchema>

export const MessageSchema = Type.Object({
  id: IdSchema,
  conversationId: IdSchema,
  wamid: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  clientId: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  direction: Type.Union([
    Type.Literal('in'),
    Type.Literal('out'),
  ]),
  type: Type.Enum(MESSAGE_TYPES),
  status: Type.Enum(MESSAGE_STATUSES),
  error: Type.Union([
    WhatsAppErrorSchema,
    Type.Null(),
  ]),
  /** Type-specific content (text body, media id and caption, location, …); see docs/api.md, "Message `content` by type". */
  content: Type.Record(Type.String(), Type.Unknown()),
  /** Reply / forward context as WhatsApp sent it (`{from, id}`, `{forwarded: true}`, …). */
  context: Type.Union([
    Type.Record(Type.String(), Type.Unknown()),
    Type.Null(),
  ]),
  referral: Type.Union([
    Type.Record(Type.String(), Type.Unknown()),
    Type.Null(),
  ]),
  /** The customer's current reaction to this message (emoji), if any. */
  reaction: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  /** When the customer sent it (inbound) or when it was queued (outbound). */
  timestamp: TimestampSchema,
  createdAt: TimestampSchema,
  sentAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  deliveredAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  readAt: Type.Union([
    TimestampSchema,
    Type.Null(),
  ]),
  /** the agent who sent an outbound message; null for inbound ones */
  senderId: Type.Union([
    IdSchema,
    Type.Null(),
  ]),
  /** the bot that sent an outbound message (`reply` = Reply Bot, `ai` = AI Bot); null otherwise */
  bot: Type.Optional(Type.Union([
    Type.Enum(BOT_KINDS),
    Type.Null(),
  ])),
})
export type Message = Static<typeof MessageSchema>

export const MessagePageSchema = pageOf(MessageSchema)
export type MessagePage = Static<typeof MessagePageSchema>

const ClientId = Type.String({ minLength: 1, maxLength: 64, description: 'client-generated id; a retried request with the same id never sends twice' })
const ReplyTo = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'id of the message being replied to' }))

export const TemplateParameterSchema = Type.Object({
  type: Type.Union([
    Type.Literal('text'),
    Type.Literal('image'),
    Type.Literal('video'),
    Type.Literal('document'),
    Type.Literal('payload'),
  ]),
  text: Type.Optional(Type.String({ maxLength: 1024 })),
  /** id of media uploaded through `POST /api/conversations/:id/media` (header parameters) */
  mediaId: Type.Optional(Type.String({ maxLength: 64 })),
  payload: Type.Optional(Type.String({ maxLength: 256 })),
  /** for NAMED-format templates */
  name: Type.Optional(Type.String({ maxLength: 64 })),
})

const SendMessageVariants = [
  Type.Object({
    clientId: ClientId,
    type: Type.Literal('text'),
    text: Type.String({ minLength: 1, maxLength: 4096 }),
    previewUrl: Type.Optional(Type.Boolean()),
    replyTo: ReplyTo,
  }, { additionalProperties: false }),
  Type.Object({
    clientId: ClientId,
    type: Type.Enum([
      'image',
      'audio',
      'video',
      'document',
      'sticker',
    ]),
    mediaId: Type.String({ minLength: 1, maxLength: 64, description: 'id returned by POST /api/conversations/:id/media' }),
    caption: Type.Optional(Type.String({ maxLength: 1024 })),
    replyTo: ReplyTo,
  }, { additionalProperties: false }),
  Type.Object({
    clientId: ClientId,
    type: Type.Literal('template'),
    template: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 512 }),
      language: Type.String({ minLength: 2, maxLength: 16 }),
      header: Type.Optional(Type.Array(TemplateParameterSchema, { maxItems: 1 })),
      body: Type.Optional(Type.Array(TemplateParameterSchema, { maxItems: 64 })),
      buttons: Type.Optional(Type.Array(Type.Object({
        index: Type.Integer({ minimum: 0, maximum: 9 }),
        subType: Type.Union([
          Type.Literal('quick_reply'),
          Type.Literal('url'),
        ]),
        parameter: TemplateParameterSchema,
      }), { maxItems: 10 })),
    }, { additionalProperties: false }),
  }, { additionalProperties: false }),
  Type.Object({
    clientId: ClientId,
    type: Type.Literal('reaction'),
    messageId: Type.String({ minLength: 1, maxLength: 64, description: 'id of the message reacted to' }),
    emoji: Type.String({ maxLength: 16, description: 'empty string removes the reaction' }),
  }, { additionalProperties: false }),
] as const
// Only its static type is used: the schema itself is the discriminated oneOf below.
// eslint-disable-next-line unused-imports/no-unused-vars
const SendMessageUnion = Type.Union([...SendMessageVariants])

/**
 * The body of `POST /api/conversations/:id/messages`. A `oneOf` with a discriminator on `type`, so a
 * validation error names the field of the variant that was meant, not every variant.
 */
export const SendMessageSchema = Type.Unsafe<Static<typeof SendMessageUnion>>({
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [...SendMessageVariants],
})
export type SendMessage = Static<typeof SendMessageSchema>

export const UploadedMediaSchema = Type.Object({
  id: IdSchema,
  mimeType: Type.String(),
  filename: Type.Union([
    Type.String(),
    Type.Null(),
  ]),
  size: Type.Integer(),
})
export type UploadedMedia = Static<typeof UploadedMediaSchema>
