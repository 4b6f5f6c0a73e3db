import type { Static } from 'typebox'
import Type from 'typebox'
import { IdSchema, pageOf, TimestampSchema } from './common.ts'
import { LIMITS, NameSchema } from './team.ts'

function Nullable<T extends Parameters<typeof Type.Union>[0][number]>(t: T) {
  return Type.Union([
    t,
    Type.Null(),
  ])
}

// The key's length goes in `propertyNames`: a Record's key schema becomes a pattern that ignores it.
export const CustomFieldsSchema = Type.Record(
  Type.String(),
  Type.String({ maxLength: LIMITS.customFieldValue }),
  {
    maxProperties: LIMITS.customFields,
    propertyNames: { minLength: 1, maxLength: LIMITS.customFieldKey },
  },
)

export const ContactSchema = Type.Object({
  id: IdSchema,
  /** WhatsApp id (phone digits); null for a customer known only by their business-scoped user id */
  waId: Nullable(Type.String()),
  /** business-scoped user id (BSUID), e.g. `US.13491208655302741918` */
  userId: Nullable(Type.String()),
  username: Nullable(Type.String()),
  /** the name the customer set in WhatsApp */
  profileName: Nullable(Type.String()),
  /** the name the team gave the contact (shown before the profile name) */
  name: Nullable(Type.String()),
  /** E.164 with a leading +, from the WhatsApp id or entered by an agent */
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  /** BCP 47 language tag, e.g. `ro` or `en-GB` */
  language: Nullable(Type.String()),
  customFields: Type.Record(Type.String(), Type.String()),
  aiBot: Type.Boolean(),
  replyBot: Type.Boolean(),
  blocked: Type.Boolean(),
  labelIds: Type.Array(IdSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Contact = Static<typeof ContactSchema>

export const ContactPageSchema = pageOf(ContactSchema)
export type ContactPage = Static<typeof ContactPageSchema>

export const ListContactsQuerySchema = Type.Object({
  /** name (word prefix, accents ignored) or phone digits anywhere ("0722" finds +40 722 …) */
  q: Type.Optional(Type.String({ maxLength: 100 })),
  /** only contacts with this label */
  label: Type.Optional(IdSchema),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})
export type ListContactsQuery = Static<typeof ListContactsQuerySchema>

/** A phone number as typed: digits with optional +, spaces and punctuation (stored as digits). */
export const PhoneSchema = Type.String({ minLength: 4, maxLength: 32, pattern: '^\\+?[0-9 ()./-]+$' })

/** A contact from a phone number (international format, at least 8 digits), with its conversation. */
export const CreateContactSchema = Type.Object({
  phone: PhoneSchema,
  name: Type.Optional(NameSchema),
  /** the number to talk to it from; the workspace's first when absent */
  channelId: Type.Optional(IdSchema),
}, { additionalProperties: false })
export type CreateContact = Static<typeof CreateContactSchema>

export const UpdateContactSchema = Type.Object({
  name: Type.Optional(Nullable(NameSchema)),
  email: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: LIMITS.email, pattern: '^[^\\s@]+@[^\\s@]+$' }))),
  phone: Type.Optional(Nullable(PhoneSchema)),
  language: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: LIMITS.language, pattern: '^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$' }))),
  /** replaces the whole set; a key set to "" is removed */
  customFields: Type.Optional(CustomFieldsSchema),
  aiBot: Type.Optional(Type.Boolean()),
  replyBot: Type.Optional(Type.Boolean()),
  blocked: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateContact = Static<typeof UpdateContactSchema>

export const LABEL_COLORS = [
  'gray',
  'red',
  'orange',
  'amber',
  'green',
  'teal',
  'blue',
  'indigo',
  'purple',
  'pink',
] as const
export const LabelColorSchema = Type.Enum(LABEL_COLORS)
export type LabelColor = typeof LABEL_COLORS[number]

export const LabelSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  color: LabelColorSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Label = Static<typeof LabelSchema>

export const LabelListSchema = Type.Object({
  items: Type.Array(LabelSchema),
})
export type LabelList = Static<typeof LabelListSchema>

export const LabelNameSchema = Type.String({ minLength: 1, maxLength: LIMITS.labelName })

export const CreateLabelSchema = Type.Object({
  /** client-chosen id (makes a retried create idempotent); generated when absent */
  id: Type.Optional(IdSchema),
  name: LabelNameSchema,
  color: Type.Optional(LabelColorSchema),
}, { additionalProperties: false })
export type CreateLabel = Static<typeof CreateLabelSchema>

export const UpdateLabelSchema = Type.Object({
  name: Type.Optional(LabelNameSchema),
  color: Type.Optional(LabelColorSchema),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateLabel = Static<typeof UpdateLabelSchema>

/** Add a label to a contact: an existing one by id, or by name (created on the fly when new). */
export const AddContactLabelSchema = Type.Object({
  labelId: Type.Optional(IdSchema),
  name: Type.Optional(LabelNameSchema),
  color: Type.Optional(LabelColorSchema),
}, { additionalProperties: false, minProperties: 1 })
export type AddContactLabel = Static<typeof AddContactLabelSchema>

export const NoteSchema = Type.Object({
  id: IdSchema,
  contactId: IdSchema,
  authorId: IdSchema,
  body: Type.String(),
  /** agents @mentioned in the body (notified once, when first mentioned) */
  mentions: Type.Array(IdSchema),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type Note = Static<typeof NoteSchema>

export const NoteListSchema = Type.Object({
  items: Type.Array(NoteSchema),
})
export type NoteList = Static<typeof NoteListSchema>

export const NoteBodySchema = Type.String({ minLength: 1, maxLength: LIMITS.noteBody })

export const CreateNoteSchema = Type.Object({
  /** client-chosen id: a retried create never makes a second note */
  id: Type.Optional(IdSchema),
  body: NoteBodySchema,
  /** agent ids mentioned; the server also recognises `@Name` of a teammate in the body */
  mentions: Type.Optional(Type.Array(IdSchema, { maxItems: 50 })),
}, { additionalProperties: false })
export type CreateNote = Static<typeof CreateNoteSchema>

export const UpdateNoteSchema = Type.Object({
  body: NoteBodySchema,
  /** agent ids mentioned (with the `@Name`s in the body); only newly mentioned agents are notified */
  mentions: Type.Optional(Type.Array(IdSchema, { maxItems: 50 })),
}, { additionalProperties: false })
export type UpdateNote = Static<typeof UpdateNoteSchema>

export const NotificationSchema = Type.Object({
  id: IdSchema,
  kind: Type.String(),
  actorId: Nullable(IdSchema),
  contactId: Nullable(IdSchema),
  conversationId: Nullable(IdSchema),
  noteId: Nullable(IdSchema),
  createdAt: TimestampSchema,
  readAt: Nullable(TimestampSchema),
})
export type Notification = Static<typeof NotificationSchema>

export const NotificationListSchema = Type.Object({
  items: Type.Array(NotificationSchema),
})
export type NotificationList = Static<typeof NotificationListSchema>

export const QuickReplySchema = Type.Object({
  id: IdSchema,
  /** typed after `/` in the composer */
  shortcut: Type.String(),
  title: Type.String(),
  body: Type.String(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
})
export type QuickReply = Static<typeof QuickReplySchema>

export const QuickReplyListSchema = Type.Object({
  items: Type.Array(QuickReplySchema),
})
export type QuickReplyList = Static<typeof QuickReplyListSchema>

export const ShortcutSchema = Type.String({ minLength: 1, maxLength: LIMITS.quickReplyShortcut, pattern: '^[\\p{L}\\p{N}_-]+$' })

export const CreateQuickReplySchema = Type.Object({
  shortcut: ShortcutSchema,
  title: Type.String({ minLength: 1, maxLength: LIMITS.quickReplyTitle }),
  body: Type.String({ minLength: 1, maxLength: LIMITS.quickReplyBody }),
}, { additionalProperties: false })
export type CreateQuickReply = Static<typeof CreateQuickReplySchema>

export const UpdateQuickReplySchema = Type.Object({
  shortcut: Type.Optional(ShortcutSchema),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.quickReplyTitle })),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.quickReplyBody })),
}, { additionalProperties: false, minProperties: 1 })
export type UpdateQuickReply = Static<typeof UpdateQuickReplySchema>
