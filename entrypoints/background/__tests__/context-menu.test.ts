import { beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { label } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { labelMenuId, MENU } from '~/utils/context-menu'
import { db } from '~/utils/db'
import { setupContextMenus } from '../context-menu'

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

beforeEach(async () => {
  useEnglishMessages()
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
  ])
})

describe('context menu', () => {
  it('builds the menu with stable ids and the labels as a submenu, and rebuilds it when labels change', async () => {
    const { items, menus } = stubMenus()
    setupContextMenus()
    await vi.waitFor(() => expect(items.has(labelMenuId('l2'))).toBe(true))
    expect([
      ...items.keys(),
    ]).toEqual([
      MENU.root,
      MENU.open,
      MENU.assign,
      MENU.labels,
      labelMenuId('l2'),
      labelMenuId('l1'),
      MENU.template,
    ])
    expect(items.get(labelMenuId('l1'))).toMatchObject({ parentId: MENU.labels, title: 'VIP' })
    expect(items.get(MENU.root)?.title).toBe('WA Inbox: “%s”')
    await db.labels.put(label('l3', 'Angro', 'green'))
    await vi.waitFor(() => expect(items.has(labelMenuId('l3'))).toBe(true))
    expect(menus.removeAll).toHaveBeenCalledTimes(2)
    await db.labels.clear()
    await vi.waitFor(() => expect(items.has(MENU.noLabels)).toBe(true))
    expect(items.get(MENU.noLabels)).toMatchObject({ enabled: false })
  })
})
