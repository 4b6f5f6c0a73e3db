import { browser } from 'wxt/browser'

/**
 * Opens a conversation for the agent: the full-tab inbox at `inbox.html#/c/<id>` (the inbox reads
 * that hash on load, components/inbox/InboxShell.vue). A tab is used because the side panel can only
 * be opened from a user gesture in the same call stack, which an async lookup has already left.
 */
export async function openChat(conversationId: string): Promise<void> {
  await browser.tabs.create({
    url: browser.runtime.getURL(`/inbox.html#/c/${encodeURIComponent(conversationId)}` as '/inbox.html'),
  })
}
