import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import ServerStatus from '../ServerStatus.vue'

describe('serverStatus', () => {
  it('shows "Checking…", then the database engine', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ status: 'ok', db: 'sqlite' })))
    const wrapper = mount(ServerStatus)
    expect(wrapper.text()).toContain('server_status_checking')

    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.text()).toContain('server_status_connected sqlite')
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
      expect(wrapper.text()).toContain('server_status_unreachable')
    })

    fetchMock.mockImplementation(async () => Response.json({ status: 'ok', db: 'postgres' }))
    await wrapper.get('button').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.text()).toContain('server_status_connected postgres')
    })
    wrapper.unmount()
  })
})
