import { storage } from 'wxt/utils/storage'

/**
 * "Open this chat": written by the popup, a notification or a keyboard command right after they
 * opened the side panel (which only a user gesture may do); the panel (InboxShell) opens the
 * conversation and removes the request. `windowId`: only the panel of that window takes it.
 */
export interface OpenConversationRequest {
  conversationId: string
  at: number
  windowId?: number
}

/** How long a request stays good: a panel opened later must not jump to an old chat. */
export const OPEN_REQUEST_TTL_MS = 30_000

export const openConversationRequestStorage = storage.defineItem<OpenConversationRequest | null>('local:openConversationRequest', {
  fallback: null,
})

export function requestOpenConversation(conversationId: string, windowId?: number, now = Date.now()): Promise<void> {
  return openConversationRequestStorage.setValue(windowId === undefined
    ? { conversationId, at: now }
    : { conversationId, at: now, windowId })
}

/** Is this request for a panel in `windowId` (unknown: any), and still fresh? */
export function requestIsFor(request: OpenConversationRequest | null, windowId: number | undefined, now = Date.now()): request is OpenConversationRequest {
  return !!request
    && now - request.at < OPEN_REQUEST_TTL_MS
    && (request.windowId === undefined || windowId === undefined || request.windowId === windowId)
}
