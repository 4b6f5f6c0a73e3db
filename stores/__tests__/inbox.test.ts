import { describe, expect, it } from 'vitest'
import { useInboxStore } from '../inbox'

describe('useInboxStore', () => {
  it('starts on the open chats, every tab, no filter, nothing open', () => {
    const inbox = useInboxStore()
    expect({
      tab: inbox.tab,
      status: inbox.status,
      labelId: inbox.labelId,
      search: inbox.search,
      unreadOnly: inbox.unreadOnly,
      selectedId: inbox.selectedId,
      conversationId: inbox.conversationId,
      screen: inbox.screen,
    }).toEqual({
      tab: 'all',
      status: 'open',
      labelId: null,
      search: '',
      unreadOnly: false,
      selectedId: null,
      conversationId: null,
      screen: 'list',
    })
  })

  it('opens a conversation and goes back to the list', () => {
    const inbox = useInboxStore()
    inbox.openConversation('k1')
    expect(inbox.conversationId).toBe('k1')
    expect(inbox.screen).toBe('conversation')
    inbox.backToList()
    expect(inbox.conversationId).toBeNull()
    expect(inbox.screen).toBe('list')
  })
})
