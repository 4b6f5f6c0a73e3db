import { browser } from 'wxt/browser'

/** The message a page sends the background after queuing an action: push it now, then pull. */
export interface SyncRequest {
  type: 'wa-inbox:sync'
}

export function isSyncRequest(message: unknown): message is SyncRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'wa-inbox:sync'
}

/**
 * Asks the background to push the outbox now. Never fails: when the background cannot be reached
 * the row stays queued and the engine pushes it on its next start or retry.
 */
export function requestSync(): void {
  try {
    void browser.runtime.sendMessage({ type: 'wa-inbox:sync' } satisfies SyncRequest).catch(() => {})
  }
  catch {}
}
