import type { MessagePage } from '~/protocol/messages'
import type { Message } from '~/utils/db'
import { vi } from 'vitest'

export { agent, contact, conversation, NOW, session } from '../../../chat/__tests__/fixtures'

/** A stored message of conversation `k1`; inbound text unless patched. */
export function message(id: string, patch: Partial<Message> = {}): Message {
  return {
    id,
    conversationId: 'k1',
    wamid: `wamid.${id}`,
    clientId: null,
    direction: 'in',
    type: 'text',
    status: 'delivered',
    error: null,
    content: { body: `text ${id}` },
    context: null,
    referral: null,
    reaction: null,
    timestamp: 1,
    createdAt: 1,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    senderId: null,
    ...patch,
  }
}

export interface FakeServer {
  fetch: ReturnType<typeof vi.fn>
  /** the `before` cursors asked for, in order (null: the newest page) */
  requests: (string | null)[]
}

/**
 * `GET /api/conversations/:id/messages` over a list of messages, newest first, with the index of
 * the next item as cursor (the real server's cursor is opaque too). Media answers a small blob.
 */
export function fakeServer(history: Message[], options: { fail?: () => boolean } = {}): FakeServer {
  const sorted = [...history].sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id
    ? 1
    : -1))
  const requests: (string | null)[] = []
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' || input instanceof URL
      ? input
      : input.url)
    if (options.fail?.()) {
      return new Response(JSON.stringify({
        error: { code: 'internal_error', message: 'boom' },
      }), {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      })
    }
    const media = url.pathname.match(/^\/api\/messages\/([^/]+)\/media$/)
    if (media)
      return new Response(new Blob(['media'], { type: 'image/jpeg' }), { status: 200 })
    const match = url.pathname.match(/^\/api\/conversations\/([^/]+)\/messages$/)
    if (!match) {
      return new Response(JSON.stringify({
        error: { code: 'not_found', message: url.pathname },
      }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      })
    }
    const before = url.searchParams.get('before')
    requests.push(before)
    const limit = Number(url.searchParams.get('limit') ?? 50)
    const start = before
      ? Number(before)
      : 0
    const items = sorted.filter(item => item.conversationId === match[1]).slice(start, start + limit)
    const body: MessagePage = {
      items,
      nextCursor: start + limit < sorted.length
        ? String(start + limit)
        : null,
    }
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    })
  })
  return { fetch, requests }
}

/** `count` inbound text messages of `k1`, one a minute, ids `m0001`… oldest first. */
export function history(count: number, start: number): Message[] {
  return Array.from({ length: count }, (_, index) => message(`m${String(index + 1).padStart(4, '0')}`, {
    timestamp: start + index * 60_000,
    content: { body: `message ${index + 1}` },
  }))
}
