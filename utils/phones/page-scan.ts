/**
 * Reads the visible text of a tab when the agent asks for it (the popup's "On this page", a
 * keyboard command, the context menu) and finds its phone numbers. Nothing is registered on pages
 * and nothing runs on them until then: `activeTab` grants the tab the agent acted on, and
 * `scripting.executeScript` runs one function there that answers `document.body.innerText`
 * (bounded). Firefox has `browser.scripting` in MV2 too since Firefox 102 (with the `scripting`
 * permission); where it is missing, `tabs.executeScript({ code })` does the same.
 */
import type { FoundPhone } from './scan'
import { browser } from 'wxt/browser'
import { db } from '../db'
import { workspaceDefaultCountry } from './contacts'
import { MAX_SCAN_CHARS, scanPhoneNumbers } from './scan'

export type PageScanErrorCode
  /** a browser page (chrome://, about:, the web store, another extension, a PDF viewer …) */
  = | 'restricted'
  /** no tab to scan */
    | 'no_tab'
  /** the tab was not granted (no user gesture, no host permission) or the script failed */
    | 'failed'

export class PageScanError extends Error {
  override readonly name = 'PageScanError'
  constructor(readonly code: PageScanErrorCode, message: string) {
    super(message)
  }
}

export interface PageText {
  text: string
  /** the text was longer than what was read */
  truncated: boolean
}

export interface PageScan {
  tabId: number
  url: string | null
  title: string | null
  phones: FoundPhone[]
  truncated: boolean
  /** time spent finding numbers in the text (ms) */
  scanMs: number
}

/** Runs in the page: its visible text, at most `max` characters. Self-contained (it is serialised). */
function readVisibleText(max: number): { text: string, truncated: boolean } {
  // innerText, not textContent: the visible text, with line breaks between cells and blocks.
  // eslint-disable-next-line unicorn/prefer-dom-node-text-content
  const text = document.body?.innerText ?? ''
  return {
    text: text.length > max
      ? text.slice(0, max)
      : text,
    truncated: text.length > max,
  }
}

const RESTRICTED_URL = /^(?:chrome|chrome-extension|chrome-untrusted|edge|brave|about|moz-extension|resource|view-source|devtools|file|data|javascript):|^https:\/\/(?:chrome\.google\.com\/webstore|chromewebstore\.google\.com|addons\.mozilla\.org|accounts-static\.cdn\.mozilla\.net)/i

/** Whether no extension may run a script on this URL (browser pages, stores, other extensions). */
export function isRestrictedUrl(url: string | undefined | null): boolean {
  return !!url && RESTRICTED_URL.test(url)
}

/**
 * Why a script could not run in a tab, from the browser's message. Chrome: "Cannot access a
 * chrome:// URL", "The extensions gallery cannot be scripted" (browser pages: `restricted`);
 * "Cannot access contents of the page. Extension manifest must request permission to access the
 * respective host." and Firefox's "Missing host permission for the tab" mean the tab was not
 * granted (no `activeTab` gesture): `failed`, which tells the agent to click the page and retry.
 */
export function scriptErrorCode(message: string): PageScanErrorCode {
  if (/must request permission|missing host permission/i.test(message))
    return 'failed'
  return /cannot access a |cannot be scripted|extensions gallery|chrome:\/\/|about:|privileged|PDF|file:\/\//i.test(message)
    ? 'restricted'
    : 'failed'
}

/** Firefox's MV2 `tabs.executeScript`, which WXT's Chrome-based types do not describe. */
interface LegacyTabs {
  executeScript?: (tabId: number, details: { code: string }) => Promise<unknown[]>
}

/** The visible text of a tab; `PageScanError` when it cannot be read. */
export async function readTabText(tabId: number, url?: string | null): Promise<PageText> {
  if (isRestrictedUrl(url))
    throw new PageScanError('restricted', `cannot read ${url}`)
  let result: unknown
  try {
    if (browser.scripting?.executeScript) {
      const [injection] = await browser.scripting.executeScript({
        target: { tabId },
        func: readVisibleText,
        args: [MAX_SCAN_CHARS],
      })
      result = injection?.result
    }
    else {
      const legacy = browser.tabs as unknown as LegacyTabs
      if (!legacy.executeScript)
        throw new Error('no scripting API')
      const [value] = await legacy.executeScript(tabId, { code: `(${readVisibleText.toString()})(${MAX_SCAN_CHARS})` })
      result = value
    }
  }
  catch (error) {
    const message = error instanceof Error
      ? error.message
      : String(error)
    throw new PageScanError(scriptErrorCode(message), message)
  }
  const value = result as Partial<PageText> | undefined
  if (!value || typeof value.text !== 'string')
    throw new PageScanError('failed', 'the page answered no text')
  return { text: value.text, truncated: !!value.truncated }
}

/**
 * The phone numbers on a tab, national ones read in `defaultCountry` (default: the workspace's
 * `settings.defaultCountry` from Dexie).
 */
export async function scanTab(tabId: number, defaultCountry?: string | null): Promise<PageScan> {
  const tab = await browser.tabs.get(tabId).catch(() => undefined)
  if (!tab)
    throw new PageScanError('no_tab', `no tab ${tabId}`)
  const { text, truncated } = await readTabText(tabId, tab.url)
  const country = defaultCountry === undefined
    ? await workspaceDefaultCountry(db)
    : defaultCountry
  const started = performance.now()
  const phones = scanPhoneNumbers(text, country)
  return {
    tabId,
    url: tab.url ?? null,
    title: tab.title ?? null,
    phones,
    truncated,
    scanMs: performance.now() - started,
  }
}

/** The tab the agent is looking at (in the last focused window). */
export async function activeTab(): Promise<{ id: number, url?: string } | null> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true })
  return tab?.id === undefined
    ? null
    : { id: tab.id, url: tab.url }
}

/**
 * Scans the active tab (the keyboard command and the popup call this right after the agent's
 * gesture, which is what grants `activeTab`).
 */
export async function scanActiveTab(defaultCountry?: string | null): Promise<PageScan> {
  const tab = await activeTab()
  if (!tab)
    throw new PageScanError('no_tab', 'no active tab')
  return await scanTab(tab.id, defaultCountry)
}
