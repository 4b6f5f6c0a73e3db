import { describe, expect, it } from 'vitest'
import { BROWSERS, sel, signIn, waitForSyncUpToDate } from './harness.ts'
import { useExtension } from './vitest.ts'

describe.each(BROWSERS)('inbox in %s', (name) => {
  const e2e = useExtension(name)

  it('signs in, syncs, and lists a new customer\'s chat under Unassigned', async () => {
    const options = await e2e.openPage('options.html')
    await signIn(options, e2e.backend)
    expect(await options.text('[data-testid="agent-name"]')).toBe(e2e.backend.admin.name)
    expect(await waitForSyncUpToDate(options)).toMatch(/^Up to date/)

    const customer = { waId: '40722555101', name: 'Ioana Dumitrescu' }
    const { conversationId } = await e2e.backend.customerWrites(customer, 'Bună ziua! Aveți mărimea 38? 👟')

    const panel = await e2e.openPage('sidepanel.html')
    await panel.click(sel.tab('unassigned'))
    const row = sel.rowById(conversationId)
    await panel.waitFor(row, { text: customer.name })
    expect(await panel.text(`${row} ${sel.rowName}`)).toBe(customer.name)
    expect(await panel.text(`${row} ${sel.rowPreview}`)).toContain('Aveți mărimea 38?')
    expect(await panel.text(sel.tabCount('unassigned'))).toBe('1')
    expect(await panel.evaluate(s => document.querySelector(s)?.getAttribute('aria-selected'), sel.tab('unassigned'))).toBe('true')
  })
})
