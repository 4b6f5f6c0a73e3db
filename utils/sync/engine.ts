import type { ApiClient } from '../api/client'
import type { AppDB, SyncStatus } from '../db'
/**
 * The background's sync engine (docs/sync.md): pulls `GET /api/sync` into Dexie,
 * pushes the outbox through `POST /api/mutations`, and keeps `/api/live` open to pull as soon as
 * something changes. Plain TypeScript; everything it talks to is passed in, so tests can hand it
 * a real server, a fresh database and their own clock. The parts: ./status.ts, ./pull.ts,
 * ./push.ts, ./live.ts.
 */
import type { SyncResponse } from '~/protocol/sync'
import { isApiError } from '../api/client'
import { LiveConnection } from './live'
import { createPuller } from './pull'
import { createPusher } from './push'
import { createStatusStore } from './status'

export { liveUrl } from './url'

export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
  now: () => number
  random: () => number
}

/** The part of the WebSocket API the engine uses (the browser's, Node's, or a test double). */
export interface LiveSocket {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number, reason?: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  send: (data: string) => void
  close: (code?: number, reason?: string) => void
}
export type LiveSocketConstructor = new (url: string) => LiveSocket

export interface SyncEngineOptions {
  db: AppDB
  api: ApiClient
  /** omit to run without the live socket (pull and push on demand only) */
  WebSocket?: LiveSocketConstructor
  timers?: Partial<Timers>
  /** page size of `GET /api/sync` */
  pullLimit?: number
  /** first reconnect / retry delay, doubled per failure up to `maxBackoffMs` */
  baseBackoffMs?: number
  maxBackoffMs?: number
  /**
   * Called with each pulled page before it is applied; the function it answers (if any) runs
   * once the page is in Dexie (the background diffs the two for notifications). Its errors are
   * logged and never fail the pull.
   */
  observePage?: PageObserver
}

/** See `SyncEngineOptions.observePage`. */
export type PageObserver = (page: SyncResponse) => Promise<(() => unknown) | void> | (() => unknown) | void

export interface SyncEngine {
  readonly status: SyncStatus
  /** listens for status changes; answers the unsubscribe function */
  subscribe: (listener: (status: SyncStatus) => void) => () => void
  /**
   * Pulls until nothing is left. Coalesced: while a pull runs, callers share one more pull that
   * starts after it. Rejects with the `ApiError` that stopped it (the status says so too).
   */
  pull: () => Promise<void>
  /** Pushes the queued outbox rows in order. Answers how many rows were settled (sent or failed). */
  push: () => Promise<number>
  /** push, then pull */
  sync: () => Promise<void>
  /** opens the live socket (which pulls and pushes on `hello`) */
  start: () => void
  /** closes the live socket and cancels every timer */
  stop: () => void
}

function withDefaultTimers(timers: Partial<Timers> = {}): Timers {
  return {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: handle => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
    now: () => Date.now(),
    random: () => Math.random(),
    ...timers,
  }
}

/** The delay before retry `attempt` (0 first): doubled per failure up to `maxMs`, with jitter. */
function backoffWith(timers: Timers, baseMs: number, maxMs: number): (attempt: number) => number {
  return (attempt) => {
    const delay = Math.min(maxMs, baseMs * 2 ** attempt)
    return delay / 2 + timers.random() * delay / 2 // jitter: half to full delay
  }
}

/** One pending retry at a time, with backoff, until one goes through or the engine stops. */
function createRetry(timers: Timers, backoff: (attempt: number) => number, stopped: () => boolean) {
  let attempt = 0
  let timer: unknown = null
  return {
    schedule(retry: () => void): void {
      if (stopped() || timer !== null)
        return
      timer = timers.setTimeout(() => {
        timer = null
        retry()
      }, backoff(attempt++))
    },
    reset(): void {
      attempt = 0
    },
    cancel(): void {
      if (timer !== null)
        timers.clearTimeout(timer)
      timer = null
    },
  }
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const timers = withDefaultTimers(options.timers)
  const backoff = backoffWith(timers, options.baseBackoffMs ?? 1000, options.maxBackoffMs ?? 30_000)
  const status = createStatusStore(options.db)
  let stopped = true
  // A failed push is tried again with backoff, until one goes through or the engine stops.
  const pushRetry = createRetry(timers, backoff, () => stopped)
  const pull = createPuller({
    ...options,
    status,
    pullLimit: options.pullLimit ?? 1000,
    now: timers.now,
  })
  const push = createPusher({ ...options, status, retry: pushRetry })
  async function sync(): Promise<void> {
    try {
      await push()
    }
    catch (error) {
      if (isApiError(error, 'offline') || isApiError(error, 'unauthorized'))
        throw error
      // a mutation the server could not take yet does not keep us from pulling
    }
    await pull()
  }
  const background = (promise: Promise<unknown>) => void promise.catch(() => {}) // reflected in the status
  const live: LiveConnection | null = options.WebSocket
    ? new LiveConnection({
        api: options.api,
        WebSocket: options.WebSocket,
        timers,
        status,
        backoff,
        stopped: () => stopped,
        onHello: () => background(sync()),
        onChanged: () => background(pull()),
      })
    : null

  return {
    get status() {
      return status.current
    },
    subscribe: status.subscribe,
    pull,
    push,
    sync,
    start() {
      if (!stopped)
        return
      stopped = false
      if (live)
        live.connect()
      else
        background(sync())
    },
    stop() {
      stopped = true
      pushRetry.cancel()
      live?.close()
    },
  }
}
