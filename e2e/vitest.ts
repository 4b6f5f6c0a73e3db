/**
 * Vitest glue for end-to-end files: one backend (server + simulator) and one browser with the
 * extension per `describe` block, closed afterwards, and a screenshot of every open page when a
 * test fails (under e2e/.artifacts/).
 *
 *   describe.each(BROWSERS)('%s', (name) => {
 *     const e2e = useExtension(name)
 *     it('…', async () => {
 *       const page = await e2e.openPage('options.html')
 *       await signIn(page, e2e.backend)
 *     })
 *   })
 */
import type { Backend, BrowserName, ExtensionBrowser, ExtPage, LaunchOptions } from './harness.ts'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { launchBrowser, startBackend } from './harness.ts'

export interface ExtensionFixture {
  readonly name: BrowserName
  readonly backend: Backend
  readonly browser: ExtensionBrowser
  /** a new tab at an extension path (`options.html`, `sidepanel.html`) */
  openPage: (pathOrUrl?: string) => Promise<ExtPage>
}

export function useExtension(name: BrowserName, options: { backend?: Parameters<typeof startBackend>[0], launch?: LaunchOptions, closePagesAfterEach?: boolean } = {}): ExtensionFixture {
  let backend: Backend | undefined
  let browser: ExtensionBrowser | undefined

  beforeAll(async () => {
    backend = await startBackend(options.backend)
    browser = await launchBrowser(name, options.launch)
  }, 60_000)

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      for (const [i, page] of (browser?.pages ?? []).entries()) {
        const file = await page.screenshot(`${name}-${task.name}-${i}`).catch(() => null)
        if (file)
          console.error(`[e2e] screenshot of ${await page.url().catch(() => '?')}: ${file}`)
      }
    })
  })

  afterEach(async () => {
    if (options.closePagesAfterEach && browser) {
      for (const page of [...browser.pages])
        await page.close().catch(() => {})
    }
  })

  afterAll(async () => {
    await browser?.close()
    await backend?.close()
  }, 30_000)

  return {
    name,
    get backend() {
      if (!backend)
        throw new Error('the backend is not started yet (use it inside a test or hook)')
      return backend
    },
    get browser() {
      if (!browser)
        throw new Error('the browser is not started yet (use it inside a test or hook)')
      return browser
    },
    openPage: pathOrUrl => browser!.openPage(pathOrUrl),
  }
}
