import type { VueWrapper } from '@vue/test-utils'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { contact, conversation, NOW, session } from '~/components/chat/__tests__/fixtures'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import Composer from '../Composer.vue'
import { useEnglishMessages } from './helpers'

const ana = contact('c1', { name: 'Ana Pop', language: 'ro' })

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

async function mountComposer(): Promise<VueWrapper> {
  await db.contacts.put(ana)
  await db.conversations.put(conversation('k1', ana, { windowExpiresAt: NOW + 3_600_000 }))
  const wrapper = mount(Composer, {
    props: { conversationId: 'k1', replyToId: null },
    attachTo: document.body,
  })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="composer"][data-ready]').exists()).toBe(true)
  })
  return wrapper
}

function input(wrapper: VueWrapper): HTMLTextAreaElement {
  return wrapper.get<HTMLTextAreaElement>('[data-testid="composer-input"]').element
}

async function suggest(wrapper: VueWrapper): Promise<void> {
  await wrapper.get('[data-testid="suggest-button"]').trigger('click')
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.get('[data-testid="suggest-button"]').attributes('disabled')).toBeUndefined()
  })
}

describe('composer: suggest a reply', () => {
  beforeEach(async () => {
    fakeBrowser.reset()
    useEnglishMessages()
    vi.useFakeTimers({
      now: NOW,
      toFake: ['Date'],
    })
    await Promise.all(db.tables.map(table => table.clear()))
    await authSessionStorage.setValue(session())
  })

  afterEach(() => {
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  it('puts the suggestion in the draft, never sends it, and says where it came from', async () => {
    let release!: (response: Response) => void
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockReturnValue(new Promise<Response>((resolve) => {
      release = resolve
    }))
    const wrapper = await mountComposer()
    const button = wrapper.get('[data-testid="suggest-button"]')
    expect(button.element.tagName).toBe('BUTTON')
    expect(button.attributes('aria-label')).toBe('Suggest a reply')
    expect(button.attributes('title')).toBe('Suggest a reply')

    await button.trigger('click')
    await flushPromises()
    // Asking: the button is busy and cannot be pressed twice.
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.attributes('aria-busy')).toBe('true')
    expect(button.attributes('aria-label')).toBe('Finding a suggestion…')
    const [url, init] = fetchSpy.mock.calls[0]!
    expect(String(url)).toBe('https://inbox.example.com/api/conversations/k1/suggest-reply')
    expect(init).toMatchObject({ method: 'POST', body: undefined })

    release(answer(200, {
      text: 'Livrarea costă 15 lei.',
      source: 'knowledge',
      confidence: 0.8,
      entries: [
        { id: 'e1', title: 'Delivery costs' },
      ],
    }))
    await vi.waitFor(async () => {
      await flushPromises()
      expect(input(wrapper).value).toBe('Livrarea costă 15 lei.')
    })
    expect(wrapper.get('[data-testid="suggest-source"]').text()).toBe('Suggested from the knowledge base: Delivery costs')
    expect(document.activeElement).toBe(input(wrapper))
    expect(await db.outbox.count()).toBe(0)
    expect(fetchSpy).toHaveBeenCalledOnce()
    // The draft is kept like typed text.
    await vi.waitFor(async () => expect((await db.drafts.get('k1'))?.text).toBe('Livrarea costă 15 lei.'))
    wrapper.unmount()
  })

  it('inserts at the caret, after what the agent already typed', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(answer(200, {
      text: 'Comanda pleacă azi.',
      source: 'provider',
      confidence: 0.4,
      entries: [],
    }))
    const wrapper = await mountComposer()
    await wrapper.get('[data-testid="composer-input"]').setValue('Bună ziua! ')
    input(wrapper).setSelectionRange(11, 11)
    await suggest(wrapper)
    expect(input(wrapper).value).toBe('Bună ziua! Comanda pleacă azi.')
    expect(wrapper.get('[data-testid="suggest-source"]').text()).toBe('Suggested by the AI provider. Check it before sending.')
    // Emptying the draft forgets where the text came from.
    await wrapper.get('[data-testid="composer-input"]').setValue('')
    expect(wrapper.find('[data-testid="suggest-source"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it.each([
    [
      'no_suggestion',
      answer(422, {
        error: { code: 'no_suggestion', message: 'nothing fits' },
      }),
      'Nothing in the knowledge base fits this conversation, so there is no suggestion. Write the reply yourself.',
    ],
    [
      'provider_failed (timeout)',
      answer(502, {
        error: {
          code: 'provider_failed',
          message: 'x',
          details: { reason: 'provider_timeout' },
        },
      }),
      'The AI provider did not answer in time. Try again, or write the reply yourself.',
    ],
    [
      'provider_failed (refused)',
      answer(502, {
        error: {
          code: 'provider_failed',
          message: 'x',
          details: { reason: 'provider_refused' },
        },
      }),
      'The AI provider declined to answer this conversation. Write the reply yourself.',
    ],
    [
      'another error',
      answer(403, {
        error: { code: 'forbidden', message: 'x' },
      }),
      'No suggestion this time (forbidden). Try again in a moment.',
    ],
  ])('says why there is no suggestion: %s', async (_, response, text) => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(response)
    const wrapper = await mountComposer()
    await wrapper.get('[data-testid="composer-input"]').setValue('my draft')
    await suggest(wrapper)
    expect(wrapper.get('[data-testid="composer-error"]').text()).toBe(text)
    expect(wrapper.get('[data-testid="composer-error"]').attributes('role')).toBe('alert')
    expect(input(wrapper).value).toBe('my draft')
    await wrapper.get('[data-testid="error-dismiss"]').trigger('click')
    expect(wrapper.find('[data-testid="composer-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says suggestions need the server when it cannot be reached', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
    const wrapper = await mountComposer()
    await suggest(wrapper)
    expect(wrapper.get('[data-testid="composer-error"]').text()).toBe('Suggestions need the server, which cannot be reached right now.')

    // Offline as far as the browser knows: nothing is asked.
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    fetchSpy.mockClear()
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    window.dispatchEvent(new Event('offline'))
    await flushPromises()
    await suggest(wrapper)
    expect(fetchSpy).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="composer-error"]').text()).toBe('Suggestions need the server, which cannot be reached right now.')
    wrapper.unmount()
  })
})
