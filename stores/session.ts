import type { ApiErrorCode } from '~/utils/api/client'
import type { Session } from '~/utils/session'
import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, shallowRef } from 'vue'
import { isApiError } from '~/utils/api/client'
import { authSessionStorage, signIn, signOut } from '~/utils/session'
import { serverUrlStorage } from '~/utils/storage'

/** Why the last sign-in failed: the server's code (never its message) and, for `invalid_request`, the field. */
export interface SignInFailure {
  code: ApiErrorCode | 'unknown'
  field?: string
}

/**
 * The agent's session as every page sees it: the stored session (kept current when the background
 * marks it expired, or another page signs in or out), who the agent is, and the sign-in / sign-out
 * actions of the options page with their busy flags. Sign-in goes to the saved server URL.
 */
export const useSessionStore = defineStore('session', () => {
  const session = shallowRef<Session | null>(null)
  const loaded = ref(false)
  const signingIn = ref(false)
  const signingOut = ref(false)
  const failure = shallowRef<SignInFailure | null>(null)

  function follow(value: Session | null): void {
    session.value = value
    loaded.value = true
  }
  // A change the watcher saw first wins over the first read resolving after it.
  const ready = authSessionStorage.getValue().then((value) => {
    if (!loaded.value)
      follow(value)
  })
  onScopeDispose(authSessionStorage.watch(follow))

  /** the signed-in agent; null when signed out or when the server refused the token */
  const agent = computed(() => session.value && !session.value.expired
    ? session.value.agent
    : null)

  /** Resolves to true when signed in; a failure is kept in `failure` for the form to show. */
  async function submit(email: string, password: string): Promise<boolean> {
    if (signingIn.value)
      return false
    signingIn.value = true
    failure.value = null
    try {
      const serverUrl = await serverUrlStorage.getValue()
      follow(await signIn(serverUrl, email.trim(), password))
      return true
    }
    catch (error) {
      if (!isApiError(error))
        console.error('[wa-inbox] sign-in failed', error)
      failure.value = isApiError(error)
        ? { code: error.code, field: error.field }
        : { code: 'unknown' }
      return false
    }
    finally {
      signingIn.value = false
    }
  }

  async function leave(): Promise<void> {
    signingOut.value = true
    try {
      await signOut()
      follow(null)
    }
    finally {
      signingOut.value = false
    }
  }

  return {
    session: computed(() => session.value),
    loaded: computed(() => loaded.value),
    /** resolves once the stored session has been read */
    ready,
    agent,
    agentId: computed(() => agent.value?.id ?? null),
    isAdmin: computed(() => agent.value?.role === 'admin'),
    signingIn: computed(() => signingIn.value),
    signingOut: computed(() => signingOut.value),
    failure: computed(() => failure.value),
    submit,
    signOut: leave,
    clearFailure: () => {
      failure.value = null
    },
  }
})
