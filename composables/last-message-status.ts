import type { MaybeRefOrGetter } from 'vue'
import type { MessageStatus } from '~/protocol/messages'
import type { Conversation, Message } from '~/utils/db'
import { computed, toValue } from 'vue'
import { lastMessageOf } from '~/utils/chats/list-query'
import { useLiveQuery } from './live-query'

export interface LastMessageSource {
  conversationId: string
  direction: Conversation['lastMessageDirection']
  /** re-read when the conversation's last message changes */
  lastMessageAt: number | null
}

/**
 * The status (ticks) of a conversation's newest message when I sent it; null otherwise. Only
 * watched while the conversation's last message is outgoing.
 */
export function useLastMessageStatus(source: MaybeRefOrGetter<LastMessageSource>) {
  const last = useLiveQuery(
    ({ conversationId, direction }) => direction === 'out'
      ? lastMessageOf(conversationId)
      : undefined,
    undefined as Message | undefined,
    {
      source: () => ({
        ...toValue(source),
      }),
      keepPrevious: true,
    },
  )
  return computed<MessageStatus | null>(() => !last.error.value && toValue(source).direction === 'out' && last.data.value?.direction === 'out'
    ? last.data.value.status
    : null)
}
