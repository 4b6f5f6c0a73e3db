import type { ContactForm } from '~/utils/contacts/form'
import { describe, expect, it } from 'vitest'
import { agent, contact, conversation, label } from '~/components/contact/__tests__/fixtures'
import { assigneeOptions } from '~/utils/contacts/assignment'
import { contactErrorField, contactErrorText } from '~/utils/contacts/errors'
import { contactFormOf, contactPatchOf, customFieldRow, hasFormErrors, toE164, validateContactForm } from '~/utils/contacts/form'
import { matchingLabels } from '~/utils/contacts/labels'
import { noteMentions } from '~/utils/contacts/notes'
import { mergePastConversations } from '~/utils/contacts/past-conversations'

const base = contact('c1', {
  name: 'Ana',
  phone: '+40722123456',
  email: 'ana@example.com',
  language: 'ro',
  customFields: { city: 'Cluj', plan: 'gold' },
})

function form(patch: Partial<ContactForm> = {}): ContactForm {
  return {
    ...contactFormOf(base),
    ...patch,
  }
}

describe('contact helpers', () => {
  describe('validateContactForm', () => {
    it('accepts the contact as it is, and empty fields (they clear)', () => {
      expect(validateContactForm(form())).toEqual({})
      expect(validateContactForm(form({
        name: '',
        email: '',
        phone: '',
        language: '',
        customFields: [],
      }))).toEqual({})
    })

    it.each([
      [
        'email',
        { email: 'no-at-sign' },
        'contact_validation_email',
      ],
      [
        'email',
        { email: 'a b@c' },
        'contact_validation_email',
      ],
      [
        'phone',
        { phone: '+40 72' },
        'contact_validation_phone',
      ],
      [
        'phone',
        { phone: '+40 722 123 456 789 01' },
        'contact_validation_phone',
      ],
      [
        'phone',
        { phone: 'call me' },
        'contact_validation_phone',
      ],
      [
        'language',
        { language: 'r' },
        'contact_validation_language',
      ],
      [
        'language',
        { language: 'english!' },
        'contact_validation_language',
      ],
      [
        'name',
        {
          name: 'x'.repeat(121),
        },
        'contact_validation_tooLong 120',
      ],
    ] as const)('refuses a bad %s (%o)', (field, patch, message) => {
      expect(validateContactForm(form(patch))[field]).toBe(message)
    })

    it.each([
      ['+40 722 123 456'],
      ['0040 (722) 123-456'],
      ['447700900123'],
    ])('accepts the phone %s', (phone) => {
      expect(validateContactForm(form({ phone }))).toEqual({})
    })

    it('checks custom field rows: key, value, duplicates, lengths', () => {
      const rows = [
        customFieldRow('', 'orphan'),
        customFieldRow('size', ''),
        customFieldRow('dup', '1'),
        customFieldRow('dup', '2'),
        customFieldRow('k'.repeat(61), 'v'),
        customFieldRow('', ''),
      ]
      const errors = validateContactForm(form({ customFields: rows }))
      expect(errors.rows).toEqual({
        [rows[0]!.uid]: { key: 'contact_validation_customFieldKey' },
        [rows[1]!.uid]: { value: 'contact_validation_customFieldValue' },
        [rows[3]!.uid]: { key: 'contact_validation_customFieldDuplicate' },
        [rows[4]!.uid]: { key: 'contact_validation_tooLong 60' },
      })
      expect(hasFormErrors(errors)).toBe(true)
    })

    it('allows at most 50 custom fields', () => {
      const rows = Array.from({ length: 51 }, (_, i) => customFieldRow(`k${i}`, 'v'))
      expect(validateContactForm(form({ customFields: rows })).customFields).toBe('contact_validation_customFields 50')
    })
  })

  describe('contactPatchOf', () => {
    it('is null when nothing changed (custom fields in another order, phone typed differently)', () => {
      expect(contactPatchOf(base, form())).toBeNull()
      expect(contactPatchOf(base, form({
        phone: '+40 722-123-456',
        customFields: [
          customFieldRow('plan', 'gold'),
          customFieldRow('city', 'Cluj'),
        ],
      }))).toBeNull()
    })

    it('has only the changed fields; emptied ones become null', () => {
      expect(contactPatchOf(base, form({ name: '  Ana Maria ', email: '' }))).toEqual({ name: 'Ana Maria', email: null })
      expect(contactPatchOf(base, form({ phone: '0040733000111' }))).toEqual({ phone: '+40733000111' })
      expect(contactPatchOf(base, form({ language: 'en-GB' }))).toEqual({ language: 'en-GB' })
    })

    it('sends the whole set of custom fields when one changes', () => {
      expect(contactPatchOf(base, form({
        customFields: [
          customFieldRow('city', 'Iași'),
          customFieldRow('', ''),
        ],
      }))).toEqual({
        customFields: { city: 'Iași' },
      })
    })
  })

  it('writes phones as E.164', () => {
    expect(toE164('0040 722 123 456')).toBe('+40722123456')
    expect(toE164('+44 (7700) 900-123')).toBe('+447700900123')
  })

  describe('errors', () => {
    it.each([
      [
        { code: 'email_taken' },
        'contact_errors_emailTaken',
      ],
      [
        { code: 'phone_number_taken' },
        'contact_errors_phoneNumberTaken',
      ],
      [
        { code: 'invalid_request', field: 'email' },
        'contact_errors_invalidRequest',
      ],
      [
        { code: 'forbidden' },
        'contact_errors_forbidden',
      ],
      [
        { code: 'not_found' },
        'contact_errors_notFound',
      ],
      [
        { code: 'offline' },
        'contact_errors_offline',
      ],
      [
        { code: 'whatsapp_error' },
        'contact_errors_generic whatsapp_error',
      ],
    ] as const)('translates %o', (error, message) => {
      expect(contactErrorText(error)).toBe(message)
    })

    it.each([
      [
        { code: 'invalid_request', field: 'email' },
        'email',
      ],
      [
        { code: 'invalid_request', field: 'patch.phone' },
        'phone',
      ],
      [
        { code: 'invalid_request', field: 'patch.customFields.city' },
        'customFields',
      ],
      [
        { code: 'email_taken' },
        'email',
      ],
      [
        { code: 'phone_number_taken' },
        'phone',
      ],
      [
        { code: 'forbidden' },
        undefined,
      ],
    ] as const)('finds the field of %o', (error, field) => {
      expect(contactErrorField(error)).toBe(field)
    })
  })

  it('lists active agents for assignment, me first, and the current one even when inactive', () => {
    const agents = [
      agent('a2', 'Zoe'),
      agent('a1', 'Me Myself'),
      agent('a3', 'Bob'),
      agent('a4', 'Gone', { active: false }),
    ]
    expect(assigneeOptions(agents, 'a1', null).map(option => [option.value, option.label])).toEqual([
      ['', 'contact_assignee_unassigned'],
      ['a1', 'contact_assignee_me Me Myself'],
      ['a3', 'Bob'],
      ['a2', 'Zoe'],
    ])
    expect(assigneeOptions(agents, 'a1', 'a4').at(-1)).toEqual({ value: 'a4', label: 'contact_assignee_inactive Gone' })
  })

  it('filters labels by name, accents ignored, without the selected ones, prefix matches first', () => {
    const labels = [
      label('l1', 'Client nou'),
      label('l2', 'Nouă comandă'),
      label('l3', 'VIP'),
      label('l4', 'Renouvellement'),
    ]
    expect(matchingLabels(labels, 'noua', []).map(item => item.name)).toEqual(['Nouă comandă'])
    expect(matchingLabels(labels, 'nou', ['l1']).map(item => item.name)).toEqual(['Nouă comandă', 'Renouvellement'])
    expect(matchingLabels(labels, '', ['l3']).map(item => item.id)).toEqual(['l1', 'l2', 'l4'])
  })

  it('finds @mentions of teammates by their whole name', () => {
    const agents = [
      agent('a1', 'Ana'),
      agent('a2', 'Ana Pop'),
      agent('a3', 'Bob'),
    ]
    expect(noteMentions('ask @Ana Pop and @bob', agents)).toEqual(['a1', 'a2', 'a3'])
    expect(noteMentions('ask @Anastasia', agents)).toEqual([])
    expect(noteMentions('no mentions, ana@example.com', agents)).toEqual([])
  })

  it('merges local and server conversations: fresher copy, without the current one, newest first', () => {
    const who = contact('c1')
    const local = [
      conversation('k1', who, { lastMessageAt: 500 }),
      conversation('k2', who, { lastMessageAt: 300, updatedAt: 10, status: 'open' }),
    ]
    const remote = [
      conversation('k2', who, { lastMessageAt: 300, updatedAt: 20, status: 'closed' }),
      conversation('k3', who, { lastMessageAt: 400 }),
      conversation('k4', who, { lastMessageAt: null, createdAt: 100 }),
    ]
    const merged = mergePastConversations(local, remote, 'k1')
    expect(merged.map(item => item.id)).toEqual(['k3', 'k2', 'k4'])
    expect(merged[1]!.status).toBe('closed')
  })
})
