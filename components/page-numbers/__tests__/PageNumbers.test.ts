import type { PageScan } from '~/utils/phones/page-scan'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, contact, conversation, label, NOW, session } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { db } from '~/utils/db'
import { PageScanError } from '~/utils/phones/page-scan'
import { scanPhoneNumbers } from '~/utils/phones/scan'
import { authSessionStorage } from '~/utils/session'
import PageNumbers from '../PageNumbers.vue'

const ion = contact('c1', {
  name: 'Ion Pop',
  phone: '+40722123456',
  waId: '40722123456',
  labelIds: ['l1'],
})
const maria = contact('c2', { name: 'Maria', waId: '40733123456' })
const PAGE = 'Ion 0722 123 456, Maria +40 733 123 456, new 0744 555 666'

function scanOf(text: string) {
  return async (): Promise<PageScan> => ({
    tabId: 1,
    url: 'https://shop.example/orders',
    title: 'Orders',
    phones: scanPhoneNumbers(text, 'RO'),
    truncated: false,
    scanMs: 1,
  })
}

let fetchMock: ReturnType<typeof vi.fn>

beforeEach(async () => {
  useEnglishMessages()
  await db.agents.bulkPut([
    agent('a1', 'Ana Pop'),
    agent('a2', 'Bogdan Rus'),
  ])
  await db.labels.bulkPut([
    label('l1', 'VIP', 'amber'),
    label('l2', 'Lead', 'blue'),
  ])
  await db.contacts.bulkPut([ion, maria])
  await db.conversations.bulkPut([
    conversation('k1', ion, { assigneeId: 'a2', windowExpiresAt: NOW + 3600_000 }),
    conversation('k2', maria, { windowExpiresAt: NOW - 1 }),
  ])
  await authSessionStorage.setValue(session())
  fetchMock = vi.fn()
  vi.stubGlobal('fetch', fetchMock)
})
async function mountWith(scan: () => Promise<PageScan>, openChat = vi.fn()) {
  const wrapper = mount(PageNumbers, {
    props: {
      options: {
        scan,
        openChat,
        now: () => NOW,
      },
    },
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="page-numbers-loading"]').exists()).toBe(false)
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.findAll('[data-testid="page-number"]').length).toBeGreaterThan(0)
  })
  return wrapper
}

const row = (wrapper: Awaited<ReturnType<typeof mountWith>>, number: string) => wrapper.find(`[data-number="${number}"]`)

describe('pageNumbers', () => {
  it('shows each number with its contact, owner, labels and 24-hour window', async () => {
    const wrapper = await mountWith(scanOf(PAGE))
    expect(wrapper.findAll('[data-testid="page-number"]').map(r => r.attributes('data-number'))).toEqual(['+40722123456', '+40733123456', '+40744555666'])
    const ionRow = row(wrapper, '+40722123456')
    expect(ionRow.find('[data-testid="page-number-name"]').text()).toBe('Ion Pop')
    expect(ionRow.find('[data-testid="page-number-owner"]').text()).toBe('Assigned to Bogdan Rus')
    expect(ionRow.find('[data-testid="page-number-window"]').attributes('data-open')).toBe('true')
    expect(ionRow.findAll('[data-testid="page-number-label"]').map(l => l.text())).toEqual([
      expect.stringContaining('VIP'),
    ])
    const mariaRow = row(wrapper, '+40733123456')
    expect(mariaRow.find('[data-testid="page-number-owner"]').text()).toBe('Unassigned')
    expect(mariaRow.find('[data-testid="page-number-window"]').attributes('data-open')).toBe('false')
    expect(row(wrapper, '+40744555666').find('[data-testid="page-number-unknown"]').text()).toBe('Not a contact yet')
  })

  it('adds and removes a label, assigns to me, and opens the chat', async () => {
    const openChat = vi.fn()
    const wrapper = await mountWith(scanOf(PAGE), openChat)
    const mariaRow = () => row(wrapper, '+40733123456')
    await mariaRow().find('[data-testid="page-number-add-label"]').setValue('l2')
    await vi.waitFor(async () => expect((await db.contacts.get('c2'))?.labelIds).toEqual(['l2']))
    await mariaRow().find('[data-testid="page-number-assign"]').trigger('click')
    await vi.waitFor(async () => expect((await db.conversations.get('k2'))?.assigneeId).toBe('a1'))
    await flushPromises()
    await vi.waitFor(() => expect(mariaRow().find('[data-testid="page-number-owner"]').text()).toBe('Assigned to you'))
    await row(wrapper, '+40722123456').find('[data-testid="page-number-remove-label"]').trigger('click')
    await vi.waitFor(async () => expect((await db.contacts.get('c1'))?.labelIds).toEqual([]))
    await mariaRow().find('[data-testid="page-number-open"]').trigger('click')
    await vi.waitFor(() => expect(openChat).toHaveBeenCalledWith('k2'))
    expect((await db.outbox.toArray()).map(r => r.type)).toEqual(['contact.addLabel', 'conversation.assign', 'contact.removeLabel'])
  })

  it('lists the first 100 of many numbers, with how many more and a button for the next ones', async () => {
    const text = Array.from({ length: 250 }, (_, i) => `07${String(45_000_000 + i).padStart(8, '0')}`).join('\n')
    const wrapper = await mountWith(scanOf(text))
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="page-numbers-count"]').text()).toBe('Phone numbers found: 250')
    })
    expect(wrapper.findAll('[data-testid="page-number"]')).toHaveLength(100)
    const more = wrapper.find('[data-testid="page-numbers-more"]')
    expect(more.attributes('data-hidden')).toBe('150')
    expect(more.find('[data-testid="page-numbers-show-more"]').text()).toBe('… +150')
    await more.find('[data-testid="page-numbers-show-more"]').trigger('click')
    expect(wrapper.findAll('[data-testid="page-number"]')).toHaveLength(200)
    await wrapper.find('[data-testid="page-numbers-show-more"]').trigger('click')
    expect(wrapper.findAll('[data-testid="page-number"]')).toHaveLength(250)
    expect(wrapper.find('[data-testid="page-numbers-more"]').exists()).toBe(false)
    // Scanning again starts from the first 100.
    await wrapper.find('[data-testid="page-numbers-scan"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="page-number"]')).toHaveLength(100)
    })
  })

  it('makes a number a contact through POST /api/contacts and shows it', async () => {
    const created = contact('c9', { phone: '+40744555666', waId: '40744555666' })
    fetchMock.mockResolvedValue(new Response(JSON.stringify({
      contact: created,
      conversation: conversation('k9', created),
    }), {
      status: 201,
      headers: { 'Content-Type': 'application/json' },
    }))
    const wrapper = await mountWith(scanOf(PAGE))
    await row(wrapper, '+40744555666').find('[data-testid="page-number-create"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(row(wrapper, '+40744555666').attributes('data-contact-id')).toBe('c9')
    })
    expect(row(wrapper, '+40744555666').find('[data-testid="page-number-owner"]').text()).toBe('Unassigned')
    expect(fetchMock).toHaveBeenCalledWith('https://inbox.example.com/api/contacts', expect.objectContaining({ method: 'POST' }))
  })

  it.each([
    ['restricted', 'This is a browser or store page; extensions cannot read it.'],
    ['failed', 'This page could not be read. Click on the page, then open this again.'],
  ] as const)('says why a page cannot be scanned (%s)', async (code, text) => {
    const wrapper = mount(PageNumbers, {
      props: {
        options: {
          scan: async () => {
            throw new PageScanError(code, 'nope')
          },
        },
      },
    })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="page-numbers-error"]').text()).toBe(text)
    })
  })

  it('says when there is no number, and scans again on request', async () => {
    const scan = vi.fn(scanOf('nothing here, order #0722123456'))
    const wrapper = mount(PageNumbers, {
      props: {
        options: { scan },
      },
    })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="page-numbers-empty"]').exists()).toBe(true)
    })
    await wrapper.find('[data-testid="page-numbers-scan"]').trigger('click')
    expect(scan).toHaveBeenCalledTimes(2)
  })
})
