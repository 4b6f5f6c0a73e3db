import type { ContactPanel } from './contact-panel'
import type { ContactError } from '~/utils/contacts/errors'
import type { PastState } from '~/utils/contacts/past-conversations'
import type { Conversation } from '~/utils/db'
import { computed, ref, shallowRef, watch } from 'vue'
import { isApiError } from '~/utils/api/client'
import { fetchContactConversations, mergePastConversations } from '~/utils/contacts/past-conversations'

export interface PastConversationsOptions {
  loadConversations?: (contactId: string) => Promise<Conversation[]>
}

/** The contact's other conversations: the local ones at once, the server's when it answers. */
export function usePastConversations(panel: ContactPanel, options: PastConversationsOptions = {}) {
  const loadConversations = options.loadConversations ?? fetchContactConversations
  const remote = shallowRef<Conversation[]>([])
  const pastState = ref<PastState>('idle')
  const pastError = shallowRef<ContactError | null>(null)
  let pastRequest = 0

  function failed(err: unknown): void {
    if (isApiError(err, 'offline')) {
      pastState.value = 'localOnly'
      return
    }
    if (!isApiError(err))
      console.error('[wa-inbox] past conversations failed', err)
    pastError.value = isApiError(err)
      ? { code: err.code }
      : { code: 'unknown' }
    pastState.value = 'error'
  }

  async function loadPast(): Promise<void> {
    const id = panel.contactId.value
    const request = ++pastRequest
    remote.value = []
    pastError.value = null
    if (!id) {
      pastState.value = 'idle'
      return
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      pastState.value = 'localOnly'
      return
    }
    pastState.value = 'loading'
    try {
      const items = await loadConversations(id)
      if (request !== pastRequest)
        return
      remote.value = items.filter(item => item.contactId === id)
      pastState.value = 'loaded'
    }
    catch (err) {
      if (request === pastRequest)
        failed(err)
    }
  }
  watch(panel.contactId, () => void loadPast(), { immediate: true })

  const pastConversations = computed(() => panel.conversation.value
    ? mergePastConversations(panel.localConversations.value, remote.value, panel.conversation.value.id)
    : [])

  return {
    pastConversations,
    pastState: computed(() => pastState.value),
    pastError: computed(() => pastError.value),
    reloadPast: loadPast,
  }
}
