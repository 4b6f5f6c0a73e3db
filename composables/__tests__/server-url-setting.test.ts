import { describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { DEFAULT_SERVER_URL } from '~/utils/server-url'
import { serverUrlStorage } from '~/utils/storage'
import { useServerUrlSetting } from '../server-url-setting'

function startInScope() {
  const scope = effectScope()
  const setting = scope.run(() => useServerUrlSetting())!
  return {
    ...setting,
    stop: () => scope.stop(),
  }
}

describe('useServerUrlSetting', () => {
  it('loads the default server URL on a fresh install', async () => {
    const { draft, load, stop } = startInScope()
    await load()
    expect(draft.value).toBe(DEFAULT_SERVER_URL)
    stop()
  })

  it('saves a normalised URL and says so', async () => {
    const { draft, saved, invalid, save, stop } = startInScope()
    draft.value = '  https://inbox.example.com/  '
    await save()

    expect(await serverUrlStorage.getValue()).toBe('https://inbox.example.com')
    expect(draft.value).toBe('https://inbox.example.com')
    expect({ saved: saved.value, invalid: invalid.value }).toEqual({ saved: true, invalid: false })
    stop()
  })

  it('refuses an address without http(s) and keeps the stored one', async () => {
    const { draft, saved, invalid, save, onInput, stop } = startInScope()
    draft.value = 'inbox.example.com'
    await save()

    expect(await serverUrlStorage.getValue()).toBe(DEFAULT_SERVER_URL)
    expect({ saved: saved.value, invalid: invalid.value }).toEqual({ saved: false, invalid: true })
    onInput()
    expect(invalid.value).toBe(false)
    stop()
  })
})
