import type { Ref } from 'vue'
import type { Agent, Contact, StoredConversation } from '~/utils/db'
import type { Session } from '~/utils/session'
import { computed } from 'vue'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { contactDisplayName } from '~/utils/chats/text'
import { db } from '~/utils/db'
import { useLiveQuery } from './live-query'

interface ConversationData {
  conversation: StoredConversation
  contact: Contact
  assignee: Agent | null
}

/** The signed-in session, kept current (null until loaded or when signed out): the session store's. */
export function useCurrentSession(): Readonly<Ref<Session | null>> {
  const store = useSessionStore()
  return computed(() => store.session)
}

/** The conversation, its contact (the synced one, else the embedded copy) and assignee; null when not stored. */
async function readConversation(id: string): Promise<ConversationData | null> {
  const conversation = await db.conversations.get(id)
  if (!conversation)
    return null
  const [contact, assignee] = await Promise.all([
    db.contacts.get(conversation.contactId),
    conversation.assigneeId
      ? db.agents.get(conversation.assigneeId)
      : undefined,
  ])
  return { conversation, contact: contact ?? conversation.contact, assignee: assignee ?? null }
}

/**
 * One conversation as the conversation view shows it: the row, its contact (the synced one, else
 * the copy embedded in the conversation) and assignee, observed in Dexie; and the agent's actions
 * on it. `missing` once it is known not to exist locally (deleted, or no longer visible).
 */
export function useConversation(conversationId: Ref<string>) {
  const session = useCurrentSession()
  const { data, error, loaded } = useLiveQuery(readConversation, null as ConversationData | null, { source: conversationId })
  const missing = computed(() => loaded.value && error.value === undefined && data.value === null)

  const agentId = computed(() => session.value?.agent.id ?? null)
  const actions = computed(() => agentId.value
    ? createActions({ agentId: agentId.value })
    : null)

  return {
    session,
    agentId,
    actions,
    data,
    missing,
    error,
    conversation: computed(() => data.value?.conversation ?? null),
    contact: computed(() => data.value?.contact ?? null),
    assignee: computed(() => data.value?.assignee ?? null),
    displayName: computed(() => data.value
      ? contactDisplayName(data.value.contact)
      : ''),
    mine: computed(() => data.value !== null && agentId.value !== null && data.value.conversation.assigneeId === agentId.value),
  }
}
