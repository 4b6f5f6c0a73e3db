/**
 * Phone numbers on any web page, end to end in both browsers against the real server and the
 * WhatsApp simulator: a local page (a table of customers with numbers in mixed formats and decoys —
 * order numbers, an IBAN, dates, prices, SKUs) is open in a tab; the background's real `scanTab`
 * reads it and finds exactly the phone numbers; the popup's "On this page" (components/page-numbers)
 * shows the customer who wrote with their conversation and makes a number without a contact into
 * one on the server; the context menu's click handler, called in the background with a made-up
 * selection, assigns a customer's chat to the agent and labels a new contact, on the server too.
 *
 * EXTRA PERMISSION IN THIS TEST ONLY. The extension reads a page through `activeTab` +
 * `scripting.executeScript`, and `activeTab` is granted only by a real user gesture (a click on the
 * toolbar button, a context-menu item, a keyboard command), which a test cannot make: without it
 * both browsers refuse to run a script on http://127.0.0.1 (Chromium: "Cannot access contents of
 * the page. Extension manifest must request permission to access the respective host.", Firefox:
 * "Missing host permission for the tab"). So the browsers here load a COPY of the built extension
 * (`copyExtension`, under the temp folder) whose manifest also has `host_permissions:
 * ["http://127.0.0.1/*"]` (Chrome MV3) / `"http://127.0.0.1/*"` in `permissions` (Firefox MV2),
 * granted at install — the shipped build and wxt.config.ts keep no host permissions. Everything
 * else (the scan, the popup, the menu handler, sync) is the built extension's own code.
 *
 * The background is reached through the `globalThis.waInbox` hook of the test build
 * (entrypoints/background/test-hooks.ts): in Chromium by evaluating in the service worker (Playwright's `context.serviceWorkers()`), in
 * Firefox through `browser.runtime.getBackgroundPage()` from an extension page.
 */
import type { AddressInfo } from 'node:net'
import type { ExtPage } from './harness.ts'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROWSERS, copyExtension, eventually, signIn, waitForSyncUpToDate } from './harness.ts'
import { useExtension } from './vitest.ts'

declare const browser: any, chrome: any, document: any

/** utils/context-menu.ts `MENU.assign` and `labelMenuId()` (not importable here: it needs wxt/browser). */
const MENU_ASSIGN = 'wa-inbox:phone:assign'
const labelMenuId = (labelId: string) => `wa-inbox:phone:label:${labelId}`

/** Customers who write through the simulator (one backend per browser: the same numbers in both). */
const WROTE = {
  ana: { waId: '40722610001', name: 'Ana Popa' },
  maria: { waId: '40755610004', name: 'Maria Ionescu' },
}
const NEW_CONTACT = '+40733610002'
const MENU_CONTACT = '+40744610003'

/** The page: what `innerText` reads is a tab-separated table. Decoys in every row. */
const PAGE = `<!doctype html>
<html lang="ro"><head><meta charset="utf-8"><title>Clienți — magazin</title></head>
<body>
<h1>Comenzi</h1>
<table>
  <thead><tr><th>Client</th><th>Telefon</th><th>Comanda</th><th>Data</th><th>IBAN</th><th>Total</th></tr></thead>
  <tbody>
    <tr><td>Ana Popa</td><td>0722 610 001</td><td>#0722610009</td><td>2024-01-15</td><td>RO49 AAAA 1B31 0075 9384 0000</td><td>1.234.567,89 lei</td></tr>
    <tr><td>Radu Ene</td><td>+40 733 610 002</td><td>ORD-20240115-0042</td><td>15.01.2024</td><td>—</td><td>1 234 567,00 lei</td></tr>
    <tr><td>Elena Dobre</td><td>(0744) 610-003</td><td>SKU0744610003</td><td>2024/01/15 10:30</td><td>—</td><td>89,90 lei</td></tr>
    <tr><td>John Smith</td><td>+44 20 7946 0958</td><td>factura 4000123456</td><td>1/15/24</td><td>—</td><td>12.50 GBP</td></tr>
    <tr><td>Maria Ionescu</td><td>0040 755 610 004</td><td>CNP 1850101123456</td><td>v1.2.3.4567890</td><td>192.168.100.200</td><td>0722610001@example.com</td></tr>
  </tbody>
</table>
<p>Sună-ne la 0722 610 001 (Ana, din nou).</p>
</body></html>`

/** The numbers on the page in order of first appearance, as the scan answers them. */
const EXPECTED = [
  { number: '+40722610001', raw: '0722 610 001' },
  { number: NEW_CONTACT, raw: '+40 733 610 002' },
  { number: MENU_CONTACT, raw: '(0744) 610-003' },
  { number: '+442079460958', raw: '+44 20 7946 0958' },
  { number: '+40755610004', raw: '0040 755 610 004' },
]

interface PageScan { tabId: number, url: string | null, title: string | null, phones: Array<{ number: string, raw: string, index: number }>, truncated: boolean, scanMs: number }
type MenuResult = { ok: true, action: string, number: string, contactId: string, conversationId: string | null } | { ok: false, reason: string, message?: string }
interface ApiContact { id: string, phone: string | null, waId: string | null, labelIds: string[] }

let server: http.Server
let pageUrl: string

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(PAGE)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clienti.html`
})
afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
})

describe.each(BROWSERS)('numbers on any tab in %s', (name) => {
  // The copy with the host permission (see the header); made before the browser starts.
  const extensionDir = path.join(os.tmpdir(), `wa-inbox-any-tab-${name}-${process.pid}`)
  beforeAll(() => {
    copyExtension(name, extensionDir, (manifest) => {
      if (manifest.manifest_version === 3) {
        manifest.host_permissions = [
          ...(manifest.host_permissions ?? []),
          'http://127.0.0.1/*',
        ]
      }
      else {
        manifest.permissions = [
          ...(manifest.permissions ?? []),
          'http://127.0.0.1/*',
        ]
      }
    })
  })
  afterAll(() => {
    fs.rmSync(extensionDir, { recursive: true, force: true })
  })
  const e2e = useExtension(name, {
    launch: { extensionDir },
  })

  let options: ExtPage
  let tabId: number
  let me: { id: string }

  const api = <T = any>(p: string, init?: Parameters<typeof e2e.backend.api>[1]) => e2e.backend.api<T>(p, init)
  const contactByPhone = async (number: string) => (await api<{ items: ApiContact[] }>(`/api/contacts?q=${number.slice(1)}`)).items.find(c => c.phone === number || c.waId === number.slice(1))

  /** Calls `globalThis.waInbox[method](...args)` in the background (service worker / event page). */
  async function inBackground<R>(method: 'scanTab' | 'handleContextMenuClick', args: unknown[]): Promise<R> {
    const raw = e2e.browser.raw
    if (raw.kind === 'chromium') {
      const origin = e2e.browser.origin
      let worker = raw.context.serviceWorkers().find(w => w.url().startsWith(origin))
      if (!worker) {
        // Stopped while idle: any extension event starts it again.
        const waking = raw.context.waitForEvent('serviceworker', { timeout: 10_000 })
        await options.evaluate(() => chrome.runtime.sendMessage({ type: 'wa-inbox:sync' }).catch(() => {}))
        worker = await waking
      }
      return await worker.evaluate(async ({ method, args }) => {
        const hooks = (globalThis as any).waInbox
        return JSON.parse(JSON.stringify(await hooks[method](...args)))
      }, { method, args }) as R
    }
    return await options.evaluate(async ({ method, args }) => {
      const background = await browser.runtime.getBackgroundPage()
      return JSON.parse(JSON.stringify(await background.waInbox[method](...args)))
    }, { method, args }) as R
  }

  /** The background pushes the outbox on a kick (the menu's own kick cannot reach itself). */
  async function kickSync(): Promise<void> {
    await options.evaluate(async () => {
      const ext = typeof browser !== 'undefined'
        ? browser
        : chrome
      await ext.runtime.sendMessage({ type: 'wa-inbox:sync' }).catch(() => {})
    })
  }

  it('the background\'s scanTab finds exactly the phone numbers of a page in a tab', async () => {
    me = await api('/api/auth/me')
    await e2e.backend.customerWrites(WROTE.ana, 'Bună! Am comandat ieri.')
    await e2e.backend.customerWrites(WROTE.maria, 'Când vine coletul?')

    options = await e2e.openPage('options.html')
    await signIn(options, e2e.backend)
    await waitForSyncUpToDate(options)
    // National numbers (0722 …) are read in the workspace's default country. Set after the first
    // sync: the server's snapshot has no `workspace` phase (server/src/services/sync.ts
    // SNAPSHOT_PHASES), so an agent only receives the settings through a later change.
    await api('/api/workspace', {
      method: 'PATCH',
      json: {
        settings: { defaultCountry: 'RO' },
      },
    })

    await e2e.openPage(pageUrl)
    tabId = await options.waitForFunction(async (url) => {
      const ext = typeof browser !== 'undefined'
        ? browser
        : chrome
      const tabs = await ext.tabs.query({})
      return tabs.find((t: { url?: string }) => t.url === url)?.id ?? null
    }, pageUrl, { what: 'the page\'s tab' })

    // Until the workspace's country has synced, national numbers are not read: wait for it.
    let last: PageScan | undefined
    const scan = await eventually(async () => {
      last = await inBackground<PageScan>('scanTab', [tabId])
      return last.phones.length === EXPECTED.length && last
    }, { timeout: 10_000, what: 'the scan to find every number' }).catch((error: Error) => {
      throw new Error(`${error.message}; it found ${JSON.stringify(last?.phones)}`)
    })
    expect(scan.phones.map(({ number, raw }) => ({ number, raw }))).toEqual(EXPECTED)
    expect(scan.url).toBe(pageUrl)
    expect(scan.title).toBe('Clienți — magazin')
    expect(scan.truncated).toBe(false)
    expect(scan.scanMs).toBeLessThan(100)
  })

  it('"On this page" shows the customer with their chat, and makes a new number a contact on the server', async () => {
    const ana = (await api<{ items: Array<{ id: string, contact: { waId: string | null } }> }>('/api/conversations?status=all&limit=50')).items.find(c => c.contact.waId === WROTE.ana.waId)!
    expect(ana).toBeDefined()
    // The popup, in a tab; the page's tab becomes the active one, as when the agent looks at it.
    const popup = await e2e.openPage('popup.html')
    await popup.waitFor('[data-testid="page-numbers-scan"]')
    await popup.evaluate(async (id) => {
      const ext = typeof browser !== 'undefined'
        ? browser
        : chrome
      await ext.tabs.update(id, { active: true })
    }, tabId)
    await popup.evaluate(() => document.querySelector('[data-testid="page-numbers-scan"]').click())
    const row = (number: string) => `[data-testid="page-number"][data-number="${number}"]`
    await popup.waitFor('[data-testid="page-numbers-count"]', {
      text: String(EXPECTED.length),
    })
    expect(await popup.evaluate(() => [
      ...document.querySelectorAll('[data-testid="page-number"]'),
    ].map((li: any) => li.getAttribute('data-number')))).toEqual(EXPECTED.map(p => p.number))

    // The customer who wrote: their contact, their conversation (unassigned, window open).
    await popup.waitFor(`${row('+40722610001')} [data-testid="page-number-name"]`, { text: WROTE.ana.name })
    expect(await popup.evaluate(s => document.querySelector(s)?.getAttribute('data-contact-id'), row('+40722610001'))).toBeTruthy()
    expect(await popup.text(`${row('+40722610001')} [data-testid="page-number-owner"]`)).toBe('Unassigned')
    expect(await popup.evaluate(s => document.querySelector(s)?.getAttribute('data-open'), `${row('+40722610001')} [data-testid="page-number-window"]`)).toBe('true')
    expect(await popup.count(`${row('+40722610001')} [data-testid="page-number-open"]`)).toBe(1)
    expect(await popup.count(`${row('+40722610001')} [data-testid="page-number-assign"]`)).toBe(1)
    expect(ana.id).toBeTruthy()

    // No contact yet: "Add as contact" creates it on the server, and the row shows it.
    expect(await popup.count(`${row(NEW_CONTACT)} [data-testid="page-number-unknown"]`)).toBe(1)
    await popup.evaluate(s => document.querySelector(s).click(), `${row(NEW_CONTACT)} [data-testid="page-number-create"]`)
    const created = await eventually(() => contactByPhone(NEW_CONTACT), { what: `the server to have ${NEW_CONTACT}` })
    await popup.waitForFunction(({ s, id }) => document.querySelector(s)?.getAttribute('data-contact-id') === id, {
      s: row(NEW_CONTACT),
      id: created.id,
    }, { what: 'the row to show the new contact' })
    expect(await popup.count(`${row(NEW_CONTACT)} [data-testid="page-number-open"]`)).toBe(1)
    await popup.close()
  })

  it('the context menu handler assigns a customer\'s chat to me and labels a new number, on the server', async () => {
    const maria = (await api<{ items: Array<{ id: string, assigneeId: string | null, contact: { waId: string | null } }> }>('/api/conversations?status=all&limit=50')).items.find(c => c.contact.waId === WROTE.maria.waId)!
    expect(maria.assigneeId).toBeNull()

    const assigned = await inBackground<MenuResult>('handleContextMenuClick', [
      { menuItemId: MENU_ASSIGN, selectionText: ' 0040 755 610 004 ' },
    ])
    expect(assigned).toMatchObject({
      ok: true,
      action: 'assign',
      number: '+40755610004',
      conversationId: maria.id,
    })
    await kickSync()
    await eventually(async () => (await api<{ assigneeId: string | null }>(`/api/conversations/${maria.id}`)).assigneeId === me.id, { what: 'the server to assign the chat to me' })

    // A number without a contact: the handler creates it first, then adds the label.
    const vip = (await api<{ items: Array<{ id: string, name: string }> }>('/api/labels')).items.find(l => l.name === 'VIP')!
    expect(vip).toBeDefined()
    const labelled = await inBackground<MenuResult>('handleContextMenuClick', [
      {
        menuItemId: labelMenuId(vip.id),
        selectionText: '(0744) 610-003',
      },
    ])
    expect(labelled).toMatchObject({ ok: true, action: 'label', number: MENU_CONTACT })
    await kickSync()
    const contact = await eventually(async () => {
      const found = await contactByPhone(MENU_CONTACT)
      return found?.labelIds.includes(vip.id) && found
    }, { what: 'the new contact to carry the label on the server' })
    expect(contact.id).toBe((labelled as { contactId: string }).contactId)

    // Not a number: nothing happens.
    expect(await inBackground<MenuResult>('handleContextMenuClick', [
      { menuItemId: MENU_ASSIGN, selectionText: 'Order #0722610009' },
    ])).toEqual({ ok: false, reason: 'no_number' })
  })
})
