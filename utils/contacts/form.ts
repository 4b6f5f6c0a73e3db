/** The contact edit form: its rows, client-side validation and the changed-fields patch. */
import type { UpdateContact } from '~/protocol/contacts'
import type { Contact } from '~/utils/db'
import { i18n } from '#i18n'
import { LIMITS } from '~/protocol/team'

export interface CustomFieldRow {
  /** stable key for v-for */
  uid: number
  key: string
  value: string
}

export interface ContactForm {
  name: string
  email: string
  phone: string
  language: string
  customFields: CustomFieldRow[]
}

export type ContactFormField = 'name' | 'email' | 'phone' | 'language' | 'customFields'
export const CONTACT_FORM_FIELDS: readonly ContactFormField[] = [
  'name',
  'email',
  'phone',
  'language',
  'customFields',
]

/** Errors by field; custom field rows by their `uid` (`key` / `value`). */
export interface ContactFormErrors {
  name?: string
  email?: string
  phone?: string
  language?: string
  customFields?: string
  rows?: Record<number, { key?: string, value?: string }>
}

let nextUid = 1

export function customFieldRow(key = '', value = ''): CustomFieldRow {
  return { uid: nextUid++, key, value }
}

export function contactFormOf(contact: Contact): ContactForm {
  return {
    name: contact.name ?? '',
    email: contact.email ?? '',
    phone: contact.phone ?? '',
    language: contact.language ?? '',
    customFields: Object.entries(contact.customFields ?? {}).map(([key, value]) => customFieldRow(key, value)),
  }
}

// The same rules as protocol/contacts.ts UpdateContactSchema, plus the server's 8–15 digits for phones.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/
const PHONE_PATTERN = /^\+?[0-9 ()./-]+$/
const LANGUAGE_PATTERN = /^[A-Z]{2,3}(?:[-_][A-Z0-9]{2,8})*$/i
const PHONE_DIGITS = { min: 8, max: 15 }

function tooLong(max: number): string {
  return i18n.t('contact.validation.tooLong', [
    String(max),
  ])
}

/** Client-side validation of the edit form; an empty object when it may be saved. */
export function validateContactForm(form: ContactForm): ContactFormErrors {
  const errors: ContactFormErrors = {}
  const name = form.name.trim()
  if (name.length > LIMITS.name)
    errors.name = tooLong(LIMITS.name)

  const email = form.email.trim()
  if (email && (email.length < 3 || !EMAIL_PATTERN.test(email)))
    errors.email = i18n.t('contact.validation.email')
  else if (email.length > LIMITS.email)
    errors.email = tooLong(LIMITS.email)

  const phone = form.phone.trim()
  if (phone) {
    const digits = phone.replace(/\D/g, '').length
    if (phone.length > 32 || !PHONE_PATTERN.test(phone) || digits < PHONE_DIGITS.min || digits > PHONE_DIGITS.max)
      errors.phone = i18n.t('contact.validation.phone')
  }

  const language = form.language.trim()
  if (language && (language.length < 2 || !LANGUAGE_PATTERN.test(language)))
    errors.language = i18n.t('contact.validation.language')
  else if (language.length > LIMITS.language)
    errors.language = tooLong(LIMITS.language)

  const rows: NonNullable<ContactFormErrors['rows']> = {}
  const seen = new Set<string>()
  const filled = form.customFields.filter(row => row.key.trim() || row.value.trim())
  for (const row of filled) {
    const key = row.key.trim()
    const error: { key?: string, value?: string } = {}
    if (!key)
      error.key = i18n.t('contact.validation.customFieldKey')
    else if (key.length > LIMITS.customFieldKey)
      error.key = tooLong(LIMITS.customFieldKey)
    else if (seen.has(key))
      error.key = i18n.t('contact.validation.customFieldDuplicate')
    seen.add(key)
    if (!row.value.trim())
      error.value = i18n.t('contact.validation.customFieldValue')
    else if (row.value.length > LIMITS.customFieldValue)
      error.value = tooLong(LIMITS.customFieldValue)
    if (error.key || error.value)
      rows[row.uid] = error
  }
  if (Object.keys(rows).length > 0)
    errors.rows = rows
  if (filled.length > LIMITS.customFields) {
    errors.customFields = i18n.t('contact.validation.customFields', [
      String(LIMITS.customFields),
    ])
  }
  return errors
}

export function hasFormErrors(errors: ContactFormErrors): boolean {
  return Object.keys(errors).length > 0
}

/** A typed number in E.164: `+` and its digits ("0040 722-123 456" → "+40722123456"). */
export function toE164(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^00/, '')
  return `+${digits}`
}

function sameFields(a: Record<string, string>, b: Record<string, string>): boolean {
  const left = Object.entries(a).sort(([x], [y]) => x.localeCompare(y))
  const right = Object.entries(b).sort(([x], [y]) => x.localeCompare(y))
  return JSON.stringify(left) === JSON.stringify(right)
}

/**
 * Only what the form changed, as an `UpdateContact` patch (an emptied field becomes null); null
 * when nothing changed. Expects a valid form.
 */
export function contactPatchOf(contact: Contact, form: ContactForm): UpdateContact | null {
  const patch: UpdateContact = {}
  const text = (value: string) => value.trim() || null
  const name = text(form.name)
  if (name !== (contact.name ?? null))
    patch.name = name
  const email = text(form.email)
  if (email !== (contact.email ?? null))
    patch.email = email
  const typedPhone = text(form.phone)
  const phone = typedPhone === null
    ? null
    : toE164(typedPhone)
  const currentPhone = contact.phone
    ? toE164(contact.phone)
    : null
  if (phone !== currentPhone)
    patch.phone = phone
  const language = text(form.language)
  if (language !== (contact.language ?? null))
    patch.language = language
  const fields = Object.fromEntries(form.customFields
    .filter(row => row.key.trim() && row.value.trim())
    .map(row => [
      row.key.trim(),
      row.value,
    ]))
  if (!sameFields(fields, contact.customFields ?? {}))
    patch.customFields = fields
  return Object.keys(patch).length > 0
    ? patch
    : null
}
