/**
 * The team inbox end to end, in both browsers, against the real server and the WhatsApp
 * simulator: a customer writes, an agent opens, assigns, answers (ticks up to read), labels and
 * notes the contact, closes the chat; a second agent in another browser sees an assignment live;
 * a chat whose 24-hour window has closed only takes a template; and actions taken while the
 * server is down wait in the outbox and land exactly once when it is back.
 *
 * The steps share one backend, one browser and one side panel per browser, in order.
 */
import type { ExtensionBrowser, ExtPage } from './harness.ts'
import { describe, expect, it } from 'vitest'
import { BROWSERS, eventually, launchBrowser, sel, signIn, t, waitForSyncUpToDate } from './harness.ts'
import { useExtension } from './vitest.ts'

interface ApiConversation { id: string, status: string, assigneeId: string | null, unreadCount: number, contactId: string, windowExpiresAt: number | null }
interface ApiMessage { id: string, direction: 'in' | 'out', type: string, status: string, clientId: string | null, wamid: string | null, content: Record<string, any> }
interface ApiContact { id: string, name: string | null, labelIds: string[] }
interface ApiLabel { id: string, name: string }
interface ApiNote { id: string, body: string, authorId: string }
interface Sent { wamid?: string, httpStatus: number, body: any, recipient?: string }

/** Chats written by these customers; one backend per browser, so the same numbers in both. */
const CUSTOMERS = {
  first: { waId: '40722600001', name: 'Ioana Dumitrescu' },
  live: { waId: '40722600002', name: 'Mihai Ionescu' },
  expired: { waId: '40722600003', name: 'Sarah O\'Neill' },
  offline: { waId: '40722600004', name: 'James Carter' },
}

describe.each(BROWSERS)('team flow in %s', (name) => {
  const e2e = useExtension(name)
  let panel: ExtPage
  let me: { id: string, name: string }
  let first: { conversationId: string, contactId: string }
  /** the chats the agent assigned to themself with the conversation open (steps 6 and 8) */
  const selfAssigned: string[] = []

  // -- helpers ---------------------------------------------------------------------------------

  const api = <T = any>(path: string, init?: Parameters<typeof e2e.backend.api>[1]) => e2e.backend.api<T>(path, init)
  const conversation = (id: string) => api<ApiConversation>(`/api/conversations/${id}`)
  const messages = async (id: string) => (await api<{ items: ApiMessage[] }>(`/api/conversations/${id}/messages?limit=100`)).items
  /** every /messages request the simulator received (sends and mark-as-read), accepted or not */
  const outbound = () => e2e.backend.sim.outbound as Sent[]
  /** every /messages request the simulator received with this text, accepted or not */
  const textSends = (body: string) => outbound().filter(s => s.body?.type === 'text' && s.body?.text?.body === body)

  /** From the conversation (or contact) view back to the list. */
  async function backToList(): Promise<void> {
    if (await panel.count(sel.contactPanel))
      await panel.click(sel.contactClose)
    if (await panel.count(sel.conversation)) {
      await panel.click(sel.back)
      await panel.waitForGone(sel.conversation)
    }
    await panel.waitFor(sel.tab('all'))
  }

  async function openConversation(id: string, tab: 'all' | 'mine' | 'unassigned' = 'all'): Promise<void> {
    await backToList()
    await panel.click(sel.tab(tab))
    await panel.click(sel.rowById(id))
    await panel.waitFor(sel.conversationById(id))
  }

  /**
   * After a pick the label input keeps the focus and its suggestions stay open below it, over
   * the Update button (a click there picks another label instead): Escape closes them, as a
   * keyboard user would.
   */
  async function closeLabelSuggestions(): Promise<void> {
    await panel.press('Escape')
    await panel.waitForFunction(s => getComputedStyle(document.querySelector(s)!).display === 'none', '[data-testid="label-options"]', { what: 'the label suggestions to close' })
  }

  async function waitForTicks(messageSelector: string, state: string, timeout = 10_000): Promise<void> {
    await panel.waitFor(`${messageSelector} ${sel.ticks}[data-state="${state}"]`, { timeout })
  }

  // -- the scenario ----------------------------------------------------------------------------

  it('1. a customer writes: the chat is under Unassigned with the unread badge', async () => {
    const backend = e2e.backend
    me = await api('/api/auth/me')
    // The template picker (step 7) lists the templates the server synced from WhatsApp.
    expect((await api<{ synced: number }>('/api/templates/sync', { method: 'POST' })).synced).toBeGreaterThan(0)

    const options = await e2e.openPage('options.html')
    await signIn(options, backend)
    await waitForSyncUpToDate(options)
    panel = await e2e.openPage('sidepanel.html')
    await panel.click(sel.tab('unassigned'))

    const { conversationId } = await backend.customerWrites(CUSTOMERS.first, 'Bună ziua! Aveți mărimea 38? 👟')
    first = { conversationId, contactId: (await conversation(conversationId)).contactId }
    const row = sel.rowById(conversationId)
    await panel.waitFor(row, { text: CUSTOMERS.first.name })
    await panel.waitFor(`${row} ${sel.rowUnread}`)
    expect(await panel.text(`${row} ${sel.rowUnread}`)).toBe('1')
    expect(await panel.text(`${row} ${sel.rowPreview}`)).toContain('Aveți mărimea 38?')
  })

  it('2. opening marks it read; "Assign to me" assigns it, on the server too', async () => {
    const { conversationId } = first
    const row = sel.rowById(conversationId)
    await panel.click(row)
    await panel.waitFor(sel.conversationById(conversationId))
    await panel.waitFor(sel.message, { text: 'Aveți mărimea 38?' })
    expect(await panel.evaluate(s => document.querySelector(s)?.getAttribute('data-direction'), sel.message)).toBe('in')
    // The list stays mounted behind the conversation: its badge goes as the chat is read.
    await panel.waitForGone(`${row} ${sel.rowUnread}`)
    await eventually(async () => (await conversation(conversationId)).unreadCount === 0, { what: 'the server to count the chat read' })

    expect(await panel.text(sel.conversationAssignee)).toContain(t('conversation.unassigned'))
    await panel.click(sel.assignToMe)
    await panel.waitFor(sel.conversationAssignee, {
      text: t('conversation.assignedToYou'),
    })
    await panel.waitForGone(sel.assignToMe)
    await eventually(async () => (await conversation(conversationId)).assigneeId === me.id, { what: 'the server to assign the chat to the agent' })
  })

  it('3. a reply goes out once; its ticks reach read when the customer reads it', async () => {
    const { conversationId } = first
    const body = `Da, o avem în stoc (${name}) ✅`
    await panel.click(sel.composerInput)
    await panel.type(body)
    await panel.press('Enter')

    const bubble = `${sel.outboundMessage}:has([data-testid="text"])`
    await panel.waitFor(sel.outboundMessage, { text: body })
    await panel.waitForFunction(s => (document.querySelector(s) as HTMLTextAreaElement | null)?.value === '', sel.composerInput, { what: 'the composer to empty' })

    // The simulator accepted exactly one send with that text; then its customer reads it.
    const sent = await eventually(() => textSends(body).find(s => s.wamid), { what: 'the simulator to receive the reply' })
    expect(sent.recipient).toBe(CUSTOMERS.first.waId)
    await waitForTicks(bubble, 'delivered')
    e2e.backend.sim.markRead(sent.wamid!)
    await e2e.backend.sim.flush()
    await waitForTicks(bubble, 'read')
    expect(await panel.count(`${sel.outboundMessage} ${sel.ticks}`)).toBe(1)

    const out = (await messages(conversationId)).filter(m => m.direction === 'out')
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({
      type: 'text',
      status: 'read',
      wamid: sent.wamid,
      content: { body },
    })
    await e2e.backend.sim.idle()
    expect(textSends(body)).toHaveLength(1)
    await panel.screenshot(`team-flow-${name}-3-reply-read`)
  })

  it('4. the contact panel adds a label and a note, on the server too', async () => {
    const { contactId } = first
    await panel.click(sel.contactToggle)
    await panel.waitFor(sel.contactPanel)
    await panel.waitForGone(sel.conversation)

    const labelName = 'Wholesale'
    await panel.fill(sel.labelInput, labelName)
    await panel.click(sel.labelOptionCreate, { text: labelName })
    await panel.waitFor(sel.labelChip, { text: labelName })
    // The suggestions stay open under the focused input (over the button): close them first.
    await closeLabelSuggestions()
    await panel.click(sel.labelsApply)

    const noteBody = `Wants size 38 in black; call back after 17:00 (${name}).`
    await panel.fill(sel.noteInput, noteBody)
    await panel.click(sel.noteSubmit)
    await panel.waitFor(sel.note, { text: noteBody })
    // Saved: neither the chip nor the note waits for the server any more.
    await panel.waitForGone(`${sel.labelChip}[data-pending]`)
    expect(await panel.texts(`${sel.labelChip} [data-testid="label-chip-name"]`)).toEqual([labelName])

    const label = await eventually(async () => (await api<{ items: ApiLabel[] }>('/api/labels')).items.find(l => l.name === labelName), { what: `the label ${labelName} on the server` })
    await eventually(async () => (await api<ApiContact>(`/api/contacts/${contactId}`)).labelIds.includes(label.id), { what: 'the contact to carry the label' })
    const notes = await eventually(async () => {
      const items = (await api<{ items: ApiNote[] }>(`/api/contacts/${contactId}/notes`)).items
      return items.length > 0 && items
    }, { what: 'the note on the server' })
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ body: noteBody, authorId: me.id })
    await panel.screenshot(`team-flow-${name}-4-contact-panel`)

    await panel.click(sel.contactClose)
    await panel.waitForGone(sel.contactPanel)
    await panel.waitFor(sel.conversationById(first.conversationId))
  })

  it('5. closing the chat: closed on the server, gone from Open, listed under Closed', async () => {
    const { conversationId } = first
    // Open, and assigned to the agent: listed under Mine.
    await openConversation(conversationId, 'mine')
    await panel.click(sel.closeConversation)
    await panel.waitFor('[data-testid="conversation-status"]', {
      text: t('conversation.status.closed'),
    })
    await eventually(async () => (await conversation(conversationId)).status === 'closed', { what: 'the server to close the chat' })

    await backToList()
    await panel.click(sel.tab('all'))
    expect(await panel.evaluate(s => (document.querySelector(s) as HTMLSelectElement | null)?.value, sel.statusFilter)).toBe('open')
    await panel.waitForGone(sel.rowById(conversationId))
    await panel.select(sel.statusFilter, 'closed')
    await panel.waitFor(sel.rowById(conversationId), { text: CUSTOMERS.first.name })
    await panel.select(sel.statusFilter, 'open')
    await panel.waitForGone(sel.rowById(conversationId))
  })

  it('6. a second agent in another browser sees the assignment live', async () => {
    const colleague = e2e.backend.agents[0]!
    let other: ExtensionBrowser | undefined
    try {
      other = await launchBrowser(name)
      const options = await other.openPage('options.html')
      await signIn(options, e2e.backend, colleague)
      await waitForSyncUpToDate(options)
      const theirPanel = await other.openPage('sidepanel.html')
      await theirPanel.click(sel.tab('unassigned'))

      // A new chat reaches both inboxes live.
      const { conversationId } = await e2e.backend.customerWrites(CUSTOMERS.live, 'Hello, is my order on its way?')
      const row = sel.rowById(conversationId)
      await theirPanel.waitFor(row, { text: CUSTOMERS.live.name })
      expect(await theirPanel.count(`${row} ${sel.rowAssignee}`)).toBe(0)

      await openConversation(conversationId, 'unassigned')
      await panel.click(sel.assignToMe)
      await panel.waitFor(sel.conversationAssignee, {
        text: t('conversation.assignedToYou'),
      })
      selfAssigned.push(conversationId)

      // Without a reload: the row leaves their Unassigned tab and shows the assignee under All.
      await theirPanel.waitForGone(row, { timeout: 10_000 })
      await theirPanel.click(sel.tab('all'))
      await theirPanel.waitFor(`${row} ${sel.rowAssignee}`, {
        text: t('chat.list.assignedTo', me.name),
      })
      await theirPanel.screenshot(`team-flow-${name}-6-second-agent-live`)
      expect((await conversation(conversationId)).assigneeId).toBe(me.id)
    }
    finally {
      await other?.close()
    }
  })

  it('7. outside the 24-hour window only a template can be sent, and it goes out once', async () => {
    const sim = e2e.backend.sim
    const dayAndAnHourAgo = Math.floor(Date.now() / 1000) - 25 * 60 * 60
    const { conversationId } = await e2e.backend.customerWrites(CUSTOMERS.expired, 'Did you get my payment?', { timestamp: dayAndAnHourAgo })
    expect((await conversation(conversationId)).windowExpiresAt).toBeLessThan(Date.now())

    await backToList()
    await panel.click(sel.tab('unassigned'))
    await panel.waitFor(sel.rowById(conversationId), { text: CUSTOMERS.expired.name })
    await panel.click(sel.rowById(conversationId))
    await panel.waitFor(sel.conversationById(conversationId))
    await panel.waitFor(sel.message, { text: 'Did you get my payment?' })
    await panel.waitFor(sel.windowClosed)
    await panel.waitFor(sel.templatePicker)
    expect(await panel.count(sel.composerInput)).toBe(0)

    await panel.click(sel.templateOption('payment_received'))
    await panel.waitFor(sel.templateField)
    // Every field of the template (payment_received: the amount and the order number).
    const keys = await panel.evaluate(s => [
      ...document.querySelectorAll(s),
    ].map(input => (input as HTMLElement).dataset.key!), sel.templateField)
    expect(keys).toHaveLength(2)
    const values = ['149,90 RON', '#4821']
    expect(await panel.evaluate(s => (document.querySelector(s) as HTMLButtonElement | null)?.disabled, sel.templateSend)).toBe(true)
    for (const [i, key] of keys.entries())
      await panel.fill(`${sel.templateField}[data-key="${key}"]`, values[i]!)
    await panel.waitFor('[data-testid="template-preview-body"]', { text: values[1] })
    await panel.waitForFunction(s => (document.querySelector(s) as HTMLButtonElement | null)?.disabled === false, sel.templateSend, { what: 'the template to be ready to send' })
    await panel.click(sel.templateSend)

    await panel.waitFor(`${sel.outboundMessage}[data-type="template"]`)
    const sends = await eventually(() => {
      const found = outbound().filter(s => s.body?.type === 'template')
      return found.length > 0 && found
    }, { what: 'the simulator to receive the template' })
    await sim.idle()
    const templateSends = outbound().filter(s => s.body?.type === 'template')
    expect(templateSends).toHaveLength(1)
    expect(sends[0]!.httpStatus).toBe(200)
    expect(sends[0]!.recipient).toBe(CUSTOMERS.expired.waId)
    expect(sends[0]!.body.template.name).toBe('payment_received')
    const params = (sends[0]!.body.template.components as Array<{ type: string, parameters: Array<{ text: string }> }>)
      .find(c => c.type === 'body')!
      .parameters
      .map(p => p.text)
    expect(params).toEqual(values)
    await eventually(async () => (await messages(conversationId)).filter(m => m.direction === 'out' && m.type === 'template').length === 1, { what: 'the template on the server' })
    // No free-form text was sent to that customer.
    expect(outbound().filter(s => s.recipient === CUSTOMERS.expired.waId && s.body?.type !== 'template' && s.body?.status !== 'read')).toHaveLength(0)
  })

  it('8. while the server is down, actions wait in the outbox and land exactly once after it is back', async () => {
    const backend = e2e.backend
    const sim = backend.sim
    const { conversationId } = await backend.customerWrites(CUSTOMERS.offline, 'Can I change the delivery address?')
    const { contactId } = await conversation(conversationId)
    await openConversation(conversationId, 'unassigned')
    await panel.waitFor(sel.message, { text: 'Can I change the delivery address?' })
    // Opening marked it read: let that reach the server first, so the outbox is empty.
    await eventually(async () => (await conversation(conversationId)).unreadCount === 0, { what: 'the server to count the chat read' })
    const labels = (await api<{ items: ApiLabel[] }>('/api/labels')).items
    const vip = labels.find(l => l.name === 'VIP')!
    expect(vip).toBeDefined()

    await backend.stopServer()
    let stopped = true
    try {
      // Assign
      await panel.click(sel.assignToMe)
      await panel.waitFor(sel.conversationAssignee, {
        text: t('conversation.assignedToYou'),
      })
      selfAssigned.push(conversationId)
      // Send a text
      const body = `Sure, send us the new address (${name}).`
      await panel.click(sel.composerInput)
      await panel.type(body)
      await panel.press('Enter')
      await panel.waitFor(sel.outboundMessage, { text: body })
      const bubble = `${sel.outboundMessage}:has([data-testid="text"])`
      await waitForTicks(bubble, 'queued')
      // Label (an existing one) and note
      await panel.click(sel.contactToggle)
      await panel.waitFor(sel.contactPanel)
      await panel.fill(sel.labelInput, 'VI')
      await panel.click(sel.labelOption, { text: 'VIP' })
      await panel.waitFor(sel.labelChip, { text: 'VIP' })
      await closeLabelSuggestions()
      await panel.click(sel.labelsApply)
      await panel.waitFor(`${sel.labelChip}[data-pending]`, { text: 'VIP' })
      const noteBody = `New address comes by phone (${name}).`
      await panel.fill(sel.noteInput, noteBody)
      await panel.click(sel.noteSubmit)
      await panel.waitFor(sel.note, { text: noteBody })

      // The inbox header counts what waits; the list already shows the assignment.
      await backToList()
      await panel.click(sel.tab('mine'))
      await panel.waitFor(`${sel.rowById(conversationId)} ${sel.rowAssignee}`, {
        text: t('chat.list.assignedTo', me.name),
      })
      await panel.waitFor(sel.outboxIndicator, {
        text: t('inbox.outbox.waiting.n', '4'),
      })
      expect(await panel.evaluate(s => document.querySelector(s)?.getAttribute('data-waiting'), sel.outboxIndicator)).toBe('4')
      expect(await panel.evaluate(s => document.querySelector(s)?.getAttribute('data-failed'), sel.outboxIndicator)).toBe('0')
      await panel.screenshot(`team-flow-${name}-8-offline-outbox`)
      expect(textSends(body)).toHaveLength(0)

      const restarted = Date.now()
      await backend.startServer()
      stopped = false
      // The live socket reconnects with backoff (1 s doubling, jittered) and pushes the outbox.
      await panel.waitForGone(sel.outboxIndicator, { timeout: 30_000 })
      console.info(`[e2e] ${name}: outbox empty ${Date.now() - restarted} ms after the server restarted`)

      // Every action landed exactly once.
      expect((await conversation(conversationId)).assigneeId).toBe(me.id)
      const events = (await api<{ items: Array<{ kind: string, to: string | null }> }>(`/api/conversations/${conversationId}/events`)).items
      expect(events.filter(e => e.kind === 'assigned')).toEqual([
        expect.objectContaining({ to: me.id }),
      ])
      const out = (await messages(conversationId)).filter(m => m.direction === 'out')
      expect(out).toHaveLength(1)
      expect(out[0]!.content.body).toBe(body)
      await eventually(() => textSends(body).some(s => s.wamid), { what: 'the simulator to receive the text' })
      expect((await api<ApiContact>(`/api/contacts/${contactId}`)).labelIds.filter(id => id === vip.id)).toHaveLength(1)
      const notes = (await api<{ items: ApiNote[] }>(`/api/contacts/${contactId}/notes`)).items
      expect(notes.filter(n => n.body === noteBody)).toHaveLength(1)
      expect(notes).toHaveLength(1)

      // The local copy became the server's message, and it is delivered.
      await openConversation(conversationId, 'mine')
      await waitForTicks(bubble, 'delivered')
      expect(await panel.count(sel.outboundMessage)).toBe(1)
      await sim.idle()
      expect(textSends(body)).toHaveLength(1)
    }
    finally {
      if (stopped)
        await backend.startServer()
    }
  }, 60_000)

  it('9. a chat the agent assigned to themself while reading it is not "New for you"', async () => {
    // "New for you" marks chats assigned to the agent and not opened since (README "The
    // extension"); these were open on the agent's screen when they took them.
    await backToList()
    await panel.click(sel.tab('mine'))
    for (const id of selfAssigned)
      await panel.waitFor(sel.rowById(id))
    const marked = await panel.evaluate(ids => ids.filter(id => document.querySelector(`[data-testid="list"] [role="option"][data-id="${id}"] [data-testid="newly-assigned"]`)), selfAssigned)
    expect(marked, 'chats marked "New for you" although the agent assigned them to themself with the chat open').toEqual([])
  })
})
