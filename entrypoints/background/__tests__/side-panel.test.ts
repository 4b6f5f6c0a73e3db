import type { Browser } from 'wxt/browser'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { openSidePanelOnActionClick } from '../side-panel'

// fakeBrowser implements neither chrome.sidePanel nor Firefox's sidebarAction: stub them.
const fake = fakeBrowser as unknown as Record<string, unknown>

describe('openSidePanelOnActionClick', () => {
  beforeEach(() => {
    fakeBrowser.reset()
  })

  afterEach(() => {
    vi.unstubAllEnvs()
    delete fake.sidePanel
    delete fake.sidebarAction
  })

  it('chrome: lets the toolbar button open the side panel', () => {
    vi.stubEnv('BROWSER', 'chrome')
    const setPanelBehavior = vi.fn(async () => {})
    fake.sidePanel = { setPanelBehavior }

    openSidePanelOnActionClick()
    expect(setPanelBehavior).toHaveBeenCalledWith({ openPanelOnActionClick: true })
  })

  it('firefox: toggles the sidebar when the toolbar button is clicked', async () => {
    vi.stubEnv('BROWSER', 'firefox')
    const toggle = vi.fn(async () => {})
    fake.sidebarAction = { toggle }

    openSidePanelOnActionClick()
    expect(toggle).not.toHaveBeenCalled()
    // fakeBrowser has `action`, which the code prefers when it exists (Firefox MV3).
    await fakeBrowser.action.onClicked.trigger({} as Browser.tabs.Tab)
    expect(toggle).toHaveBeenCalledOnce()
  })
})
