/** What the composer shows about its conversation (components/composer/Composer.vue). */
import type { MaybeRefOrGetter } from 'vue'
import type { Contact, Conversation, Message } from '~/utils/db'
import { computed, toValue } from 'vue'
import { db } from '~/utils/db'
import { useLiveQuery } from './live-query'

export interface ComposerContext {
  /** the first answer arrived */
  loaded: boolean
  conversation: Conversation | undefined
  contact: Contact | undefined
  /** the message being replied to, when it belongs to this conversation */
  replyTo: Message | undefined
}

/** The conversation, its contact (the synced one, else the embedded copy) and the quoted message. */
export function useComposerContext(conversationId: MaybeRefOrGetter<string>, replyToId: MaybeRefOrGetter<string | null>) {
  const { data } = useLiveQuery(async ([id, replyId]): Promise<ComposerContext> => {
    const [conversation, replyTo] = await Promise.all([
      db.conversations.get(id),
      replyId
        ? db.messages.get(replyId)
        : undefined,
    ])
    const contact = conversation
      ? (await db.contacts.get(conversation.contactId)) ?? conversation.contact
      : undefined
    return {
      loaded: true,
      conversation,
      contact,
      replyTo: replyTo?.conversationId === id
        ? replyTo
        : undefined,
    }
  }, {
    loaded: false,
    conversation: undefined,
    contact: undefined,
    replyTo: undefined,
  }, {
    source: () => [
      toValue(conversationId),
      toValue(replyToId),
    ] as const,
    // Another conversation: the composer keeps the last answer until the new one arrives.
    keepPrevious: true,
  })
  return {
    loaded: computed(() => data.value.loaded),
    conversation: computed(() => data.value.conversation),
    contact: computed(() => data.value.contact),
    replyTo: computed(() => data.value.replyTo),
  }
}
