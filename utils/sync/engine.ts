import type { ApiClient } from '../api/client'
import type { AppDB, Message, OutboxEntry, StoredConversation, SyncStatus, SyncTableName } from '../db'
/**
 * The background's sync engine (ARCHITECTURE.md section 3): pulls `GET /api/sync` into Dexie,
 * pushes the outbox through `POST /api/mutations`, and keeps `/api/live` open to pull as soon as
 * something changes. Plain TypeScript; everything it talks to is passed in, so tests can hand it
 * a real server, a fresh database and their own clock.
 */
import type { LiveServerMessage, MutationBatchResult, MutationType, SyncResponse } from '~/protocol/sync'
import { LIVE_CLOSE_UNAUTHORIZED, LIVE_HEARTBEAT_MS } from '~/protocol/sync'
import { LIMITS } from '~/protocol/team'
import { isApiError } from '../api/client'
import { queuedOutbox } from '../db/outbox'
import { applySyncPage, replaceLocalMessages, withListAt } from './apply'

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

/** Error codes after which resending the same mutation can succeed. */
const TRANSIENT_CODES = new Set([
  'offline',
  'mutation_in_progress',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  'unexpected_response',
])

/** Which table a mutation's `result` entity belongs in. */
function resultTable(type: MutationType): SyncTableName | null {
  if (type.startsWith('conversation.'))
    return 'conversations'
  if (type === 'message.send')
    return 'messages'
  if (type.startsWith('contact.'))
    return 'contacts'
  if (type.startsWith('label.'))
    return 'labels'
  if (type === 'note.create' || type === 'note.update')
    return 'notes'
  if (type === 'notification.read')
    return 'notifications'
  if (type === 'agent.setAvailability')
    return 'agents'
  return null
}

/** `ws(s)://…/api/live` for a server base URL. */
export function liveUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/api/live`
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { db, api } = options
  const timers: Timers = {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: handle => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
    now: () => Date.now(),
    random: () => Math.random(),
    ...options.timers,
  }
  const pullLimit = options.pullLimit ?? 1000
  const baseBackoffMs = options.baseBackoffMs ?? 1000
  const maxBackoffMs = options.maxBackoffMs ?? 30_000

  let status: SyncStatus = {
    state: 'idle',
    lastSyncedAt: null,
    error: null,
    snapshot: null,
    live: 'closed',
  }
  const listeners = new Set<(status: SyncStatus) => void>()
  let stopped = true

  function setStatus(patch: Partial<SyncStatus>): void {
    status = {
      ...status,
      ...patch,
    }
    for (const listener of listeners)
      listener(status)
    // Pages observe the status through Dexie, like everything else.
    db.meta.put({ key: 'syncStatus', value: status }).catch(() => {})
  }

  function failed(error: unknown): void {
    if (isApiError(error, 'offline')) {
      setStatus({
        state: 'offline',
        error: { code: 'offline', message: error.message },
        snapshot: null,
      })
    }
    else if (isApiError(error, 'unauthorized')) {
      setStatus({
        state: 'unauthorized',
        error: { code: 'unauthorized', message: error.message },
        snapshot: null,
      })
    }
    else {
      setStatus({
        state: 'error',
        error: {
          code: isApiError(error)
            ? error.code
            : 'internal_error',
          message: error instanceof Error
            ? error.message
            : String(error),
        },
        snapshot: null,
      })
    }
  }

  function backoff(attempt: number): number {
    const delay = Math.min(maxBackoffMs, baseBackoffMs * 2 ** attempt)
    return delay / 2 + timers.random() * delay / 2 // jitter: half to full delay
  }

  // ---- pull -------------------------------------------------------------------------------

  async function observe(page: SyncResponse): Promise<(() => unknown) | void> {
    try {
      return await options.observePage?.(page)
    }
    catch (error) {
      console.error('[wa-inbox] sync page observer failed', error)
    }
  }

  async function pullOnce(): Promise<void> {
    setStatus({ state: 'syncing' })
    let restarted = false
    let applied = 0
    try {
      for (;;) {
        const cursor = (await db.meta.get('syncCursor'))?.value as string | undefined
        let page: SyncResponse
        try {
          page = await api.get<SyncResponse>(`/api/sync?limit=${pullLimit}${cursor === undefined
            ? ''
            : `&since=${encodeURIComponent(cursor)}`}`)
        }
        catch (error) {
          // The server no longer serves changes from there (pruned, or another database): start
          // over with a snapshot, once. A cursor it never issued counts the same.
          const unusable = isApiError(error, 'cursor_expired') || (isApiError(error, 'invalid_request') && error.field === 'since')
          if (unusable && cursor !== undefined && !restarted) {
            restarted = true
            await db.meta.delete('syncCursor')
            continue
          }
          throw error
        }
        applied = page.reset ? 0 : applied
        const observed = await observe(page)
        applied += await applySyncPage(db, page)
        if (observed)
          await Promise.resolve().then(observed).catch(error => console.error('[wa-inbox] sync page observer failed', error))
        setStatus({
          snapshot: page.snapshot && page.hasMore
            ? { applied }
            : null,
        })
        if (!page.hasMore)
          break
      }
      setStatus({
        state: 'idle',
        lastSyncedAt: timers.now(),
        error: null,
        snapshot: null,
      })
    }
    catch (error) {
      failed(error)
      throw error
    }
  }

  let pulling: Promise<void> | null = null
  let nextPull: Promise<void> | null = null

  function pull(): Promise<void> {
    if (!pulling) {
      pulling = pullOnce().finally(() => {
        pulling = null
      })
      return pulling
    }
    nextPull ??= pulling.catch(() => {}).then(() => {
      nextPull = null
      return pull()
    })
    return nextPull
  }

  // ---- push -------------------------------------------------------------------------------

  let pushing: Promise<number> | null = null
  let pushAttempt = 0
  let pushTimer: unknown = null

  function schedulePushRetry(): void {
    if (stopped || pushTimer !== null)
      return
    pushTimer = timers.setTimeout(() => {
      pushTimer = null
      push().catch(() => {})
    }, backoff(pushAttempt++))
  }

  async function pushOnce(): Promise<number> {
    // Rows left `sending` by an interrupted push go again: the server answers a known id with
    // its first result, without applying it twice.
    await db.outbox.where('state').equals('sending').modify({ state: 'queued' })
    let settled = 0
    for (;;) {
      const rows = await queuedOutbox(db, LIMITS.mutations)
      if (rows.length === 0)
        break
      const seqs = rows.map(row => row.seq)
      await db.outbox.where('seq').anyOf(seqs).modify({ state: 'sending' })
      let answer: MutationBatchResult
      try {
        answer = await api.post<MutationBatchResult>('/api/mutations', {
          mutations: rows.map(row => ({ id: row.id, type: row.type, args: row.args })),
        })
      }
      catch (error) {
        await db.outbox.where('seq').anyOf(seqs).modify({ state: 'queued' })
        throw error
      }
      const byId = new Map(answer.results.map(result => [result.id, result]))
      let transient = false
      await db.transaction('rw', [
        db.outbox,
        db.conversations,
        db.messages,
        db.contacts,
        db.labels,
        db.notes,
        db.notifications,
        db.agents,
      ], async () => {
        for (const row of rows as OutboxEntry[]) {
          const result = byId.get(row.id)
          if (!result || (!result.ok && TRANSIENT_CODES.has(result.error.code))) {
            transient = true
            await db.outbox.update(row.seq, { state: 'queued' })
            continue
          }
          settled++
          if (result.ok) {
            await db.outbox.delete(row.seq)
            const table = resultTable(row.type)
            const entity = result.result as { id?: unknown } | undefined
            if (table && entity && typeof entity === 'object' && typeof entity.id === 'string') {
              await db.table(table).put(table === 'conversations'
                ? withListAt(entity as StoredConversation)
                : entity)
              if (table === 'messages')
                await replaceLocalMessages(db, [entity as Message])
            }
            else if (row.type === 'note.delete') {
              await db.notes.delete((row.args as { noteId: string }).noteId)
            }
          }
          else {
            const { code, message, field } = result.error
            await db.outbox.update(row.seq, {
              state: 'failed',
              error: field === undefined
                ? { code, message }
                : { code, message, field },
            })
          }
        }
      })
      if (transient)
        throw new Error('the server could not apply every mutation yet')
    }
    return settled
  }

  function push(): Promise<number> {
    pushing ??= pushOnce().then((settled) => {
      pushAttempt = 0
      return settled
    }, (error: unknown) => {
      if (isApiError(error, 'unauthorized'))
        failed(error)
      else if (isApiError(error, 'offline'))
        failed(error)
      if (!isApiError(error, 'unauthorized'))
        schedulePushRetry()
      throw error
    }).finally(() => {
      pushing = null
    })
    return pushing
  }

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

  // ---- live -------------------------------------------------------------------------------

  let socket: LiveSocket | null = null
  let reconnectAttempt = 0
  let reconnectTimer: unknown = null
  let watchdog: unknown = null
  let heartbeatMs = LIVE_HEARTBEAT_MS

  function background(promise: Promise<unknown>): void {
    promise.catch(() => {}) // reflected in the status
  }

  function armWatchdog(): void {
    if (watchdog !== null)
      timers.clearTimeout(watchdog)
    // No ping for two heartbeats: the connection is dead even if nobody told us.
    watchdog = timers.setTimeout(() => {
      watchdog = null
      const dead = socket
      if (dead) {
        dropSocket(dead)
        try {
          dead.close(4000, 'heartbeat missed')
        }
        catch {}
        scheduleReconnect()
      }
    }, heartbeatMs * 2)
  }

  function dropSocket(which: LiveSocket): void {
    which.onopen = which.onmessage = which.onclose = which.onerror = null
    if (socket === which)
      socket = null
    if (watchdog !== null) {
      timers.clearTimeout(watchdog)
      watchdog = null
    }
    setStatus({ live: 'closed' })
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer !== null)
      return
    reconnectTimer = timers.setTimeout(() => {
      reconnectTimer = null
      connect()
    }, backoff(reconnectAttempt++))
  }

  function connect(): void {
    if (stopped || socket || !options.WebSocket)
      return
    let ws: LiveSocket
    try {
      ws = new options.WebSocket(liveUrl(api.serverUrl))
    }
    catch {
      scheduleReconnect()
      return
    }
    socket = ws
    setStatus({ live: 'connecting' })
    armWatchdog() // also bounds how long the handshake may take
    ws.onopen = () => {
      api.token().then((token) => {
        if (socket !== ws)
          return
        if (!token) {
          dropSocket(ws)
          ws.close()
          setStatus({
            state: 'unauthorized',
            error: { code: 'unauthorized', message: 'not signed in' },
          })
          return
        }
        ws.send(JSON.stringify({ type: 'auth', token }))
      }).catch(() => {})
    }
    ws.onmessage = (event) => {
      let message: LiveServerMessage
      try {
        message = JSON.parse(String(event.data)) as LiveServerMessage
      }
      catch {
        return
      }
      armWatchdog()
      if (message.type === 'hello') {
        reconnectAttempt = 0
        heartbeatMs = message.heartbeatMs > 0
          ? message.heartbeatMs
          : LIVE_HEARTBEAT_MS
        armWatchdog()
        setStatus({ live: 'open' })
        // Back online: send what was queued, then catch up.
        background(sync())
      }
      else if (message.type === 'changed') {
        background(pull())
      }
    }
    ws.onclose = (event) => {
      dropSocket(ws)
      if (event.code === LIVE_CLOSE_UNAUTHORIZED) {
        // The token is wrong or revoked: reconnecting cannot help until the user signs in again.
        setStatus({
          state: 'unauthorized',
          error: { code: 'session_expired', message: event.reason || 'the server refused the session' },
        })
        return
      }
      scheduleReconnect()
    }
    ws.onerror = () => {} // a close event follows
  }

  return {
    get status() {
      return status
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    pull,
    push,
    sync,
    start() {
      if (!stopped)
        return
      stopped = false
      if (options.WebSocket)
        connect()
      else
        background(sync())
    },
    stop() {
      stopped = true
      for (const handle of [reconnectTimer, pushTimer]) {
        if (handle !== null)
          timers.clearTimeout(handle)
      }
      reconnectTimer = pushTimer = null
      const ws = socket
      if (ws) {
        dropSocket(ws)
        try {
          ws.close(1000, 'stopped')
        }
        catch {}
      }
    },
  }
}
