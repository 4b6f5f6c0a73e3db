import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import ServerStatus from '../ServerStatus.vue'

describe('serverStatus', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    // fakeBrowser has no i18n messages: answer with the message name and its substitutions.
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => {
      const values = [substitutions ?? []].flat()
      return [name, ...values].join(' ')
    })
  })

  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('shows "Checking…", then the database engine', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ status: 'ok', db: 'sqlite' })))
    const wrapper = mount(ServerStatus)
    expect(wrapper.text()).toContain('common_serverStatus_checking')

    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.text()).toContain('common_serverStatus_connected sqlite')
    })
    expect(wrapper.find('button').exists()).toBe(false)
    wrapper.unmount()
  })

  it('offers a retry when the server is unreachable', async () => {
    const fetchMock = vi.fn(async (): Promise<Response> => {
      throw new TypeError('Failed to fetch')
    })
    vi.stubGlobal('fetch', fetchMock)
    const wrapper = mount(ServerStatus)
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.text()).toContain('common_serverStatus_unreachable')
    })

    fetchMock.mockImplementation(async () => Response.json({ status: 'ok', db: 'postgres' }))
    await wrapper.get('button').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.text()).toContain('common_serverStatus_connected postgres')
    })
    wrapper.unmount()
  })
})
