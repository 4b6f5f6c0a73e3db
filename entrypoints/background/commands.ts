/**
 * Keyboard commands and notification clicks (utils/commands.ts): the panel opens in the gesture,
 * so the window it opens in must be known synchronously: the last focused one is tracked here.
 */
import type { CommandContext } from '~/utils/commands'
import { browser } from 'wxt/browser'
import { handleCommand, handleNotificationButton, handleNotificationClicked } from '~/utils/commands'

export function setupCommands(context: Omit<CommandContext, 'windowId'>): CommandContext {
  let focusedWindowId: number | undefined
  void browser.windows?.getLastFocused().then((win) => {
    focusedWindowId ??= win.id
  }).catch(() => {})
  browser.windows?.onFocusChanged.addListener((windowId) => {
    if (windowId !== browser.windows.WINDOW_ID_NONE)
      focusedWindowId = windowId
  })
  const commands: CommandContext = {
    ...context,
    windowId: () => focusedWindowId,
  }
  browser.commands?.onCommand.addListener((command, tab) => {
    handleCommand(command, tab, commands).catch(error => console.error('[wa-inbox] command failed', error))
  })
  browser.notifications?.onClicked.addListener((id) => {
    handleNotificationClicked(id, commands).catch(error => console.error('[wa-inbox] notification click failed', error))
  })
  browser.notifications?.onButtonClicked?.addListener((id, index) => {
    handleNotificationButton(id, index, commands).catch(error => console.error('[wa-inbox] notification button failed', error))
  })
  return commands
}
