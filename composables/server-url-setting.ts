import { onScopeDispose, ref } from 'vue'
import { normalizeServerUrl } from '~/utils/server-url'
import { serverUrlStorage } from '~/utils/storage'

/**
 * The server URL field of the options page: a draft bound to the input, validated and
 * normalised on save. `saved` is true from a successful save until the draft changes.
 */
export function useServerUrlSetting() {
  const draft = ref('')
  const invalid = ref(false)
  const saved = ref(false)

  async function load(): Promise<void> {
    draft.value = await serverUrlStorage.getValue()
  }

  async function save(): Promise<void> {
    const serverUrl = normalizeServerUrl(draft.value)
    invalid.value = serverUrl === null
    saved.value = false
    if (serverUrl === null)
      return
    await serverUrlStorage.setValue(serverUrl)
    draft.value = serverUrl
    saved.value = true
  }

  function onInput(): void {
    invalid.value = false
    saved.value = false
  }

  // Another options tab (or a future sync of settings) may change it while this page is open.
  onScopeDispose(serverUrlStorage.watch((value) => {
    draft.value = value
  }))

  return {
    draft,
    invalid,
    saved,
    load,
    save,
    onInput,
  }
}
