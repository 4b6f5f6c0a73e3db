import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { agent, contact, conversation, label, session } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { buildContextMenus, handleContextMenuClick, labelMenuId, MENU } from '~/utils/context-menu'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'

const ion = contact('c1', { name: 'Ion', phone: '+40722123456', waId: '40722123456' })

// fakeBrowser has no contextMenus (reference/toolchain.md): a small stand-in that records items.
function stubMenus() {
  const items = new Map<string, { parentId?: string, title?: string, enabled?: boolean }>()
  const listeners: Array<(info: any, tab: any) => void> = []
  const menus = {
    removeAll: vi.fn(async () => items.clear()),
    create: vi.fn((props: { id: string, parentId?: string, title?: string, enabled?: boolean }, done?: () => void) => {
      items.set(props.id, { parentId: props.parentId, title: props.title, enabled: props.enabled })
      done?.()
      return props.id
    }),
    onClicked: {
      addListener: (fn: (info: any, tab: any) => void) => listeners.push(fn),
    },
  }
  ;(fakeBrowser as unknown as { contextMenus: typeof menus }).contextMenus = menus
  return { items, menus, listeners }
}

let fetchMock: ReturnType<typeof vi.fn>

beforeEach(async () => {
  fakeBrowser.reset()
  useEnglishMessages()
  await db.delete()
  await db.open()
  await db.workspaces.put({
    id: 'w1',
    name: 'Team',
    settings: { defaultCountry: 'RO' },
  })
  await db.agents.put(agent('a1', 'Ana Pop'))
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
  ])
  await db.contacts.put(ion)
  await db.conversations.put(conversation('k1', ion))
  await authSessionStorage.setValue(session())
  fetchMock = vi.fn()
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('context menu', () => {
  it('rebuilding twice at once leaves one set of items', async () => {
    const { items } = stubMenus()
    await Promise.all([
      buildContextMenus([
        { id: 'l1', name: 'VIP' },
      ]),
      buildContextMenus([
        { id: 'l1', name: 'VIP' },
      ]),
    ])
    expect(items.size).toBe(6)
  })

  it('assign to me: queues the assignment in the outbox for the selected number (national format)', async () => {
    const notify = vi.fn()
    const result = await handleContextMenuClick({ menuItemId: MENU.assign, selectionText: ' 0722 123 456 ' }, undefined, { notify })
    expect(result).toMatchObject({
      ok: true,
      action: 'assign',
      number: '+40722123456',
      contactId: 'c1',
      conversationId: 'k1',
    })
    expect(await db.outbox.toArray()).toEqual([
      expect.objectContaining({
        type: 'conversation.assign',
        args: { conversationId: 'k1', assigneeId: 'a1' },
      }),
    ])
    expect((await db.conversations.get('k1'))?.assigneeId).toBe('a1')
    expect(notify).toHaveBeenCalled()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('add label: queues contact.addLabel', async () => {
    const result = await handleContextMenuClick({
      menuItemId: labelMenuId('l2'),
      selectionText: '+40 722 123 456',
    }, undefined, {
      notify: () => {},
    })
    expect(result).toMatchObject({ ok: true, action: 'label' })
    expect(await db.outbox.toArray()).toEqual([
      expect.objectContaining({
        type: 'contact.addLabel',
        args: { contactId: 'c1', labelId: 'l2' },
      }),
    ])
    expect((await db.contacts.get('c1'))?.labelIds).toEqual(['l2'])
  })

  it('open chat and send template open the inbox on the conversation', async () => {
    const openChat = vi.fn()
    await handleContextMenuClick({ menuItemId: MENU.open, selectionText: '0722123456' }, undefined, { openChat })
    await handleContextMenuClick({ menuItemId: MENU.template, selectionText: '0722123456' }, undefined, { openChat })
    expect(openChat.mock.calls).toEqual([
      ['k1'],
      ['k1'],
    ])
  })

  it('a number without a contact is created through the API first', async () => {
    const created = contact('c9', { phone: '+40733000111', waId: '40733000111' })
    fetchMock.mockResolvedValue(new Response(JSON.stringify({
      contact: created,
      conversation: conversation('k9', created),
    }), {
      status: 201,
      headers: { 'Content-Type': 'application/json' },
    }))
    const result = await handleContextMenuClick({ menuItemId: MENU.assign, selectionText: '0733 000 111' }, undefined, {
      notify: () => {},
    })
    expect(result).toMatchObject({ ok: true, contactId: 'c9', conversationId: 'k9' })
    expect(fetchMock).toHaveBeenCalledWith('https://inbox.example.com/api/contacts', expect.objectContaining({
      method: 'POST',
      body: JSON.stringify({ phone: '+40733000111' }),
    }))
    expect(await db.outbox.toArray()).toEqual([
      expect.objectContaining({
        type: 'conversation.assign',
        args: { conversationId: 'k9', assigneeId: 'a1' },
      }),
    ])
  })

  it('does nothing without a number, when signed out, or for another item', async () => {
    expect(await handleContextMenuClick({ menuItemId: MENU.assign, selectionText: 'Order #0722123456' })).toEqual({ ok: false, reason: 'no_number' })
    expect(await handleContextMenuClick({ menuItemId: 'other', selectionText: '0722123456' })).toEqual({ ok: false, reason: 'not_ours' })
    await authSessionStorage.setValue(null)
    vi.spyOn(fakeBrowser.runtime, 'openOptionsPage').mockResolvedValue()
    expect(await handleContextMenuClick({ menuItemId: MENU.assign, selectionText: '0722123456' })).toEqual({ ok: false, reason: 'signed_out' })
    expect(await db.outbox.count()).toBe(0)
  })
})
