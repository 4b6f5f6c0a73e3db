/**
 * The contact panel of a conversation: the conversation, its contact, notes, labels, agents and
 * teams observed in Dexie, the outbox rows still on their way, the contact's other conversations
 * (local ones plus the server's when it answers), and the user's changes through `utils/actions`.
 * The pure helpers (form validation, changed-fields patch, error text …) are exported for the
 * section components and tests.
 */
import type { MaybeRefOrGetter } from 'vue'
import type { PendingStatus } from './pending'
import type { UpdateContact } from '~/protocol/contacts'
import type { Actions } from '~/utils/actions'
import type { ApiErrorCode } from '~/utils/api/client'
import type { Agent, AppDB, Contact, Conversation, Label, Note, OutboxEntry, OutboxError, Team } from '~/utils/db'
import type { Session } from '~/utils/session'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue'
import { i18n } from '#i18n'
import { LIMITS } from '~/protocol/team'
import { createActions } from '~/utils/actions'
import { isApiError } from '~/utils/api/client'
import { pageApiClient } from '~/utils/api/page'
import { db as defaultDb } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import { normalizeText } from './chat-list'
import { discardPending, giveUpPending, matchContactUpdate, matchNoteOutbox, matchOutbox, outboxArg, pendingStatusOf, retryPending, useOutboxRows } from './pending'

// ---------------------------------------------------------------------------------------------
// Errors

/** An error to show: an outbox row's (the server's code, maybe a field) or a request's. */
export interface ContactError {
  code: ApiErrorCode | OutboxError['code'] | 'unknown'
  field?: string
}

/** The server's error code in the words of the panel (never the server's message). */
export function contactErrorText(error: ContactError): string {
  switch (error.code) {
    case 'offline': return i18n.t('contact.errors.offline')
    case 'invalid_request': return i18n.t('contact.errors.invalidRequest')
    case 'email_taken': return i18n.t('contact.errors.emailTaken')
    case 'phone_number_taken': return i18n.t('contact.errors.phoneNumberTaken')
    case 'contact_exists': return i18n.t('contact.errors.contactExists')
    case 'name_taken': return i18n.t('contact.errors.nameTaken')
    case 'forbidden': return i18n.t('contact.errors.forbidden')
    case 'not_found': return i18n.t('contact.errors.notFound')
    case 'agent_inactive': return i18n.t('contact.errors.agentInactive')
    case 'contact_blocked': return i18n.t('contact.errors.contactBlocked')
    case 'rate_limited': return i18n.t('contact.errors.rateLimited')
    case 'unauthorized': return i18n.t('contact.errors.unauthorized')
    case 'internal_error':
    case 'service_unavailable': return i18n.t('contact.errors.serverError')
  }
  return i18n.t('contact.errors.generic', [error.code])
}

/**
 * The contact field an error is about: the server's `field` (`email`, or `patch.email` when the
 * mutation's validation refused it) or the one a code implies (`email_taken` → email).
 */
export function contactErrorField(error: ContactError | null | undefined): string | undefined {
  if (!error)
    return undefined
  if (error.field) {
    const path = error.field.replace(/^args\./, '').replace(/^patch\./, '')
    return path.split('.')[0]
  }
  switch (error.code) {
    case 'email_taken': return 'email'
    case 'phone_number_taken':
    case 'contact_exists': return 'phone'
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The edit form

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

// ---------------------------------------------------------------------------------------------
// Assignment, labels, notes, past conversations

export interface AssigneeOption {
  /** '' = unassigned */
  value: string
  label: string
}

/** Active agents, me first as "Me (name)", then by name; the current assignee even when inactive. */
export function assigneeOptions(agents: readonly Agent[], meId: string | null, currentId: string | null): AssigneeOption[] {
  const options: AssigneeOption[] = [
    {
      value: '',
      label: i18n.t('contact.assignee.unassigned'),
    },
  ]
  const active = agents.filter(agent => agent.active)
  const me = active.find(agent => agent.id === meId)
  if (me) {
    options.push({
      value: me.id,
      label: i18n.t('contact.assignee.me', [me.name]),
    })
  }
  const others = active.filter(agent => agent.id !== meId).sort((a, b) => a.name.localeCompare(b.name))
  options.push(...others.map(agent => ({ value: agent.id, label: agent.name })))
  if (currentId && !options.some(option => option.value === currentId)) {
    const current = agents.find(agent => agent.id === currentId)
    options.push({
      value: currentId,
      label: i18n.t('contact.assignee.inactive', [current?.name ?? currentId]),
    })
  }
  return options
}

/** Existing labels matching what was typed (accents and case ignored), without the selected ones. */
export function matchingLabels(labels: readonly Label[], query: string, selectedIds: readonly string[], limit = 8): Label[] {
  const text = normalizeText(query)
  return labels
    .filter(label => !selectedIds.includes(label.id) && (!text || normalizeText(label.name).includes(text)))
    .sort((a, b) => {
      // names starting with the query first
      const byPrefix = Number(normalizeText(b.name).startsWith(text)) - Number(normalizeText(a.name).startsWith(text))
      return byPrefix || a.name.localeCompare(b.name)
    })
    .slice(0, limit)
}

/** The label called exactly `name` (case ignored), if there is one. */
export function labelNamed(labels: readonly Label[], name: string): Label | undefined {
  const wanted = name.trim().toLocaleLowerCase()
  return labels.find(label => label.name.toLocaleLowerCase() === wanted)
}

/** What the label editor's Update applies. */
export interface LabelChanges {
  add: string[]
  remove: string[]
  /** names of labels to create */
  create: string[]
}

/** The agents `@Name`d in a note's body. */
export function noteMentions(body: string, agents: readonly Agent[]): string[] {
  const text = body.toLocaleLowerCase()
  return agents.filter((agent) => {
    const tag = `@${agent.name.toLocaleLowerCase()}`
    let index = text.indexOf(tag)
    while (index !== -1) {
      const after = text.slice(index + tag.length, index + tag.length + 1)
      if (!after || !/[\p{L}\p{N}]/u.test(after))
        return true
      index = text.indexOf(tag, index + 1)
    }
    return false
  }).map(agent => agent.id)
}

/** The contact's other conversations: local ones and the server's, the fresher copy of each, newest first. */
export function mergePastConversations(local: readonly Conversation[], remote: readonly Conversation[], currentId: string): Conversation[] {
  const byId = new Map<string, Conversation>()
  for (const item of [
    ...local,
    ...remote,
  ]) {
    const known = byId.get(item.id)
    if (!known || item.updatedAt > known.updatedAt)
      byId.set(item.id, item)
  }
  byId.delete(currentId)
  const activity = (item: Conversation) => item.lastMessageAt ?? item.createdAt
  return [
    ...byId.values(),
  ].sort((a, b) => activity(b) - activity(a) || b.id.localeCompare(a.id))
}

/** Loads a contact's conversations from the server (`GET /api/contacts/:id/conversations`). */
export async function fetchContactConversations(contactId: string): Promise<Conversation[]> {
  const client = await pageApiClient()
  const body = await client.get<{ items: Conversation[] }>(`/api/contacts/${encodeURIComponent(contactId)}/conversations`)
  return body.items
}

// ---------------------------------------------------------------------------------------------
// The panel

interface PanelData {
  conversation: Conversation | null
  contact: Contact | null
  notes: Note[]
  conversations: Conversation[]
}

interface Directory {
  labels: Label[]
  agents: Agent[]
  teams: Team[]
}

export interface ContactPanelOptions {
  db?: AppDB
  /** asks the background to push (tests pass a spy) */
  notify?: () => void
  loadConversations?: (contactId: string) => Promise<Conversation[]>
}

export const BOT_FIELDS = ['aiBot', 'replyBot'] as const
export type BotField = typeof BOT_FIELDS[number]

export type PastState = 'idle' | 'loading' | 'loaded' | 'localOnly' | 'error'

function subscribe<T>(query: () => Promise<T>, next: (value: T) => void, fail: (error: unknown) => void) {
  return liveQuery(query).subscribe({ next, error: fail })
}

export function useContactPanel(conversationId: MaybeRefOrGetter<string>, options: ContactPanelOptions = {}) {
  const db = options.db ?? defaultDb
  const loadConversations = options.loadConversations ?? fetchContactConversations

  // Session: who I am (the agents table has the fresher role)
  const session = shallowRef<Session | null>(null)
  void authSessionStorage.getValue().then((value) => {
    session.value ??= value
  })
  const unwatchSession = authSessionStorage.watch((value) => {
    session.value = value
  })

  // Dexie
  const data = shallowRef<PanelData | null>(null)
  const directory = shallowRef<Directory>({ labels: [], agents: [], teams: [] })
  const error = shallowRef<unknown>()
  const fail = (err: unknown) => {
    console.error('[wa-inbox] contact panel query failed', err)
    error.value = err
  }

  const directorySubscription = subscribe(async () => {
    const [labels, agents, teams] = await Promise.all([
      db.labels.toArray(),
      db.agents.toArray(),
      db.teams.toArray(),
    ])
    return { labels, agents, teams }
  }, (value) => {
    directory.value = value
  }, fail)

  watch(() => toValue(conversationId), (id, _old, onCleanup) => {
    data.value = null
    error.value = undefined
    const subscription = subscribe(async (): Promise<PanelData> => {
      const conversation = await db.conversations.get(id) ?? null
      if (!conversation) {
        return {
          conversation: null,
          contact: null,
          notes: [],
          conversations: [],
        }
      }
      const [contact, notes, conversations] = await Promise.all([
        db.contacts.get(conversation.contactId),
        db.notes.where('contactId').equals(conversation.contactId).toArray(),
        db.conversations.where('contactId').equals(conversation.contactId).toArray(),
      ])
      return {
        conversation,
        contact: contact ?? conversation.contact,
        notes: notes.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id)),
        conversations,
      }
    }, (value) => {
      data.value = value
      error.value = undefined
    }, fail)
    onCleanup(() => subscription.unsubscribe())
  }, { immediate: true })

  const { rows: outbox } = useOutboxRows(db)

  onScopeDispose(() => {
    unwatchSession()
    directorySubscription.unsubscribe()
  })

  const conversation = computed(() => data.value?.conversation ?? null)
  const contact = computed(() => data.value?.contact ?? null)
  const contactId = computed(() => contact.value?.id ?? null)
  const meId = computed(() => session.value && !session.value.expired
    ? session.value.agent.id
    : null)
  const me = computed(() => directory.value.agents.find(agent => agent.id === meId.value) ?? session.value?.agent ?? null)
  const isAdmin = computed(() => me.value?.role === 'admin')
  const agentsById = computed(() => new Map(directory.value.agents.map(agent => [agent.id, agent])))

  const actions = computed<Actions | null>(() => meId.value
    ? createActions({ db, agentId: meId.value, notify: options.notify })
    : null)

  // Pending outbox rows, per section
  const status = (match: (row: OutboxEntry) => boolean) => pendingStatusOf(outbox.value, match)
  const assignmentPending = computed(() => conversation.value
    ? status(matchOutbox(['conversation.assign', 'conversation.setTeam'], 'conversationId', conversation.value.id))
    : null)
  const botPending = computed(() => Object.fromEntries(BOT_FIELDS.map(field => [
    field,
    contactId.value
      ? status(matchContactUpdate(contactId.value, [field]))
      : null,
  ])) as Record<BotField, PendingStatus | null>)
  const editPending = computed(() => contactId.value
    ? status(matchContactUpdate(contactId.value, CONTACT_FORM_FIELDS))
    : null)
  const labelPending = computed(() => {
    const id = contactId.value
    if (!id)
      return null
    const labelIds = new Set(outbox.value
      .filter(row => row.type === 'contact.addLabel' && outboxArg(row, 'contactId') === id)
      .map(row => outboxArg(row, 'labelId')))
    return status(row => ((row.type === 'contact.addLabel' || row.type === 'contact.removeLabel') && outboxArg(row, 'contactId') === id)
      || (row.type === 'label.create' && labelIds.has(outboxArg(row, 'id'))))
  })
  /** labels with a change on its way (their chips show it) */
  const pendingLabelIds = computed(() => new Set((labelPending.value?.rows ?? [])
    .map(row => outboxArg(row, 'labelId') ?? outboxArg(row, 'id'))
    .filter((id): id is string => id !== undefined)))
  const notePending = computed(() => new Map((data.value?.notes ?? []).map(note => [
    note.id,
    status(matchNoteOutbox(note.id)),
  ])))
  // A deleted note is gone locally, and `note.delete` does not name its contact: remember it here.
  const deletedNotes = new Map<string, string>()
  /** failed note rows whose note is not listed: a failed delete, or a failed create of a note gone meanwhile */
  const orphanNotePending = computed(() => {
    const id = contactId.value
    const listed = new Set((data.value?.notes ?? []).map(note => note.id))
    return status((row) => {
      if (row.state !== 'failed')
        return false
      if (row.type === 'note.create')
        return outboxArg(row, 'contactId') === id && !listed.has(outboxArg(row, 'id') ?? '')
      if (row.type === 'note.delete') {
        const noteId = outboxArg(row, 'noteId') ?? ''
        return !listed.has(noteId) && deletedNotes.get(noteId) === id
      }
      return false
    })
  })

  // Changes (each replaces the failed rows of the same thing, so an old error does not linger)
  async function saveAssignment(assigneeId: string | null, teamId: string | null): Promise<void> {
    const act = actions.value
    const current = conversation.value
    if (!act || !current)
      return
    await discardPending(assignmentPending.value, db)
    if (assigneeId !== current.assigneeId)
      await act.assign(current.id, assigneeId)
    if (teamId !== current.teamId)
      await act.setTeam(current.id, teamId)
  }

  async function setBot(field: BotField, value: boolean): Promise<void> {
    const act = actions.value
    if (!act || !contactId.value)
      return
    await discardPending(botPending.value[field], db)
    await act.updateContact(contactId.value, { [field]: value })
  }

  async function saveContact(patch: UpdateContact): Promise<void> {
    const act = actions.value
    if (!act || !contactId.value)
      return
    await discardPending(editPending.value, db)
    await act.updateContact(contactId.value, patch)
  }

  async function applyLabels(changes: LabelChanges): Promise<void> {
    const act = actions.value
    const id = contactId.value
    if (!act || !id)
      return
    await discardPending(labelPending.value, db)
    for (const labelId of changes.remove)
      await act.removeLabel(id, labelId)
    for (const labelId of changes.add)
      await act.addLabel(id, labelId)
    for (const name of changes.create)
      await act.addLabelByName(id, name)
  }

  async function createNote(body: string): Promise<void> {
    const act = actions.value
    if (!act || !contactId.value)
      return
    await act.createNote(contactId.value, body, noteMentions(body, directory.value.agents))
  }

  async function updateNote(noteId: string, body: string): Promise<void> {
    const act = actions.value
    if (!act)
      return
    await discardPending(notePending.value.get(noteId) ?? null, db)
    await act.updateNote(noteId, body, noteMentions(body, directory.value.agents))
  }

  async function deleteNote(noteId: string): Promise<void> {
    const act = actions.value
    if (!act || !contactId.value)
      return
    deletedNotes.set(noteId, contactId.value)
    await act.deleteNote(noteId)
  }

  function canEditNote(note: Note): boolean {
    return meId.value !== null && (note.authorId === meId.value || isAdmin.value)
  }

  // Past conversations: the local ones at once, the server's when it answers
  const remote = shallowRef<Conversation[]>([])
  const pastState = ref<PastState>('idle')
  const pastError = shallowRef<ContactError | null>(null)
  let pastRequest = 0

  async function loadPast(): Promise<void> {
    const id = contactId.value
    const request = ++pastRequest
    remote.value = []
    pastError.value = null
    if (!id) {
      pastState.value = 'idle'
      return
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      pastState.value = 'localOnly'
      return
    }
    pastState.value = 'loading'
    try {
      const items = await loadConversations(id)
      if (request !== pastRequest)
        return
      remote.value = items.filter(item => item.contactId === id)
      pastState.value = 'loaded'
    }
    catch (err) {
      if (request !== pastRequest)
        return
      if (isApiError(err, 'offline')) {
        pastState.value = 'localOnly'
        return
      }
      if (!isApiError(err))
        console.error('[wa-inbox] past conversations failed', err)
      pastError.value = isApiError(err)
        ? { code: err.code }
        : { code: 'unknown' }
      pastState.value = 'error'
    }
  }
  watch(contactId, () => void loadPast(), { immediate: true })

  const pastConversations = computed(() => conversation.value
    ? mergePastConversations(data.value?.conversations ?? [], remote.value, conversation.value.id)
    : [])

  return {
    loading: computed(() => data.value === null && error.value === undefined),
    error: computed(() => error.value),
    conversation,
    contact,
    notes: computed(() => data.value?.notes ?? []),
    labels: computed(() => directory.value.labels),
    agents: computed(() => directory.value.agents),
    agentsById,
    teams: computed(() => [...directory.value.teams].sort((a, b) => a.name.localeCompare(b.name))),
    meId,
    isAdmin,
    canEdit: computed(() => actions.value !== null),
    canEditNote,
    assignmentPending,
    botPending,
    editPending,
    labelPending,
    pendingLabelIds,
    notePending,
    orphanNotePending,
    pastConversations,
    pastState: computed(() => pastState.value),
    pastError: computed(() => pastError.value),
    saveAssignment,
    setBot,
    saveContact,
    applyLabels,
    createNote,
    updateNote,
    deleteNote,
    retry: (pending: PendingStatus | null) => retryPending(pending, db, options.notify),
    discard: (pending: PendingStatus | null) => giveUpPending(pending, db),
    reloadPast: loadPast,
  }
}

export type ContactPanelState = ReturnType<typeof useContactPanel>
