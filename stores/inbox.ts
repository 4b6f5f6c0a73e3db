import type { ConversationStatus } from '~/protocol/conversations'
import type { ChatListTab } from '~/utils/chats/rows'
import { defineStore } from 'pinia'
import { ref } from 'vue'

/** stacked layout (side panel, narrow tab): which screen shows */
export type InboxScreen = 'list' | 'conversation' | 'contact'

/**
 * What the inbox page shows, shared by the chat list and the inbox shell: the list's filters
 * (tab, status, label, search text, unread only), the row selected with the keyboard, and the
 * conversation open beside or after the list. Only UI state: the rows themselves are read from
 * Dexie by `useChatList`.
 */
export const useInboxStore = defineStore('inbox', () => {
  const tab = ref<ChatListTab>('all')
  const status = ref<ConversationStatus>('open')
  const labelId = ref<string | null>(null)
  const search = ref('')
  const unreadOnly = ref(false)
  /** the list's highlighted row (arrow keys, or the open conversation) */
  const selectedId = ref<string | null>(null)
  /** the conversation shown beside or after the list */
  const conversationId = ref<string | null>(null)
  const screen = ref<InboxScreen>('list')

  /** Shows a conversation (a click, Enter, a past conversation, a request from the popup …). */
  function openConversation(id: string): void {
    conversationId.value = id
    screen.value = 'conversation'
  }

  function backToList(): void {
    screen.value = 'list'
    conversationId.value = null
  }

  return {
    tab,
    status,
    labelId,
    search,
    unreadOnly,
    selectedId,
    conversationId,
    screen,
    openConversation,
    backToList,
  }
})
