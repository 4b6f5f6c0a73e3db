import { describe, expect, it } from 'vitest'
import { isRestrictedUrl, scriptErrorCode } from '~/utils/phones/page-scan'

describe('scriptErrorCode', () => {
  it.each([
    ['Cannot access a chrome:// URL', 'restricted'],
    ['Cannot access a chrome-extension:// URL of different extension', 'restricted'],
    ['The extensions gallery cannot be scripted.', 'restricted'],
    ['Cannot access contents of url "file:///tmp/a.html". Extension manifest must request permission to access this host.', 'failed'],
    // A web page the agent did not act on (no activeTab grant): not a browser page.
    ['Cannot access contents of the page. Extension manifest must request permission to access the respective host.', 'failed'],
    ['Missing host permission for the tab', 'failed'],
    ['No tab with id: 12', 'failed'],
  ] as const)('%s → %s', (message, code) => {
    expect(scriptErrorCode(message)).toBe(code)
  })

  it('knows browser pages by their URL', () => {
    expect(isRestrictedUrl('chrome://settings')).toBe(true)
    expect(isRestrictedUrl('about:addons')).toBe(true)
    expect(isRestrictedUrl('http://127.0.0.1:8080/customers.html')).toBe(false)
  })
})
