import { browser } from 'wxt/browser'

/** Firefox's sidebar API, which WXT's Chrome-based `browser` types do not describe. */
interface FirefoxSidebarAction {
  toggle: () => Promise<void>
}

/**
 * Makes the toolbar button open the inbox. Chrome opens its side panel on click once told so;
 * Firefox has no such setting, so we toggle its sidebar from the click (a user action, which
 * `sidebarAction.toggle()` requires). Call it synchronously from the background's main() so the
 * listener is registered again every time the MV2 event page wakes up.
 */
export function openSidePanelOnActionClick(): void {
  if (import.meta.env.BROWSER === 'firefox') {
    const { sidebarAction } = browser as unknown as { sidebarAction: FirefoxSidebarAction }
    // Firefox MV2 has `browserAction`; `action` is its MV3 name.
    const action = browser.action ?? browser.browserAction
    action.onClicked.addListener(() => {
      void sidebarAction.toggle()
    })
    return
  }
  browser.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((error: unknown) => {
    console.error('[wa-inbox] cannot make the toolbar button open the side panel', error)
  })
}
