import { enableAutoUnmount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, vi } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { db } from '~/utils/db'
/**
 * What every extension test starts from (vitest.config.ts, project `extension`): an in-memory
 * IndexedDB, a reset fake browser whose i18n answers the message key followed by its
 * substitutions (`contact_details_blocked`, `chat_list_count 5`) in English, a fresh Pinia, an
 * empty inbox database, and nothing left mounted from the test before. A test that needs real
 * English texts installs them itself (components/composer/__tests__/helpers.ts).
 */
import 'fake-indexeddb/auto'

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

enableAutoUnmount(afterEach)

afterEach(() => {
  vi.unstubAllGlobals()
  // a few files run in Node (`@vitest-environment node`: a real server, the locale files)
  if (typeof document !== 'undefined')
    document.body.innerHTML = ''
})
