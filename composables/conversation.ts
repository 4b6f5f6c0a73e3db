import type { Ref } from 'vue'
import type { Agent, Contact, StoredConversation } from '~/utils/db'
import type { Session } from '~/utils/session'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'
import { createActions } from '~/utils/actions'
import { contactDisplayName } from '~/utils/chats/text'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'

interface ConversationData {
  conversation: StoredConversation
  contact: Contact
  assignee: Agent | null
}

/** The signed-in session, kept current (null until loaded or when signed out). */
export function useCurrentSession(): Ref<Session | null> {
  const session = shallowRef<Session | null>(null)
  void authSessionStorage.getValue().then((value) => {
    session.value ??= value
  })
  onScopeDispose(authSessionStorage.watch((value) => {
    session.value = value
  }))
  return session
}

/**
 * One conversation as the conversation view shows it: the row, its contact (the synced one, else
 * the copy embedded in the conversation) and assignee, observed in Dexie; and the agent's actions
 * on it. `missing` once it is known not to exist locally (deleted, or no longer visible).
 */
export function useConversation(conversationId: Ref<string>) {
  const session = useCurrentSession()
  const data = shallowRef<ConversationData | null>(null)
  const missing = shallowRef(false)
  const error = shallowRef<unknown>()

  let subscription: { unsubscribe: () => void } | null = null
  watch(conversationId, (id) => {
    subscription?.unsubscribe()
    data.value = null
    missing.value = false
    subscription = liveQuery(async () => {
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
    }).subscribe({
      next: (value) => {
        data.value = value
        missing.value = value === null
        error.value = undefined
      },
      error: (err: unknown) => {
        console.error('[wa-inbox] conversation query failed', err)
        error.value = err
      },
    })
  }, { immediate: true })
  onScopeDispose(() => subscription?.unsubscribe())

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

/** Snooze choices offered in the conversation header: until a time, or until the customer writes. */
export type SnoozeChoice = 'hour' | 'evening' | 'tomorrow' | 'nextWeek' | 'reply'

/** The time a snooze choice ends (null: at the customer's next message), in local time. */
export function snoozeUntil(choice: SnoozeChoice, now = new Date()): number | null {
  const at = new Date(now)
  switch (choice) {
    case 'hour':
      return now.getTime() + 3600_000
    case 'evening':
      at.setHours(18, 0, 0, 0)
      if (at.getTime() <= now.getTime() + 15 * 60_000)
        at.setDate(at.getDate() + 1)
      return at.getTime()
    case 'tomorrow':
      at.setDate(at.getDate() + 1)
      at.setHours(9, 0, 0, 0)
      return at.getTime()
    case 'nextWeek': {
      // Monday 9:00 of next week
      const days = ((8 - at.getDay()) % 7) || 7
      at.setDate(at.getDate() + days)
      at.setHours(9, 0, 0, 0)
      return at.getTime()
    }
    case 'reply':
      return null
  }
}
