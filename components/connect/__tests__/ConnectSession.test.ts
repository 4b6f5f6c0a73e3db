import type { Session } from '~/utils/session'
import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '~/utils/api/client'
import { db } from '~/utils/db'
import { authSessionStorage, signIn, signOut } from '~/utils/session'
import { serverUrlStorage } from '~/utils/storage'
import ConnectSession from '../ConnectSession.vue'

// The session module talks to the server: replace its actions, keep its storage item.
vi.mock('~/utils/session', async importOriginal => ({
  ...await importOriginal<typeof import('~/utils/session')>(),
  signIn: vi.fn(),
  signOut: vi.fn(),
}))

const SERVER = 'https://inbox.example.com'

const session: Session = {
  serverUrl: SERVER,
  token: 'tok-1',
  signedInAt: 1,
  agent: {
    id: 'a1',
    workspaceId: 'w1',
    email: 'ana@example.com',
    name: 'Ana Pop',
    role: 'admin',
    availability: 'online',
    restricted: false,
    active: true,
    teamIds: [],
    createdAt: 1,
    updatedAt: 1,
  } as Session['agent'],
}

async function mountSession() {
  const wrapper = mount(ConnectSession, { attachTo: document.body })
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.find('form, [data-testid="agent-name"]').exists()).toBe(true)
  })
  return wrapper
}

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof mountSession>>) {
  await wrapper.get('#sign-in-email').setValue('ana@example.com')
  await wrapper.get('#sign-in-password').setValue('secret-pass')
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('connectSession', () => {
  beforeEach(async () => {
    await serverUrlStorage.setValue(SERVER)
  })

  it('renders an accessible sign-in form when signed out', async () => {
    const wrapper = await mountSession()
    expect(wrapper.get('label[for="sign-in-email"]').text()).toBe('connect_signIn_email')
    expect(wrapper.get('#sign-in-email').attributes('autocomplete')).toBe('username')
    expect(wrapper.get('#sign-in-password').attributes('autocomplete')).toBe('current-password')
    expect(wrapper.get('button[type="submit"]').text()).toBe('connect_signIn_submit')
    expect(wrapper.text()).toContain(`connect_signIn_target ${SERVER}`)
    expect(wrapper.find('[data-testid="expired-notice"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('signs in to the saved server, with the button busy meanwhile, then shows the agent', async () => {
    let finish!: () => void
    vi.mocked(signIn).mockImplementation(() => new Promise((resolve) => {
      finish = () => {
        authSessionStorage.setValue(session).then(() => resolve(session))
      }
    }))
    const wrapper = await mountSession()
    await fillAndSubmit(wrapper)

    expect(signIn).toHaveBeenCalledWith(SERVER, 'ana@example.com', 'secret-pass')
    const button = wrapper.get('button[type="submit"]')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.text()).toBe('connect_signIn_submitting')

    finish()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="agent-name"]').exists()).toBe(true)
    })
    expect(wrapper.get('[data-testid="agent-name"]').text()).toBe('Ana Pop')
    expect(wrapper.get('[data-testid="agent-email"]').text()).toBe('ana@example.com')
    expect(wrapper.get('[data-testid="agent-role"]').text()).toBe('connect_account_roles_admin')
    expect(wrapper.get('[data-testid="session-server"]').text()).toBe(SERVER)
    wrapper.unmount()
  })

  it.each([
    ['invalid_credentials', 'connect_errors_invalidCredentials'],
    ['rate_limited', 'connect_errors_rateLimited'],
    ['offline', 'connect_errors_offline'],
    ['internal_error', 'connect_errors_generic internal_error'],
    ['unexpected_response', 'connect_errors_generic unexpected_response'],
  ] as const)('translates %s, never the server\'s message', async (code, text) => {
    vi.mocked(signIn).mockRejectedValue(new ApiError(code, 'server says something in English', 400))
    const wrapper = await mountSession()
    await fillAndSubmit(wrapper)

    const alert = wrapper.get('[data-testid="sign-in-error"]')
    expect(alert.attributes('role')).toBe('alert')
    expect(alert.text()).toBe(text)
    expect(wrapper.text()).not.toContain('server says')
    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeUndefined()

    // typing again clears the message
    await wrapper.get('#sign-in-password').setValue('another')
    expect(wrapper.find('[data-testid="sign-in-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it.each([
    ['email', '#sign-in-email'],
    ['password', '#sign-in-password'],
  ])('shows invalid_request next to the %s field', async (field, selector) => {
    vi.mocked(signIn).mockRejectedValue(new ApiError('invalid_request', 'body/email must match format', 400, field))
    const wrapper = await mountSession()
    await fillAndSubmit(wrapper)

    const input = wrapper.get(selector)
    expect(input.attributes('aria-invalid')).toBe('true')
    const message = wrapper.get(`#${input.attributes('aria-describedby')}`)
    expect(message.text()).toBe(field === 'email'
      ? 'connect_errors_invalidEmail'
      : 'connect_errors_invalidPassword')
    expect(wrapper.find('[data-testid="sign-in-error"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows invalid_request without a known field as a form error', async () => {
    vi.mocked(signIn).mockRejectedValue(new ApiError('invalid_request', 'x', 400))
    const wrapper = await mountSession()
    await fillAndSubmit(wrapper)
    expect(wrapper.get('[data-testid="sign-in-error"]').text()).toBe('connect_errors_invalidRequest')
    wrapper.unmount()
  })

  it('shows the signed-in agent and its sync status, and signing out brings the form back', async () => {
    await authSessionStorage.setValue(session)
    await db.meta.put({
      key: 'syncStatus',
      value: {
        state: 'offline',
        lastSyncedAt: null,
        error: null,
        snapshot: null,
        live: 'closed',
      },
    })
    vi.mocked(signOut).mockImplementation(() => authSessionStorage.setValue(null))
    const wrapper = await mountSession()

    expect(wrapper.get('[data-testid="agent-name"]').text()).toBe('Ana Pop')
    await vi.waitFor(() => expect(wrapper.text()).toContain('connect_sync_offline'))

    await wrapper.get('button').trigger('click')
    expect(signOut).toHaveBeenCalledOnce()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('#sign-in-email').exists()).toBe(true)
    })
    expect(wrapper.find('[data-testid="agent-name"]').exists()).toBe(false)
    expect(await authSessionStorage.getValue()).toBeNull()
    wrapper.unmount()
  })

  it('explains an expired session and prefills the email', async () => {
    await authSessionStorage.setValue({ ...session, expired: true })
    const wrapper = await mountSession()

    expect(wrapper.get('[data-testid="expired-notice"]').text()).toBe('connect_expired')
    expect((wrapper.get('#sign-in-email').element as HTMLInputElement).value).toBe('ana@example.com')
    expect((wrapper.get('#sign-in-password').element as HTMLInputElement).value).toBe('')
    expect(wrapper.find('[data-testid="agent-name"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('turns to the notice when the background marks the session expired', async () => {
    await authSessionStorage.setValue(session)
    const wrapper = await mountSession()
    expect(wrapper.find('[data-testid="agent-name"]').exists()).toBe(true)

    await authSessionStorage.setValue({ ...session, expired: true })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="expired-notice"]').exists()).toBe(true)
    })
    expect((wrapper.get('#sign-in-email').element as HTMLInputElement).value).toBe('ana@example.com')
    wrapper.unmount()
  })
})
