import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { agent, session } from '~/components/chat/__tests__/fixtures'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { db } from '~/utils/db'
import { authSessionStorage } from '~/utils/session'
import SettingsWorkspace from '../SettingsWorkspace.vue'

beforeEach(async () => {
  useEnglishMessages()
  await db.workspaces.put({
    id: 'w1',
    name: 'Shop',
    settings: { defaultCountry: 'RO' },
  })
})

describe('settingsWorkspace', () => {
  it('shows nothing to an agent, and appears when an admin signs in on the same page', async () => {
    await authSessionStorage.setValue(session({
      agent: agent('a1', 'Ana Pop'),
    }))
    const wrapper = mount(SettingsWorkspace, { attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-testid="settings-workspace"]').exists()).toBe(false)

    await authSessionStorage.setValue(session({
      agent: {
        ...agent('a2', 'Admin'),
        role: 'admin',
      },
    }))
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="settings-workspace"]').exists()).toBe(true)
    })
    expect((wrapper.get('[data-testid="default-country"]').element as HTMLSelectElement).value).toBe('RO')
    wrapper.unmount()
  })

  it('saves the default country through the API and stores what the server answered', async () => {
    await authSessionStorage.setValue(session({
      agent: {
        ...agent('a2', 'Admin'),
        role: 'admin',
      },
    }))
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => new Response(JSON.stringify({ id: 'w1', name: 'Shop', settings: JSON.parse(String(init?.body)).settings }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    }))
    vi.stubGlobal('fetch', fetch)
    const wrapper = mount(SettingsWorkspace, { attachTo: document.body })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="default-country"]').exists()).toBe(true)
    })
    await wrapper.get('[data-testid="default-country"]').setValue('GB')
    await wrapper.get('form').trigger('submit')
    await vi.waitFor(async () => {
      await flushPromises()
      expect((await db.workspaces.get('w1'))!.settings.defaultCountry).toBe('GB')
    })
    const [url, init] = fetch.mock.calls[0]!
    expect(String(url)).toMatch(/\/api\/workspace$/)
    expect(init).toMatchObject({ method: 'PATCH' })
    expect(JSON.parse(String(init!.body))).toEqual({
      settings: { defaultCountry: 'GB' },
    })
    wrapper.unmount()
  })
})
