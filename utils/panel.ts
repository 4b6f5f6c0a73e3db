/**
 * Opening the inbox: the side panel (Chrome) / the sidebar (Firefox), which only a user gesture may
 * do, so `openPanel` is always called synchronously, first; the chat to show is then passed to the
 * panel through `openConversationRequest` (utils/open-conversation.ts). When the panel cannot open
 * (no gesture, no window), the chat opens in an inbox tab instead.
 */
import { browser } from 'wxt/browser'
import { requestOpenConversation } from './open-conversation'

interface FirefoxSidebarAction {
  open: () => Promise<void>
}

/**
 * Opens the side panel (Chrome: in `windowId`) / the sidebar (Firefox). Must be called in the
 * user gesture, before any `await`. Answers whether it opened.
 */
export function openPanel(windowId?: number): Promise<boolean> {
  try {
    if (import.meta.env.BROWSER === 'firefox') {
      const { sidebarAction } = browser as unknown as { sidebarAction?: FirefoxSidebarAction }
      return sidebarAction
        ? sidebarAction.open().then(() => true, () => false)
        : Promise.resolve(false)
    }
    if (windowId === undefined || !browser.sidePanel)
      return Promise.resolve(false)
    return browser.sidePanel.open({ windowId }).then(() => true, () => false)
  }
  catch {
    return Promise.resolve(false)
  }
}

/** The inbox in a tab, on that chat (when the panel could not open). */
export async function openInboxTab(conversationId: string | null): Promise<void> {
  const path = conversationId
    ? `/inbox.html#/c/${conversationId}`
    : '/inbox.html'
  await browser.tabs.create({
    url: browser.runtime.getURL(path as '/inbox.html'),
  })
}

/**
 * Shows `conversationId` in the side panel whose opening already started (`opening`, from
 * `openPanel`), or in an inbox tab when it did not open.
 */
export async function showConversation(conversationId: string | null, opening: Promise<boolean>, windowId?: number): Promise<void> {
  if (conversationId)
    await requestOpenConversation(conversationId, windowId)
  if (!(await opening))
    await openInboxTab(conversationId)
}
