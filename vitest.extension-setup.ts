/**
 * What every extension test starts from (vitest.config.ts, project `extension`, after
 * fake-indexeddb/auto has installed an in-memory IndexedDB): a reset fake browser whose i18n
 * answers the message key followed by its substitutions (`contact_details_blocked`,
 * `chat_list_count 5`) in English, a fresh Pinia, an empty inbox database, and nothing left
 * mounted from the test before. A test that needs real English texts installs them itself
 * (components/composer/__tests__/helpers.ts).
 */
import { enableAutoUnmount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { db } from '~/utils/db'

beforeEach(async () => {
  fakeBrowser.reset()
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((name, substitutions) => [
    name,
    ...[substitutions ?? []].flat(),
  ].join(' '))
  vi.spyOn(fakeBrowser.i18n, 'getUILanguage').mockReturnValue('en')
  setActivePinia(createPinia())
  await Promise.all(db.tables.map(table => table.clear()))
})

// A mounted component follows Dexie live queries: left mounted, it would re-render during the next
// test's reset, when the browser fake has no messages (an unhandled "getMessage not implemented").
enableAutoUnmount(afterEach)

afterEach(() => {
  vi.unstubAllGlobals()
  if (typeof document !== 'undefined')
    document.body.innerHTML = ''
})
