/**
 * The contact panel of a conversation: the conversation, its contact, notes, labels, agents and
 * teams observed in Dexie, the outbox rows still on their way, and who I am. The panel's sections
 * build on it: `useContactForm`, `useAssignment`, `useContactBots`, `useContactLabels`,
 * `useContactNotes`, `usePastConversations` (each in its own file).
 */
import type { MaybeRefOrGetter } from 'vue'
import type { Actions } from '~/utils/actions'
import type { OutboxMatcher, PendingStatus } from '~/utils/actions/pending'
import type { Agent, AppDB, Contact, Conversation, Label, Note, Team } from '~/utils/db'
import { computed, toValue } from 'vue'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { giveUpPending, pendingStatusOf, retryPending } from '~/utils/actions/pending'
import { db as defaultDb } from '~/utils/db'
import { useLiveQuery } from './live-query'
import { useOutboxRows } from './pending'

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
}

const EMPTY_DIRECTORY: Directory = { labels: [], agents: [], teams: [] }

async function readDirectory(db: AppDB): Promise<Directory> {
  const [labels, agents, teams] = await Promise.all([
    db.labels.toArray(),
    db.agents.toArray(),
    db.teams.toArray(),
  ])
  return { labels, agents, teams }
}

async function readPanel(db: AppDB, id: string): Promise<PanelData> {
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
}

export function useContactPanel(conversationId: MaybeRefOrGetter<string>, options: ContactPanelOptions = {}) {
  const db = options.db ?? defaultDb
  const session = useSessionStore()

  const directory = useLiveQuery(() => readDirectory(db), EMPTY_DIRECTORY)
  const panel = useLiveQuery(id => readPanel(db, id), null as PanelData | null, {
    source: () => toValue(conversationId),
  })
  const { rows: outbox } = useOutboxRows(db)

  const conversation = computed(() => panel.data.value?.conversation ?? null)
  const contact = computed(() => panel.data.value?.contact ?? null)
  const agents = computed(() => directory.data.value.agents)
  // who I am (the agents table has the fresher role)
  const meId = computed(() => session.agentId)
  const me = computed(() => agents.value.find(agent => agent.id === meId.value) ?? session.agent)

  const actions = computed<Actions | null>(() => meId.value
    ? createActions({ db, agentId: meId.value, notify: options.notify })
    : null)

  return {
    db,
    notify: options.notify,
    loading: computed(() => !panel.loaded.value),
    error: computed(() => panel.error.value ?? directory.error.value),
    conversation,
    contact,
    contactId: computed(() => contact.value?.id ?? null),
    notes: computed(() => panel.data.value?.notes ?? []),
    /** the contact's conversations in Dexie (the current one included) */
    localConversations: computed(() => panel.data.value?.conversations ?? []),
    labels: computed(() => directory.data.value.labels),
    agents,
    agentsById: computed(() => new Map(agents.value.map(agent => [agent.id, agent]))),
    teams: computed(() => [...directory.data.value.teams].sort((a, b) => a.name.localeCompare(b.name))),
    meId,
    isAdmin: computed(() => me.value?.role === 'admin'),
    /** the user's changes; null while signed out */
    actions,
    canEdit: computed(() => actions.value !== null),
    /** every outbox row on its way */
    outbox,
    /** the outbox rows on their way that `match` */
    pendingOf: (match: OutboxMatcher) => pendingStatusOf(outbox.value, match),
    retry: (pending: PendingStatus | null) => retryPending(pending, db, options.notify),
    discard: (pending: PendingStatus | null) => giveUpPending(pending, db),
  }
}

export type ContactPanel = ReturnType<typeof useContactPanel>
