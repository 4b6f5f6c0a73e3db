import type { VueWrapper } from '@vue/test-utils'
import type { KbEntry } from '~/protocol/bots'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, session } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { authSessionStorage } from '~/utils/session'
import BotsKnowledge from '../BotsKnowledge.vue'
import { apiError, fakeApi, kbEntry } from './fixtures'

/** A knowledge base of `entries` on the fake server: searched by title, paged by index. */
function knowledgeServer(entries: KbEntry[], pageSize = 20) {
  let nextId = 100
  return fakeApi({
    'GET /api/bots/knowledge': ({ search }) => {
      const q = (search.get('q') ?? '').toLowerCase()
      const matching = entries.filter(e => e.title.toLowerCase().includes(q))
      const start = Number(search.get('cursor') ?? 0)
      const limit = Number(search.get('limit') ?? pageSize)
      const end = start + limit
      return {
        items: matching.slice(start, end),
        nextCursor: end < matching.length
          ? String(end)
          : null,
      }
    },
    'POST /api/bots/knowledge': ({ body }) => {
      const created = kbEntry(`k${nextId++}`, body as Partial<KbEntry>)
      entries.unshift(created)
      return new Response(JSON.stringify(created), {
        status: 201,
        headers: { 'Content-Type': 'application/json' },
      })
    },
    'PATCH /api/bots/knowledge/*': ({ path, body }) => {
      const entry = entries.find(e => path.endsWith(`/${e.id}`))
      if (!entry)
        return apiError(404, 'not_found')
      Object.assign(entry, body)
      return entry
    },
    'DELETE /api/bots/knowledge/*': ({ path }) => {
      const index = entries.findIndex(e => path.endsWith(`/${e.id}`))
      entries.splice(index, 1)
      return undefined
    },
  })
}

async function mountKb(): Promise<VueWrapper> {
  const wrapper = mount(BotsKnowledge, { attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('[data-testid="kb-loading"]').exists()).toBe(false)
  })
  return wrapper
}

function titles(wrapper: VueWrapper): string[] {
  return wrapper.findAll('[data-testid="kb-entry-title"]').map(el => el.text())
}

beforeEach(async () => {
  useEnglishMessages()
  await authSessionStorage.setValue(session({
    agent: {
      ...agent('a2', 'Admin'),
      role: 'admin',
    },
  }))
})

describe('botsKnowledge', () => {
  it('says when the knowledge base is empty', async () => {
    knowledgeServer([])
    const wrapper = await mountKb()
    expect(wrapper.get('[data-testid="kb-empty"]').text()).toContain('No entries yet.')
    wrapper.unmount()
  })

  it('lists entries page by page, searches, and counts what is shown', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => kbEntry(`e${i}`, {
      title: i === 3
        ? 'Delivery costs'
        : `Question ${i}`,
    }))
    entries[1] = kbEntry('doc', {
      kind: 'document',
      title: 'Returns policy',
      body: 'Long text',
      enabled: false,
    })
    const api = knowledgeServer(entries)
    const wrapper = await mountKb()
    expect(titles(wrapper)).toHaveLength(20)
    expect(wrapper.get('[data-testid="kb-count"]').text()).toBe('Entries shown: 20 (more to load)')
    const doc = wrapper.get('[data-entry-id="doc"]')
    expect(doc.get('[data-testid="kb-kind"]').text()).toBe('Document')
    expect(doc.text()).toContain('Not used')

    await wrapper.get('[data-testid="kb-more"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(titles(wrapper)).toHaveLength(25)
    })
    expect(api.calls.at(-1)!.search.get('cursor')).toBe('20')
    expect(wrapper.find('[data-testid="kb-more"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="kb-count"]').text()).toBe('Entries shown: 25')

    await wrapper.get('[data-testid="kb-search"]').setValue('delivery')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(titles(wrapper)).toEqual(['Delivery costs'])
    })
    expect(api.calls.at(-1)!.search.get('q')).toBe('delivery')

    await wrapper.get('[data-testid="kb-search"]').setValue('nothing like this')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('[data-testid="kb-empty"]').text()).toBe('No entries match “nothing like this”.')
    })
    wrapper.unmount()
  })

  it('adds a question with its answer', async () => {
    const api = knowledgeServer([
      kbEntry('e1'),
    ])
    const wrapper = await mountKb()
    await wrapper.get('[data-testid="kb-add-qa"]').trigger('click')
    const form = wrapper.get('[data-testid="kb-form"]')
    expect(document.activeElement).toBe(form.get('[data-testid="kb-title"]').element)
    // Nothing is sent without a question and an answer.
    await form.trigger('submit')
    expect(form.get('[data-testid="kb-form-error"]').text()).toBe('Fill this in.')
    expect(api.of('POST', '/api/bots/knowledge')).toHaveLength(0)

    await form.get('[data-testid="kb-title"]').setValue('How much is delivery?')
    await form.get('[data-testid="kb-body"]').setValue('Delivery costs 15 lei, free from 200 lei.')
    await form.get('[data-testid="kb-language"]').setValue('en')
    await form.trigger('submit')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="kb-form"]').exists()).toBe(false)
    })
    expect(api.of('POST', '/api/bots/knowledge')[0]!.body).toEqual({
      kind: 'qa',
      title: 'How much is delivery?',
      body: 'Delivery costs 15 lei, free from 200 lei.',
      language: 'en',
      enabled: true,
    })
    expect(titles(wrapper)).toEqual(['How much is delivery?', 'Question e1'])
    wrapper.unmount()
  })

  it('shows the server\'s refusal of a new document in the form', async () => {
    fakeApi({
      'GET /api/bots/knowledge': () => ({ items: [], nextCursor: null }),
      'POST /api/bots/knowledge': () => apiError(400, 'invalid_request', { field: 'body' }),
    })
    const wrapper = await mountKb()
    await wrapper.get('[data-testid="kb-add-document"]').trigger('click')
    const form = wrapper.get('[data-testid="kb-form"]')
    await form.get('[data-testid="kb-title"]').setValue('Terms')
    await form.get('[data-testid="kb-body"]').setValue('x')
    await form.trigger('submit')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(form.find('[data-testid="kb-form-error"]').exists()).toBe(true)
    })
    expect(form.get('[data-testid="kb-form-error"]').text()).toBe('The server refused this entry. Check the question and the answer, or the title and the text.')
    expect(form.get('[data-testid="kb-body"]').attributes('aria-invalid')).toBe('true')
    wrapper.unmount()
  })

  it('edits an entry in place, sending only what changed, and turns one off', async () => {
    const api = knowledgeServer([
      kbEntry('e1', { title: 'Opening hours', body: '9–17' }),
    ])
    const wrapper = await mountKb()
    await wrapper.get('[data-testid="kb-edit"]').trigger('click')
    const form = wrapper.get('[data-testid="kb-form"]')
    expect((form.get('[data-testid="kb-title"]').element as HTMLInputElement).value).toBe('Opening hours')
    await form.get('[data-testid="kb-body"]').setValue('Monday to Friday, 9–17')
    await form.trigger('submit')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="kb-form"]').exists()).toBe(false)
    })
    const [patch] = api.of('PATCH', '/api/bots/knowledge/e1')
    expect(patch!.body).toEqual({ body: 'Monday to Friday, 9–17' })
    expect(wrapper.get('[data-testid="kb-entry-body"]').text()).toBe('Monday to Friday, 9–17')
    expect(document.activeElement).toBe(wrapper.get('[data-testid="kb-edit"]').element)

    await wrapper.get('[data-testid="kb-entry-enabled"]').setValue(false)
    await vi.waitFor(async () => {
      await flushPromises()
      expect(api.of('PATCH', '/api/bots/knowledge/e1')).toHaveLength(2)
    })
    expect(api.of('PATCH', '/api/bots/knowledge/e1')[1]!.body).toEqual({ enabled: false })
    await vi.waitFor(() => expect(wrapper.get('[data-testid="kb-entry"]').text()).toContain('Not used'))
    wrapper.unmount()
  })

  it('deletes an entry after a confirmation', async () => {
    const api = knowledgeServer([
      kbEntry('e1'),
      kbEntry('e2'),
    ])
    const wrapper = await mountKb()
    const first = wrapper.get('[data-entry-id="e1"]')
    await first.get('[data-testid="kb-delete"]').trigger('click')
    expect(document.activeElement).toBe(first.get('[data-testid="kb-delete-confirm"]').element)
    await first.get('[data-testid="kb-delete-cancel"]').trigger('click')
    expect(api.of('DELETE', '/api/bots/knowledge/e1')).toHaveLength(0)

    await first.get('[data-testid="kb-delete"]').trigger('click')
    await first.get('[data-testid="kb-delete-confirm"]').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(titles(wrapper)).toEqual(['Question e2'])
    })
    expect(api.of('DELETE', '/api/bots/knowledge/e1')).toHaveLength(1)
    await vi.waitFor(() => expect(document.activeElement).toBe(wrapper.get('[data-entry-id="e2"] [data-testid="kb-edit"]').element))
    wrapper.unmount()
  })

  it('says why the list did not load, and tries again', async () => {
    let fail = true
    fakeApi({
      'GET /api/bots/knowledge': () => fail
        ? Promise.reject(new TypeError('Failed to fetch'))
        : {
            items: [
              kbEntry('e1'),
            ],
            nextCursor: null,
          },
    })
    const wrapper = await mountKb()
    expect(wrapper.get('[data-testid="kb-error"]').text()).toContain('The server cannot be reached.')
    fail = false
    await wrapper.get('[data-testid="kb-error"] button').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(titles(wrapper)).toEqual(['Question e1'])
    })
    wrapper.unmount()
  })
})
