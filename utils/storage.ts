import { storage } from 'wxt/utils/storage'
import { DEFAULT_SERVER_URL } from './server-url'

/** Base URL of the team's server, normalised by `normalizeServerUrl`; set on the options page. */
export const serverUrlStorage = storage.defineItem<string>('local:serverUrl', {
  fallback: DEFAULT_SERVER_URL,
})
