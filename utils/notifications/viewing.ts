/**
 * What the agent is looking at (pages → background): nothing is notified about the conversation
 * shown in a visible extension page. Pages report it (`trackViewing`, session storage with a
 * heartbeat); the background reads it (`viewedConversations`).
 */
import { browser } from 'wxt/browser'

const VIEWING_PREFIX = 'viewing:'
/** a page rewrites its entry this often while visible; older entries are stale (a crashed page) */
export const VIEWING_HEARTBEAT_MS = 20_000
export const VIEWING_STALE_MS = 3 * VIEWING_HEARTBEAT_MS

export interface Viewing {
  conversationId: string | null
  visible: boolean
  at: number
}

/**
 * Reports the conversation a page shows, and whether the page is visible, for the background to
 * leave it alone. Call `set` whenever the open conversation changes; `stop` on unmount.
 */
export function trackViewing(initial: string | null = null): { set: (conversationId: string | null) => void, stop: () => void } {
  const key = `${VIEWING_PREFIX}${crypto.randomUUID()}`
  let conversationId = initial
  const area = browser.storage.session
  const write = () => {
    const value: Viewing = {
      conversationId,
      visible: document.visibilityState === 'visible',
      at: Date.now(),
    }
    area?.set({ [key]: value }).catch(() => {})
  }
  const remove = () => {
    area?.remove(key).catch(() => {})
  }
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible')
      write()
  }, VIEWING_HEARTBEAT_MS)
  document.addEventListener('visibilitychange', write)
  window.addEventListener('pagehide', remove)
  write()
  return {
    set(id) {
      conversationId = id
      write()
    },
    stop() {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', write)
      window.removeEventListener('pagehide', remove)
      remove()
    },
  }
}

/** The conversations shown in a visible extension page right now. */
export async function viewedConversations(now = Date.now()): Promise<Set<string>> {
  const all = await browser.storage.session?.get(null).catch(() => ({})) ?? {}
  const viewed = new Set<string>()
  for (const [key, value] of Object.entries(all)) {
    const entry = value as Viewing | undefined
    if (key.startsWith(VIEWING_PREFIX) && entry?.visible && entry.conversationId && now - entry.at < VIEWING_STALE_MS)
      viewed.add(entry.conversationId)
  }
  return viewed
}
