/**
 * The popup, the toolbar badge, notifications and commands end to end, in both browsers, against the real server and the
 * simulator: the popup (opened as a tab: no browser lets a test click the toolbar button) shows
 * what waits and assigns with one click; the toolbar badge follows customers' messages, also
 * after the background was stopped and started again; notifications are created by the real
 * `notifications` API for a new message in my chat and for a chat waiting too long, and their
 * button handlers assign and open; the keyboard commands' handler claims the oldest chat.
 *
 * What is not the real user path (no browser lets a test do it): notification buttons and
 * keyboard commands are invoked through the background's own handler functions
 * (`__waInboxTest`, entrypoints/background/test-hooks.ts, in the test build only), which the real
 * onButtonClicked / onCommand listeners call.
 */
import type { ExtPage } from './harness.ts'
import { describe, expect, it } from 'vitest'
import { BROWSERS, eventually, setExtensionStorage, signIn, waitForSyncUpToDate } from './harness.ts'
import { useExtension } from './vitest.ts'

// Code below runs inside extension pages / the background (this file is also checked without the DOM lib).
declare const chrome: any, browser: any, self: any, document: any

interface ApiConversation { id: string, assigneeId: string | null }

const CUSTOMERS = {
  before: { waId: '40722700001', name: 'Ana Ionescu' },
  next: { waId: '40722700002', name: 'Radu Stan' },
  whileStopped: { waId: '40722700003', name: 'Elena Matei' },
  waiting: { waId: '40722700004', name: 'Sofia Dobre' },
}

const popup = {
  count: (key: string, value: number) => `[data-testid="count-${key}"][data-value="${value}"]`,
  queueRow: (id: string) => `[data-testid="popup-queue"] [data-row][data-id="${id}"]`,
  assignToMe: (id: string) => `[data-testid="popup-queue"] [data-row][data-id="${id}"] [data-testid="assign-to-me"]`,
}

/** The toolbar badge as the browser shows it (`action` on Chrome, `browserAction` on Firefox MV2). */
function readBadge(page: ExtPage): Promise<{ text: string, color: number[] }> {
  return page.evaluate(async () => {
    const api = typeof browser !== 'undefined'
      ? browser
      : chrome
    const action = api.action ?? api.browserAction
    return {
      text: await action.getBadgeText({}),
      color: [
        ...await action.getBadgeBackgroundColor({}),
      ],
    }
  })
}

/** ids of the notifications the extension has on screen (Chrome: `notifications.getAll()`) */
function notificationsOnScreen(page: ExtPage): Promise<string[]> {
  return page.evaluate(async () => Object.keys(await chrome.notifications.getAll()))
}

/** the chats extension pages show (what they report to the background) */
function openChats(page: ExtPage): Promise<string[]> {
  return page.evaluate(async () => {
    const api = typeof browser !== 'undefined'
      ? browser
      : chrome
    const all = await api.storage.session.get(null)
    return Object.entries(all).filter(([key]) => key.startsWith('viewing:')).map(([, value]) => (value as { conversationId: string | null }).conversationId).filter(Boolean) as string[]
  })
}

const GREEN = [0, 128, 105, 255]

describe.each(BROWSERS)('popup, badge, notifications in %s', (name) => {
  const e2e = useExtension(name)
  let me: { id: string }
  let probe: ExtPage
  const chats = {} as Record<keyof typeof CUSTOMERS, string>

  const api = <T = any>(path: string) => e2e.backend.api<T>(path)
  const conversation = (id: string) => api<ApiConversation>(`/api/conversations/${id}`)

  /**
   * The notifications the extension created. Chrome: those on screen (`getAll`). Firefox headless
   * has no alerts service: `notifications.create` succeeds but keeps nothing on screen, so this
   * reads the ids the background got back from its real `create` calls.
   */
  async function notificationIds(page: ExtPage): Promise<string[]> {
    return name === 'chromium'
      ? await notificationsOnScreen(page)
      : await inBackground<string[]>('notifications')
  }

  /** Calls one of the background's handlers (`__waInboxTest`), in the service worker / event page. */
  async function inBackground<R>(fn: string, ...args: unknown[]): Promise<R> {
    const raw = e2e.browser.raw
    if (raw.kind === 'chromium') {
      const worker = await eventually(() => raw.context.serviceWorkers().find(w => w.url().startsWith(e2e.browser.origin)), { what: 'the service worker' })
      return await worker.evaluate(async ([f, a]) => JSON.parse(JSON.stringify(await self.__waInboxTest[f](...a) ?? null)), [fn, args] as const) as R
    }
    return await probe.evaluate(async ([f, a]) => {
      const background = await browser.runtime.getBackgroundPage()
      return JSON.parse(JSON.stringify(await background.__waInboxTest[f](...a) ?? null))
    }, [fn, args] as const) as R
  }

  it('the popup shows what waits and assigns with one click (the server agrees)', async () => {
    me = await api('/api/auth/me')
    // Written before sign-in: it arrives with the snapshot, which never notifies.
    chats.before = (await e2e.backend.customerWrites(CUSTOMERS.before, 'Bună! Aveți livrare mâine?')).conversationId
    probe = await e2e.openPage('options.html')
    await signIn(probe, e2e.backend)
    await waitForSyncUpToDate(probe)

    const page = await e2e.openPage('popup.html')
    await page.waitFor(popup.count('unassigned', 1))
    await page.waitFor(popup.count('mineUnread', 0))
    await page.waitFor(popup.queueRow(chats.before), { text: CUSTOMERS.before.name })
    // Keyboard first: the queue's first row has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe(chats.before)

    await page.click(popup.assignToMe(chats.before))
    await page.waitFor(popup.count('unassigned', 0))
    await page.waitFor(popup.count('mineUnread', 1))
    await eventually(async () => (await conversation(chats.before)).assigneeId === me.id, { what: 'the server to assign the chat' })
    expect(await notificationIds(probe)).toEqual([])
    await page.close()
  })

  it('the badge counts what waits, also after the background restarted', async () => {
    // mine unread (1): a green "1"
    await eventually(async () => (await readBadge(probe)).text === '1', { what: 'the badge to say 1' })
    expect((await readBadge(probe)).color).toEqual(GREEN)
    chats.next = (await e2e.backend.customerWrites(CUSTOMERS.next, 'Salut, am o întrebare')).conversationId
    await eventually(async () => (await readBadge(probe)).text === '2', { what: 'the badge to say 2' })

    const raw = e2e.browser.raw
    if (raw.kind === 'chromium') {
      // Chrome: stop the MV3 service worker as the browser does when idle (CDP), then wake it
      // with a page's message; its main() runs again from storage and Dexie.
      const cdp = await raw.context.newCDPSession(raw.context.pages()[0]!)
      await cdp.send('ServiceWorker.enable')
      await cdp.send('ServiceWorker.stopAllWorkers')
      await eventually(async () => (await probe.evaluate(() => chrome.runtime.getContexts({
        contextTypes: ['BACKGROUND'],
      }))).length === 0, { what: 'the service worker to stop' })
      chats.whileStopped = (await e2e.backend.customerWrites(CUSTOMERS.whileStopped, 'Mai e cineva acolo?')).conversationId
      await probe.evaluate(() => chrome.runtime.sendMessage({ type: 'wa-inbox:sync' }).catch(() => {}))
    }
    else {
      // Firefox: reload the add-on (closes its pages; the event page starts afresh from storage
      // and IndexedDB under the same pinned moz-extension UUID). A blank tab keeps the window
      // (and Firefox) open while the extension's tabs close.
      await e2e.openPage('about:blank')
      await probe.evaluate(() => {
        setTimeout(() => browser.runtime.reload(), 50)
      })
      await eventually(async () => !(await probe.evaluate(() => 1).catch(() => null)), { what: 'the extension pages to close' }).catch(() => {})
      chats.whileStopped = (await e2e.backend.customerWrites(CUSTOMERS.whileStopped, 'Mai e cineva acolo?')).conversationId
      probe = await e2e.openPage('options.html')
    }
    await eventually(async () => (await readBadge(probe)).text === '3', { timeout: 20_000, what: 'the badge to say 3 after the restart' })
    expect((await readBadge(probe)).color).toEqual(GREEN)
  })

  it('notifies a new message in my chat; its Open button opens the chat', async () => {
    const before = await notificationIds(probe)
    await e2e.backend.customerWrites(CUSTOMERS.before, 'Și încă ceva: aveți și mărimea 39?')
    const id = await eventually(async () => (await notificationIds(probe)).find(n => !before.includes(n) && n.startsWith(`wa-inbox|message|${chats.before}|`)), { what: 'a notification for the new message' })

    // Chrome: button 0 is "Open"; Firefox has no buttons, a click on the notification opens.
    if (name === 'chromium')
      await inBackground('notificationButton', id, 0)
    else await inBackground('notificationClicked', id)
    // No user gesture here, so the side panel cannot open: the chat opens in an inbox tab, which
    // reports the chat it shows to the background (session storage, utils/notifications/viewing.ts).
    await eventually(async () => (await openChats(probe)).includes(chats.before), { what: 'the chat to open in an inbox tab' })
    if (name === 'chromium')
      expect(await notificationIds(probe)).not.toContain(id)
  })

  it('notifies an unassigned chat waiting too long; "Assign to me" assigns it', async () => {
    await setExtensionStorage(probe, {
      companionPrefs: {
        notifications: { waitingMinutes: 1 },
      },
    })
    const { conversationId } = await e2e.backend.customerWrites(CUSTOMERS.waiting, 'Alo?', { timestamp: Math.floor(Date.now() / 1000) - 120 })
    chats.waiting = conversationId
    const id = await eventually(async () => (await notificationIds(probe)).find(n => n.startsWith('wa-inbox|waiting|')), { what: 'a notification for the waiting chat' })
    // the oldest waiting chat that was not notified yet: this one (the others waited under a minute
    // when they arrived and were then claimed or are older than the notified window)
    expect(id.split('|')[2]).toBe(conversationId)
    if (name === 'chromium') {
      await inBackground('notificationButton', id, 0) // "Assign to me"
      await eventually(async () => (await conversation(conversationId)).assigneeId === me.id, { what: 'the server to assign the waiting chat' })
    }
    else {
      // Firefox: no buttons; a click opens the chat (assigning is the popup's or a command's job).
      await inBackground('notificationClicked', id)
    }
  })

  it('the "claim the next chat" command assigns the oldest unassigned chat and opens it', async () => {
    const unassigned = async () => (await api<{ items: Array<{ id: string }> }>('/api/conversations?view=unassigned&limit=50')).items.map(c => c.id)
    const waitingBefore = await unassigned()
    expect(waitingBefore.length).toBeGreaterThan(0)
    const claimed = await inBackground<string | null>('command', 'claim-next')
    expect(waitingBefore).toContain(claimed)
    await eventually(async () => (await conversation(claimed!)).assigneeId === me.id, { what: 'the server to assign the claimed chat' })
  })
})
