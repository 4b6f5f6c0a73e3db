/**
 * The phone-number context menu (utils/context-menu.ts): created at every start (removing any a
 * previous service worker left), rebuilt when the labels change, and its clicks handled.
 */
import type { ContextMenuDeps } from '~/utils/context-menu'
import { liveQuery } from 'dexie'
import { browser } from 'wxt/browser'
import { buildContextMenus, handleContextMenuClick } from '~/utils/context-menu'
import { db as defaultDb } from '~/utils/db'

let unsubscribe: (() => void) | null = null

/**
 * Listens for clicks; the labels submenu follows Dexie's `labels` table (written by the sync
 * engine in this same context). Call synchronously from the background's main(), so the click
 * listener is registered on every wake-up. `notify` should kick the sync runner (a runtime
 * message does not reach the background from itself).
 */
export function setupContextMenus(deps: ContextMenuDeps = {}): void {
  const menus = browser.contextMenus
  if (!menus)
    return
  const db = deps.db ?? defaultDb
  menus.onClicked.addListener((info, tab) => {
    void handleContextMenuClick(info, tab, deps)
  })
  unsubscribe?.()
  let last = ''
  const subscription = liveQuery(() => db.labels.toArray()).subscribe({
    next: (labels) => {
      const key = JSON.stringify(labels.map(label => [label.id, label.name]))
      if (key === last)
        return
      last = key
      void buildContextMenus(labels)
    },
    error: (error: unknown) => {
      console.error('[wa-inbox] watching labels for the context menu failed', error)
      void buildContextMenus([])
    },
  })
  unsubscribe = () => subscription.unsubscribe()
}
