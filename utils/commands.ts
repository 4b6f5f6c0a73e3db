/**
 * "Open the inbox on this chat" and "take the next chat", from keyboard commands and notification
 * clicks. The panel opens first, synchronously, in the gesture (./panel.ts).
 */
import type { Actions } from './actions'
import type { AppDB } from './db'
import { browser } from 'wxt/browser'
import { unassignedOpenIds } from './badge/waiting'
import { buttonsFor, parseNotificationId } from './notifications/show'
import { openInboxTab, openPanel, showConversation } from './panel'

/** `commands` of wxt.config.ts handled here (`_execute_*` ones are the browser's own). */
export const COMMANDS = {
  /** Chrome: open the side panel (Firefox uses `_execute_sidebar_action`) */
  openPanel: 'open-panel',
  /** open the panel on the oldest unassigned chat */
  nextUnassigned: 'next-unassigned',
  /** assign the oldest unassigned chat to me and open it */
  claimNext: 'claim-next',
} as const

export interface CommandContext {
  db: AppDB
  /** the signed-in agent (null when signed out) */
  agentId: () => Promise<string | null>
  actions: (agentId: string) => Pick<Actions, 'assign'>
  /** the last focused browser window, known synchronously (for `sidePanel.open` in a gesture) */
  windowId: () => number | undefined
}

/** The oldest unassigned open chat. */
export async function oldestUnassigned(db: AppDB): Promise<string | null> {
  return (await unassignedOpenIds(db))[0] ?? null
}

async function claim(context: CommandContext, conversationId: string | null): Promise<boolean> {
  const agentId = await context.agentId()
  if (!agentId || !conversationId)
    return false
  await context.actions(agentId).assign(conversationId, agentId)
  return true
}

/**
 * A keyboard command. Answers the chat it opened (null: none, or not a command of ours). The
 * panel opens synchronously, in the command's gesture.
 */
export function handleCommand(command: string, tab: { windowId?: number } | undefined, context: CommandContext): Promise<string | null> {
  const windowId = tab?.windowId ?? context.windowId()
  if (command === COMMANDS.openPanel) {
    const opening = openPanel(windowId)
    return opening.then(async (opened) => {
      if (!opened)
        await openInboxTab(null)
      return null
    })
  }
  if (command !== COMMANDS.nextUnassigned && command !== COMMANDS.claimNext)
    return Promise.resolve(null)
  const opening = openPanel(windowId)
  return (async () => {
    const conversationId = await oldestUnassigned(context.db)
    if (command === COMMANDS.claimNext)
      await claim(context, conversationId)
    await showConversation(conversationId, opening, windowId)
    return conversationId
  })()
}

/** A click on the notification itself (Firefox: the only way in): open its chat. */
export function handleNotificationClicked(notificationId: string, context: CommandContext): Promise<void> {
  const parsed = parseNotificationId(notificationId)
  if (!parsed)
    return Promise.resolve()
  const windowId = context.windowId()
  const opening = openPanel(windowId)
  return (async () => {
    await browser.notifications.clear(notificationId).catch(() => false)
    await showConversation(parsed.conversationId, opening, windowId)
  })()
}

/** A notification button (Chrome): "Assign to me" (assigns, then opens) or "Open". */
export function handleNotificationButton(notificationId: string, buttonIndex: number, context: CommandContext): Promise<void> {
  const parsed = parseNotificationId(notificationId)
  const button = parsed
    ? buttonsFor(parsed.kind)[buttonIndex]
    : undefined
  if (!parsed || !button)
    return Promise.resolve()
  const windowId = context.windowId()
  const opening = openPanel(windowId)
  return (async () => {
    await browser.notifications.clear(notificationId).catch(() => false)
    if (button === 'assign')
      await claim(context, parsed.conversationId)
    await showConversation(parsed.conversationId, opening, windowId)
  })()
}
