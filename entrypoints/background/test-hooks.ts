/**
 * Handlers the e2e tests and benchmarks call in the background: no browser lets a test press a
 * command's keys, a notification's button or a context-menu item
 * (e2e/popup-badge-notifications.test.ts, e2e/any-tab.test.ts, e2e/bots.test.ts). Only in the test build (`WA_TEST_HOOKS=1`, built into
 * .output-test/ by e2e/harness.ts): index.ts calls this behind `import.meta.env.WA_TEST_HOOKS`,
 * so the shipped build has neither the hooks nor this module.
 */
import type { BackgroundBadge } from './badge'
import type { Notifier } from './notifications'
import type { CommandContext } from '~/utils/commands'
import type { IdleState, IdleWatcherOptions } from '~/utils/idle'
import { handleCommand, handleNotificationButton, handleNotificationClicked } from '~/utils/commands'
import { buildContextMenus, handleContextMenuClick } from '~/utils/context-menu'
import { applyIdleState } from '~/utils/idle'
import { scanTab } from '~/utils/phones/page-scan'

export interface TestHookDeps {
  commands: CommandContext
  idle: IdleWatcherOptions
  badge: BackgroundBadge
  notifier: Notifier
}

export function installTestHooks({ commands, idle, badge, notifier }: TestHookDeps): void {
  const hooks = globalThis as { __waInboxTest?: unknown, waInbox?: unknown }
  hooks.__waInboxTest = {
    command: (command: string) => handleCommand(command, undefined, commands),
    notificationClicked: (id: string) => handleNotificationClicked(id, commands),
    notificationButton: (id: string, index: number) => handleNotificationButton(id, index, commands),
    idle: (state: IdleState) => applyIdleState(state, idle),
    badge: () => badge.last,
    notifications: () => notifier.created(),
    refreshBadge: badge.refresh,
    checkWaiting: notifier.checkWaiting,
  }
  hooks.waInbox = { handleContextMenuClick, scanTab, buildContextMenus }
}
