import type { ApiErrorCode } from '~/utils/api/client'
import type { Session } from '~/utils/session'
import { computed, onScopeDispose, readonly, ref, shallowRef } from 'vue'
import { isApiError } from '~/utils/api/client'
import { authSessionStorage, signIn, signOut } from '~/utils/session'
import { serverUrlStorage } from '~/utils/storage'

/** Why the last sign-in failed: the server's code (never its message) and, for `invalid_request`, the field. */
export interface SignInFailure {
  code: ApiErrorCode | 'unknown'
  field?: string
}

/**
 * The agent's session as the options page sees it: the stored session (kept current when the
 * background marks it expired or another page signs out), and sign-in / sign-out actions with
 * their busy flags. Sign-in goes to the saved server URL.
 */
export function useSession() {
  const session = shallowRef<Session | null>(null)
  const loaded = ref(false)
  const signingIn = ref(false)
  const signingOut = ref(false)
  const failure = shallowRef<SignInFailure | null>(null)

  async function load(): Promise<void> {
    session.value = await authSessionStorage.getValue()
    loaded.value = true
  }

  onScopeDispose(authSessionStorage.watch((value) => {
    session.value = value
    loaded.value = true
  }))

  /** Resolves to true when signed in; a failure is kept in `failure` for the form to show. */
  async function submit(email: string, password: string): Promise<boolean> {
    if (signingIn.value)
      return false
    signingIn.value = true
    failure.value = null
    try {
      const serverUrl = await serverUrlStorage.getValue()
      session.value = await signIn(serverUrl, email.trim(), password)
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
      session.value = null
    }
    finally {
      signingOut.value = false
    }
  }

  function clearFailure(): void {
    failure.value = null
  }

  return {
    session: computed(() => session.value),
    loaded: readonly(loaded),
    signingIn: readonly(signingIn),
    signingOut: readonly(signingOut),
    failure: computed(() => failure.value),
    load,
    submit,
    signOut: leave,
    clearFailure,
  }
}
