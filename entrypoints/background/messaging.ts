/**
 * Every `runtime.onMessage` handler of the background, in one place. Pages queue actions in the
 * outbox and ask for a push (`isSyncRequest`); the message also wakes a stopped service worker /
 * event page, which then starts the engine from the stored session.
 */
import { browser } from 'wxt/browser'
import { isSyncRequest } from '~/utils/sync/request'

export interface MessageHandlers {
  /** push, then pull */
  kick: () => void
}

export function registerMessageHandlers(handlers: MessageHandlers): void {
  // No answer to any message: the listener returns undefined, so senders get none (a promise
  // here would be the answer, with webextension-polyfill in Chrome as natively in Firefox).
  browser.runtime.onMessage.addListener((message: unknown) => {
    if (isSyncRequest(message))
      handlers.kick()
    return undefined
  })
}
