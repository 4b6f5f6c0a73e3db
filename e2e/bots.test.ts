/**
 * The AI Bot end to end, in both browsers, against the real server and simulator: an agent turns
 * the AI Bot on for a contact in the side panel; the customer asks a question the knowledge base
 * answers and the bot's answer shows, marked as the AI Bot's; the customer asks for a person and
 * the chat (which the agent had taken) comes back under Unassigned with the hand-over notice, a
 * notification, and the "AI bot" marker gone from its row.
 */
import type { ExtPage } from './harness.ts'
import { describe, expect, it } from 'vitest'
import { BROWSERS, eventually, sel, signIn, waitForSyncUpToDate } from './harness.ts'
import { useExtension } from './vitest.ts'

// Code below runs inside extension pages / the background (this file is also checked without the DOM lib).
declare const chrome: any, browser: any

const CUSTOMER = { waId: '40722800001', name: 'Mihai Popa' }
const ANSWER = 'Livrarea durează 1-2 zile lucrătoare, oriunde în țară.'

describe.each(BROWSERS)('bots in %s', (name) => {
  const e2e = useExtension(name)

  /** The notifications the extension created (Chrome: on screen; Firefox headless keeps none on screen, so the ids its real `create` calls got back). */
  async function notificationIds(probe: ExtPage): Promise<string[]> {
    if (name === 'chromium')
      return await probe.evaluate(async () => Object.keys(await chrome.notifications.getAll()))
    return await probe.evaluate(async () => {
      const background = await browser.runtime.getBackgroundPage()
      return JSON.parse(JSON.stringify(await background.__waInboxTest.notifications()))
    })
  }

  it('the AI Bot answers a known question, then hands the chat to the team when asked for a person', async () => {
    const { backend } = e2e
    await backend.api('/api/bots/knowledge', {
      json: {
        kind: 'qa',
        title: 'Cât durează livrarea?',
        body: ANSWER,
        language: 'ro',
      },
    })
    const me = await backend.api<{ id: string }>('/api/auth/me')
    const { conversationId } = await backend.customerWrites(CUSTOMER, 'Bună ziua')

    const options = await e2e.openPage('options.html')
    await signIn(options, backend)
    await waitForSyncUpToDate(options)

    const panel = await e2e.openPage('sidepanel.html')
    const row = sel.rowById(conversationId)
    await panel.waitFor(row, { text: CUSTOMER.name })
    expect(await panel.count(`${row} [data-testid="ai-bot"]`)).toBe(0)
    await panel.click(row)
    await panel.waitFor(sel.conversationById(conversationId))
    await panel.click(sel.assignToMe)
    await panel.click(sel.contactToggle)
    await panel.waitFor(sel.contactPanel)
    await panel.click('[data-testid="bot-aiBot"]')
    await panel.waitFor('[data-testid="bot-aiBot"][aria-checked="true"]')
    await eventually(async () => {
      const contact = await backend.api<{ aiBot: boolean }>(`/api/contacts/${(await backend.api<{ contactId: string }>(`/api/conversations/${conversationId}`)).contactId}`)
      const conversation = await backend.api<{ assigneeId: string | null }>(`/api/conversations/${conversationId}`)
      return contact.aiBot && conversation.assigneeId === me.id
    }, { what: 'the server to have the AI Bot on and the chat assigned to me' })
    await panel.waitFor('[data-testid="ai-bot-state"][data-state="active"]')
    await panel.click(sel.contactClose)
    await panel.waitFor(sel.conversationById(conversationId))

    // A question the knowledge base answers: the bot's answer shows, marked.
    await backend.customerWrites(CUSTOMER, 'cat dureaza livrarea la Brasov?')
    await panel.waitFor(`${sel.outboundMessage}:has([data-testid="bot-mark"])`, { text: ANSWER, timeout: 20_000 })
    const sent = backend.sim.outbound.filter(s => (s.body as any)?.to?.replace(/\D/g, '') === CUSTOMER.waId && (s.body as any)?.type === 'text')
    expect(sent.map(s => (s.body as any).text.body)).toEqual([ANSWER])

    // Back to the list (a chat on screen never notifies), where the row says a bot has it.
    await panel.click(sel.back)
    await panel.waitFor(`${row} [data-testid="ai-bot"]`)
    const before = await notificationIds(options)

    await backend.customerWrites(CUSTOMER, 'Vreau să vorbesc cu un om, vă rog')
    await eventually(async () => (await backend.api<{ assigneeId: string | null, botHandover: { reason: string } | null }>(`/api/conversations/${conversationId}`)).botHandover?.reason === 'asked_for_human', { what: 'the hand-over on the server', timeout: 20_000 })
    await panel.click(sel.tab('unassigned'))
    await panel.waitFor(row, { text: CUSTOMER.name, timeout: 20_000 })
    expect(await panel.count(`${row} [data-testid="ai-bot"]`)).toBe(0)
    const notification = await eventually(async () => (await notificationIds(options)).find(n => !before.includes(n) && n.startsWith(`wa-inbox|handover|${conversationId}|`)), { what: 'a hand-over notification', timeout: 20_000 })
    expect(notification).toBeTruthy()

    await panel.click(row)
    await panel.waitFor(`[data-testid="handover-notice"][data-reason="asked_for_human"]`)
    expect(await panel.text('[data-testid="handover-notice"]')).toContain('asked for a person')
    await panel.waitFor(sel.outboundMessage, { text: 'Vă transfer către un coleg' })
    await panel.screenshot(`${name}-bots-handover`)
  })
})
