/**
 * End-to-end harness: the built extension in real browsers (Chromium through Playwright, Firefox
 * ESR through puppeteer-core over WebDriver BiDi) against a real server and the WhatsApp Cloud API
 * simulator, both started in this process on free ports with a fresh SQLite file.
 *
 *   const backend = await startBackend()              // server + simulator + demo team
 *   const browser = await launchBrowser('firefox')    // or 'chromium'
 *   const options = await browser.openPage('options.html')
 *   await signIn(options, backend)
 *   await backend.customerWrites({ waId: '40722000001', name: 'Ana' }, 'Bună ziua!')
 *   const panel = await browser.openPage('sidepanel.html')
 *   await panel.waitFor(sel.row, { text: 'Ana' })
 *
 * Everything here is browser-neutral: tests get an `ExtPage` whatever the engine. e2e/vitest.ts
 * wraps it in Vitest hooks (one backend and browser per file, screenshots of failures). The
 * benchmarks (bench/extension.ts) use the same build and Chromium launcher.
 *
 * This file is type-checked by both the extension's tsconfig (DOM) and server/tsconfig.json (no
 * DOM), so code that runs inside pages reaches the page through `page` (declared below) only.
 */
import type { FastifyInstance } from 'fastify'
import type { BrowserContext as PwContext, Page as PwPage } from 'playwright-core'
import type { Browser as PpBrowser, Page as PpPage } from 'puppeteer-core'
import type { CustomerRef, InboundMessageInput, RecordedSend, SimulatorConfig, WebhookDelivery } from '../simulator/src/types.ts'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import process from 'node:process'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import puppeteer from 'puppeteer-core'
import { parse as parseYaml } from 'yaml'
import { DEMO_AGENTS, seedDemoTeam } from '../scripts/demo-team.ts'

/** What in-page callbacks see (typed loosely: this file is also checked without the DOM lib). */

declare const document: any, chrome: any, browser: any

export const ROOT = path.resolve(import.meta.dirname, '..')
/**
 * The test build (`WA_TEST_HOOKS=1`, wxt.config.ts): the shipped extension plus the background's
 * test hooks (entrypoints/background/test-hooks.ts), in its own folder so `npm run build:ext`'s
 * .output/ stays hook-free.
 */
export const TEST_OUTPUT_DIR = path.join(ROOT, '.output-test')
export const BUILD_DIRS = {
  chromium: path.join(TEST_OUTPUT_DIR, 'chrome-mv3'),
  firefox: path.join(TEST_OUTPUT_DIR, 'firefox-mv2'),
} as const
export const ARTIFACTS_DIR = path.join(ROOT, 'e2e', '.artifacts')
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr'
/** The Firefox build's add-on id (wxt.config.ts) and the moz-extension host we pin it to. */
export const GECKO_ID = 'wa-inbox@wa-inbox.dev'
export const FIREFOX_UUID = '5f0a8a39-8d5e-4c8a-9a51-2b0e6e7a1a11'

export type BrowserName = 'chromium' | 'firefox'
export const BROWSERS: readonly BrowserName[] = ['chromium', 'firefox']

/** Selectors of the extension's UI (data-testid / roles from components/), in one place. */
export const sel = {
  // options page
  serverUrl: '#server-url',
  serverUrlForm: 'form:has(#server-url)',
  email: '#sign-in-email',
  password: '#sign-in-password',
  signInForm: 'form:has(#sign-in-email)',
  signInSubmit: 'form:has(#sign-in-email) button[type="submit"]',
  signInError: '[data-testid="sign-in-error"]',
  agentName: '[data-testid="agent-name"]',
  agentEmail: '[data-testid="agent-email"]',
  syncState: '[role="status"] [data-state]',
  // side panel
  signedOut: '[data-testid="signed-out"]',
  tab: (name: 'all' | 'mine' | 'unassigned') => `[role="tab"][data-tab="${name}"]`,
  tabCount: (name: 'all' | 'mine' | 'unassigned') => `[role="tab"][data-tab="${name}"] [data-testid="tab-count"]`,
  search: '[data-testid="search"]',
  list: '[data-testid="list"]',
  row: '[data-testid="list"] [role="option"]',
  rowById: (conversationId: string) => `[data-testid="list"] [role="option"][data-id="${conversationId}"]`,
  rowName: '[data-testid="name"]',
  rowPreview: '[data-testid="preview"]',
  empty: '[data-testid="empty"]',
  loading: '[data-testid="loading"]',
  syncLine: '[data-testid="sync-line"]',
  rowUnread: '[data-testid="unread"]',
  rowAssignee: '[data-testid="assignee"]',
  statusFilter: '[data-testid="status-filter"]',
  outboxIndicator: '[data-testid="outbox-indicator"]',
  // conversation (side panel: stacked list → conversation → contact)
  conversation: '[data-testid="conversation"]',
  conversationById: (conversationId: string) => `[data-testid="conversation"][data-conversation-id="${conversationId}"]`,
  back: '[data-testid="conversation-header"] [data-testid="back"]',
  conversationAssignee: '[data-testid="conversation-assignee"]',
  assignToMe: '[data-testid="assign-to-me"]',
  closeConversation: '[data-testid="close-conversation"]',
  contactToggle: '[data-testid="contact-toggle"]',
  message: '[data-testid="message-log"] [data-testid="message"]',
  outboundMessage: '[data-testid="message-log"] [data-testid="message"][data-direction="out"]',
  ticks: '[data-testid="ticks"]',
  composerInput: '[data-testid="composer-input"]',
  sendButton: '[data-testid="send-button"]',
  windowClosed: '[data-testid="window-closed"]',
  templatePicker: '[data-testid="template-picker"]',
  templateOption: (name?: string) => name
    ? `[data-testid="template-option"][data-name="${name}"]`
    : '[data-testid="template-option"]',
  templateField: '[data-testid="template-field"]',
  templateSend: '[data-testid="template-send"]',
  // contact panel
  contactPanel: '[data-testid="contact-panel"]',
  contactClose: '[data-testid="contact-close"]',
  labelInput: '[data-testid="label-input"]',
  labelOption: '[data-testid="label-option"]',
  labelOptionCreate: '[data-testid="label-option-create"]',
  labelsApply: '[data-testid="labels-apply"]',
  labelChip: '[data-testid="label-chip"]',
  noteInput: '[data-testid="note-new"] [data-testid="note-input"]',
  noteSubmit: '[data-testid="note-new"] [data-testid="note-submit"]',
  note: '[data-testid="note"]',
} as const

// ---------------------------------------------------------------------------------------------
// UI text

let english: Record<string, unknown> | null = null

/**
 * An English UI string by its key in locales/en.yml (`t('connect.sync.upToDate')`), with
 * `$1`… substituted. Both browsers run with an English UI.
 */
export function t(key: string, ...substitutions: string[]): string {
  english ??= parseYaml(fs.readFileSync(path.join(ROOT, 'locales', 'en.yml'), 'utf8')) as Record<string, unknown>
  let node: unknown = english
  for (const part of key.split('.'))
    node = (node as Record<string, unknown> | undefined)?.[part]
  if (typeof node !== 'string')
    throw new TypeError(`no English string ${key}`)
  return node.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '')
}

// ---------------------------------------------------------------------------------------------
// Build

const SOURCES = [
  'entrypoints',
  'components',
  'composables',
  'utils',
  'locales',
  'protocol',
  'public',
  'assets',
  'stores',
  'wxt.config.ts',
  'uno.config.ts',
  'package.json',
]
const STAMP = path.join(TEST_OUTPUT_DIR, '.e2e-build-stamp')
const LOCK = path.join(TEST_OUTPUT_DIR, '.e2e-build-lock')

function newestSource(entry: string): number {
  let stat: fs.Stats
  try {
    stat = fs.statSync(entry)
  }
  catch {
    return 0
  }
  if (!stat.isDirectory())
    return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const child of fs.readdirSync(entry)) {
    if (child === '__tests__' || child === 'node_modules')
      continue
    newest = Math.max(newest, newestSource(path.join(entry, child)))
  }
  return newest
}

/** Is the last build newer than every source file (and both outputs there)? */
export function buildIsFresh(): boolean {
  if (!fs.existsSync(STAMP) || !Object.values(BUILD_DIRS).every(dir => fs.existsSync(path.join(dir, 'manifest.json'))))
    return false
  const built = fs.statSync(STAMP).mtimeMs
  return SOURCES.every(source => newestSource(path.join(ROOT, source)) < built)
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (d) => {
      output += d
    })
    child.stderr!.on('data', (d) => {
      output += d
    })
    child.on('error', reject)
    child.on('exit', code => code === 0
      ? resolve()
      : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output}`)))
  })
}

/**
 * Builds the test extension for both browsers (`WA_TEST_HOOKS=1 wxt build`, `… -b firefox`, into
 * .output-test/) unless the last build is newer than the sources. E2E_REBUILD=1 always builds;
 * E2E_SKIP_BUILD=1 never does. One build at a time across processes (a lock directory under
 * .output-test).
 */
export async function buildExtension(options: { force?: boolean, log?: (line: string) => void } = {}): Promise<typeof BUILD_DIRS> {
  const force = options.force ?? process.env.E2E_REBUILD === '1'
  if (process.env.E2E_SKIP_BUILD === '1' || (!force && buildIsFresh()))
    return BUILD_DIRS
  fs.mkdirSync(path.dirname(LOCK), { recursive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      fs.mkdirSync(LOCK)
      break
    }
    catch {
      // Another process builds: wait for it, then use its build (or take over a stale lock).
      if (Date.now() > deadline || Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 120_000) {
        fs.rmSync(LOCK, { recursive: true, force: true })
        continue
      }
      await sleep(250)
      if (!force && buildIsFresh())
        return BUILD_DIRS
    }
  }
  try {
    const started = Date.now()
    const wxt = path.join(ROOT, 'node_modules', '.bin', 'wxt')
    await run(wxt, ['build'], { WA_TEST_HOOKS: '1' })
    await run(wxt, ['build', '-b', 'firefox'], { WA_TEST_HOOKS: '1' })
    fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`)
    options.log?.(`built the extension in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  finally {
    fs.rmSync(LOCK, { recursive: true, force: true })
  }
  return BUILD_DIRS
}

// ---------------------------------------------------------------------------------------------
// Server + simulator

export const WA = {
  appSecret: 'e2e-app-secret',
  verifyToken: 'e2e-verify-token',
  accessToken: 'e2e-access-token',
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '15550783881',
}

export interface Credentials { email: string, password: string }

export const ADMIN: Credentials & { name: string } = { email: 'admin@e2e.wa-inbox.test', password: 'e2e-password', name: 'E2E Admin' }
/** The demo agents (scripts/demo-team.ts), created with the admin's password. */
export const AGENTS: Array<Credentials & { name: string }> = DEMO_AGENTS.map(agent => ({ name: agent.name, email: agent.email, password: ADMIN.password }))

export interface Customer { waId: string, name?: string }

/**
 * The simulator's programmatic API (simulator/README.md), the part tests use. Declared here rather
 * than imported: the extension's type-check (DOM lib) must not check the simulator's Node code.
 */
export interface Simulator {
  url: string
  receive: (from: CustomerRef, message: InboundMessageInput) => Promise<string>
  markRead: (wamid: string) => void
  outbound: RecordedSend[]
  deliveries: WebhookDelivery[]
  flush: () => Promise<void>
  idle: () => Promise<void>
  setWebhookUrl: (url: string) => void
  close: () => Promise<void>
}

/** A module of this repository loaded by path at run time (see `Simulator`). */
async function load<T>(relative: string): Promise<T> {
  return await import(pathToFileURL(path.join(ROOT, relative)).href) as T
}

export interface Backend {
  /** the server's base URL, what agents type on the options page */
  serverUrl: string
  /** the running server (throws while stopped) */
  readonly app: FastifyInstance
  sim: Simulator
  dataDir: string
  admin: typeof ADMIN
  agents: typeof AGENTS
  /** an authenticated API call (as the admin unless `as` is given); JSON in and out, throws on non-2xx */
  api: <T = any>(path: string, init?: { method?: string, json?: unknown, as?: Credentials }) => Promise<T>
  /**
   * A customer sends a text message through the simulator (a signed webhook to the server);
   * resolves once the server stored it, with the conversation's id. `timestamp` (unix seconds,
   * default now) is the message's WhatsApp timestamp: the 24-hour window runs from it.
   */
  customerWrites: (customer: Customer, body?: string, options?: { timestamp?: number }) => Promise<{ conversationId: string, wamid: string }>
  /**
   * Stops the server only (the simulator keeps running and retries its webhooks): open live
   * sockets and HTTP connections are closed, so clients see it go down.
   */
  stopServer: () => Promise<void>
  /** Starts the server again on the same port with the same database (after `stopServer`). */
  startServer: () => Promise<void>
  /** whether the server is listening (false between `stopServer` and `startServer`) */
  readonly serverRunning: boolean
  close: () => Promise<void>
}

/**
 * Starts the simulator and the server wired to each other (Graph calls → simulator, webhooks →
 * server) on free loopback ports, with a fresh SQLite database in a temp folder, the admin from
 * `ADMIN` and (unless `team: false`) the demo team: agents, a team, labels, quick replies.
 */
export async function startBackend(options: { team?: boolean, env?: Record<string, string> } = {}): Promise<Backend> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-inbox-e2e-'))
  const { startSimulator } = await load<{ startSimulator: (config: SimulatorConfig) => Promise<Simulator> }>('simulator/src/index.ts')
  const sim = await startSimulator({
    appSecret: WA.appSecret,
    accessToken: WA.accessToken,
    verifyToken: WA.verifyToken,
    wabaId: WA.wabaId,
    phoneNumberId: WA.phoneNumberId,
    displayPhoneNumber: WA.displayPhoneNumber,
    statusDelaysMs: { sent: 20, delivered: 50, read: null },
    retryDelaysMs: [100, 500, 2000],
  })
  // Loaded by path at run time, like the simulator.
  const { buildApp } = await load<{ buildApp: (options: { config: unknown, logger: boolean }) => Promise<FastifyInstance> }>('server/src/app.ts')
  const { loadConfig } = await load<{ loadConfig: (env: Record<string, string>) => unknown }>('server/src/config.ts')
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_NAME: ADMIN.name,
    WORKSPACE_NAME: 'E2E shop',
    WHATSAPP_APP_SECRET: WA.appSecret,
    WHATSAPP_VERIFY_TOKEN: WA.verifyToken,
    WHATSAPP_ACCESS_TOKEN: WA.accessToken,
    WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId,
    WHATSAPP_BUSINESS_ACCOUNT_ID: WA.wabaId,
    WHATSAPP_DISPLAY_PHONE_NUMBER: WA.displayPhoneNumber,
    WHATSAPP_GRAPH_URL: sim.url,
    SYNC_TEMPLATES_ON_START: '0',
    LOGIN_LIMIT_PER_IP: '100000',
    LOGIN_LIMIT_PER_EMAIL: '100000',
    ...options.env,
  })
  let app: FastifyInstance | null = await buildApp({ config, logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address
    ? address.port
    : 0
  const serverUrl = `http://127.0.0.1:${port}`
  sim.setWebhookUrl(`${serverUrl}/webhooks/whatsapp`)

  const tokens = new Map<string, string>()
  async function tokenFor(who: Credentials): Promise<string> {
    let token = tokens.get(who.email)
    if (!token) {
      const res = await fetch(`${serverUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: who.email, password: who.password }),
      })
      if (!res.ok)
        throw new Error(`login as ${who.email} failed: ${res.status} ${await res.text()}`)
      token = ((await res.json()) as { token: string }).token
      tokens.set(who.email, token)
    }
    return token
  }

  const backend: Backend = {
    serverUrl,
    get app() {
      if (!app)
        throw new Error('the server is stopped (backend.startServer() starts it again)')
      return app
    },
    get serverRunning() {
      return app !== null
    },
    sim,
    dataDir,
    admin: ADMIN,
    agents: AGENTS,
    async api(p, init = {}) {
      const headers: Record<string, string> = { authorization: `Bearer ${await tokenFor(init.as ?? ADMIN)}` }
      if (init.json !== undefined)
        headers['content-type'] = 'application/json'
      const res = await fetch(`${serverUrl}${p}`, {
        method: init.method ?? (init.json === undefined
          ? 'GET'
          : 'POST'),
        headers,
        body: init.json === undefined
          ? undefined
          : JSON.stringify(init.json),
      })
      const text = await res.text()
      if (!res.ok)
        throw new Error(`${init.method ?? 'GET'} ${p}: ${res.status} ${text}`)
      return (text
        ? JSON.parse(text)
        : undefined) as any
    },
    async customerWrites(customer, body = 'Bună ziua! 👋', options = {}) {
      const wamid = await sim.receive({ waId: customer.waId, name: customer.name ?? `Client ${customer.waId.slice(-3)}` }, {
        type: 'text',
        body,
        ...(options.timestamp === undefined
          ? {}
          : { timestamp: options.timestamp }),
      })
      await sim.flush()
      const conversationId = await eventually(async () => {
        const page = await backend.api<{ items: Array<{ id: string, contact: { waId: string | null } }> }>('/api/conversations?status=all&limit=200')
        return page.items.find(c => c.contact.waId === customer.waId)?.id
      }, { timeout: 10_000, what: `the server to store ${customer.waId}'s message` })
      // The conversation exists once the first message is in; a later one must be in too.
      await eventually(async () => {
        const page = await backend.api<{ items: Array<{ wamid: string | null }> }>(`/api/conversations/${conversationId}/messages?limit=50`)
        return page.items.some(m => m.wamid === wamid)
      }, { timeout: 10_000, what: `the server to store ${wamid}` })
      return { conversationId, wamid }
    },
    async stopServer() {
      const running = app
      if (!running)
        return
      app = null
      await running.close()
    },
    async startServer() {
      if (app)
        return
      const next = await buildApp({ config, logger: false })
      try {
        await next.listen({ port, host: '127.0.0.1' })
      }
      catch (error) {
        await next.close().catch(() => {})
        throw error
      }
      app = next
    },
    async close() {
      await app?.close().catch(() => {})
      app = null
      await sim.close().catch(() => {})
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
  if (options.team !== false)
    await seedDemoTeam(serverUrl, ADMIN)
  return backend
}

/** Polls `check` until it answers something other than null/undefined/false. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, options: { timeout?: number, interval?: number, what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeout ?? 10_000)
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== null && value !== undefined && value !== false)
        return value
    }
    catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'}${last
        ? ` (last error: ${String(last)})`
        : ''}`)
    }
    await sleep(options.interval ?? 50)
  }
}

// ---------------------------------------------------------------------------------------------
// Browser-neutral pages

export interface WaitOptions {
  /** the element's textContent must contain this (string) or match it (RegExp) */
  text?: string | RegExp
  /** ms, default 10 s */
  timeout?: number
}

/** A page of the extension (or any URL) in either browser, with one small API for both. */
export interface ExtPage {
  readonly browserName: BrowserName
  /** the page's current URL */
  url: () => Promise<string>
  /** an extension path (`sidepanel.html`, `/options.html#x`) or an absolute URL; waits for `load` */
  goto: (pathOrUrl: string) => Promise<void>
  reload: () => Promise<void>
  /** a real (trusted) mouse click in the middle of the first match, once it is there */
  click: (selector: string, options?: WaitOptions) => Promise<void>
  /** replaces the field's value as if typed (input events fire) */
  fill: (selector: string, value: string) => Promise<void>
  /** picks the `<option>` with this value in a `<select>` (input and change events fire) */
  select: (selector: string, value: string) => Promise<void>
  /** types into the focused element key by key */
  type: (text: string) => Promise<void>
  /** a key press (`Enter`, `ArrowDown`, `Backspace`) on the focused element */
  press: (key: string) => Promise<void>
  /** waits until an element matches (and, with `text`, one of the matches has that text) */
  waitFor: (selector: string, options?: WaitOptions) => Promise<void>
  /** waits until no element matches (with `text`: none with that text) */
  waitForGone: (selector: string, options?: WaitOptions) => Promise<void>
  /** textContent (trimmed) of every match */
  texts: (selector: string) => Promise<string[]>
  /** textContent (trimmed) of the first match; null when there is none */
  text: (selector: string) => Promise<string | null>
  count: (selector: string) => Promise<number>
  /** runs a function in the page (its arguments and result must be JSON-like) */
  evaluate: <R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A) => Promise<R>
  /** polls a function in the page until it answers a truthy value, and returns it */
  waitForFunction: <R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A, options?: { timeout?: number, what?: string }) => Promise<R>
  /** a PNG under e2e/.artifacts/; answers its path */
  screenshot: (name: string) => Promise<string>
  close: () => Promise<void>
}

/** The engine-specific part of a page: navigation, input, script evaluation, screenshots. */
interface Driver {
  url: () => Promise<string>
  navigate: (url: string) => Promise<void>
  reload: () => Promise<void>
  click: (selector: string) => Promise<void>
  fill: (selector: string, value: string) => Promise<void>
  select: (selector: string, value: string) => Promise<void>
  type: (text: string) => Promise<void>
  press: (key: string) => Promise<void>
  evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg: A) => Promise<R>
  screenshot: (file: string) => Promise<void>
  close: () => Promise<void>
}

function findInPage(input: { selector: string, text: string | null, regex: string | null, flags: string }): boolean {
  const pattern = input.regex === null
    ? null
    : new RegExp(input.regex, input.flags)
  for (const element of document.querySelectorAll(input.selector)) {
    const content: string = element.textContent ?? ''
    if (input.text === null && pattern === null)
      return true
    if (input.text !== null && content.includes(input.text))
      return true
    if (pattern && pattern.test(content))
      return true
  }
  return false
}

function describe(selector: string, text?: string | RegExp): string {
  return text === undefined
    ? selector
    : `${selector} with text ${String(text)}`
}

function makePage(browserName: BrowserName, origin: string, driver: Driver): ExtPage {
  const resolve = (p: string) => /^[a-z-]+:/.test(p)
    ? p
    : `${origin}/${p.replace(/^\//, '')}`
  const query = (selector: string, text?: string | RegExp) => ({
    selector,
    text: typeof text === 'string'
      ? text
      : null,
    regex: text instanceof RegExp
      ? text.source
      : null,
    flags: text instanceof RegExp
      ? text.flags
      : '',
  })
  const page: ExtPage = {
    browserName,
    url: () => driver.url(),
    goto: p => driver.navigate(resolve(p)),
    reload: () => driver.reload(),
    async click(selector, options = {}) {
      await page.waitFor(selector, options)
      await driver.click(selector)
    },
    async fill(selector, value) {
      await page.waitFor(selector)
      await driver.fill(selector, value)
    },
    async select(selector, value) {
      await page.waitFor(selector)
      await driver.select(selector, value)
    },
    type: text => driver.type(text),
    press: key => driver.press(key),
    async waitFor(selector, options = {}) {
      await page.waitForFunction(findInPage, query(selector, options.text), {
        timeout: options.timeout,
        what: describe(selector, options.text),
      })
    },
    async waitForGone(selector, options = {}) {
      const q = query(selector, options.text)
      await eventually(async () => !(await driver.evaluate(findInPage, q)), { timeout: options.timeout, what: `${describe(selector, options.text)} to go` })
    },
    texts: selector => driver.evaluate(s => [
      ...document.querySelectorAll(s),
    ].map((e: any) => (e.textContent ?? '').trim()), selector),
    text: selector => driver.evaluate(s => document.querySelector(s)?.textContent?.trim() ?? null, selector),
    count: selector => driver.evaluate(s => document.querySelectorAll(s).length, selector),
    evaluate: (fn, arg) => driver.evaluate(fn, arg as never),
    async waitForFunction(fn, arg, options = {}) {
      return await eventually(() => driver.evaluate(fn, arg as never), { timeout: options.timeout, what: options.what ?? 'a page condition' })
    },
    async screenshot(name) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true })
      const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`)
      await driver.screenshot(file)
      return file
    },
    close: () => driver.close(),
  }
  return page
}

/** A browser with the extension installed, fresh profile. */
export interface ExtensionBrowser {
  readonly name: BrowserName
  /** `chrome-extension://<id>` or `moz-extension://<uuid>` */
  readonly origin: string
  /** a new tab at an extension path (`options.html`) or absolute URL */
  openPage: (pathOrUrl?: string) => Promise<ExtPage>
  /** the pages opened through `openPage` that are still open */
  readonly pages: readonly ExtPage[]
  /** reads the extension's storage.local (through an extension page) */
  storageGet: (key: string) => Promise<unknown>
  close: () => Promise<void>
  /** the engine's own object, for what the neutral API lacks */
  readonly raw: { kind: 'chromium', context: PwContext } | { kind: 'firefox', browser: PpBrowser }
}

export interface LaunchOptions {
  /** the unpacked extension, default the build of that browser */
  extensionDir?: string
  /** window/viewport size, default 420×900 (a side panel's shape) */
  viewport?: { width: number, height: number }
  headless?: boolean
}

const DEFAULT_VIEWPORT = { width: 420, height: 900 }

function tracked(list: ExtPage[], page: ExtPage): ExtPage {
  list.push(page)
  const close = page.close
  return Object.assign(page, {
    async close() {
      list.splice(list.indexOf(page), 1)
      await close()
    },
  })
}

async function storageGetThroughPage(openPage: (p?: string) => Promise<ExtPage>, key: string): Promise<unknown> {
  const page = await openPage('options.html')
  try {
    return await page.evaluate(async (k) => {
      const api = typeof browser !== 'undefined'
        ? browser
        : chrome
      return (await api.storage.local.get(k))[k] ?? null
    }, key)
  }
  finally {
    await page.close()
  }
}

/** Chromium (Playwright, persistent context with a fresh profile) with the unpacked extension. */
export async function launchChromium(options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const extensionDir = options.extensionDir ?? BUILD_DIRS.chromium
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-inbox-chromium-'))
  const viewport = options.viewport ?? DEFAULT_VIEWPORT
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? true,
    viewport,
    locale: 'en-US',
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=en-US',
    ],
  })
  try {
    const worker = context.serviceWorkers().find(w => w.url().startsWith('chrome-extension://'))
      ?? await context.waitForEvent('serviceworker', { timeout: 15_000 })
    const origin = `chrome-extension://${new URL(worker.url()).host}`
    const pages: ExtPage[] = []
    // The persistent context opens with one blank tab: reuse it for the first page.
    let spare: PwPage | undefined = context.pages()[0]
    async function openPage(p?: string): Promise<ExtPage> {
      const pw = spare ?? await context.newPage()
      spare = undefined
      const page = tracked(pages, makePage('chromium', origin, playwrightDriver(pw)))
      if (p)
        await page.goto(p)
      return page
    }
    return {
      name: 'chromium',
      origin,
      openPage,
      pages,
      storageGet: key => storageGetThroughPage(openPage, key),
      raw: { kind: 'chromium', context },
      async close() {
        await context.close().catch(() => {})
        fs.rmSync(profile, { recursive: true, force: true })
      },
    }
  }
  catch (error) {
    await context.close().catch(() => {})
    fs.rmSync(profile, { recursive: true, force: true })
    throw error
  }
}

function playwrightDriver(pw: PwPage): Driver {
  return {
    url: async () => pw.url(),
    navigate: async (url) => {
      await pw.goto(url, { waitUntil: 'load' })
    },
    reload: async () => {
      await pw.reload({ waitUntil: 'load' })
    },
    click: selector => pw.click(selector),
    fill: (selector, value) => pw.fill(selector, value),
    select: async (selector, value) => {
      await pw.selectOption(selector, value)
    },
    type: text => pw.keyboard.type(text),
    press: key => pw.keyboard.press(key),
    evaluate: (fn, arg) => pw.evaluate(fn as never, arg) as never,
    screenshot: async (file) => {
      await pw.screenshot({ path: file, fullPage: true })
    },
    close: () => pw.close(),
  }
}

/**
 * Firefox ESR (puppeteer-core over WebDriver BiDi) with the extension installed as a temporary
 * add-on, its moz-extension host pinned to FIREFOX_UUID. `page.goto` hangs on moz-extension://
 * pages, so navigation sends BiDi's browsingContext.navigate itself.
 */
export async function launchFirefox(options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  const extensionDir = options.extensionDir ?? BUILD_DIRS.firefox
  const viewport = options.viewport ?? DEFAULT_VIEWPORT
  const ff = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: options.headless ?? true,
    args: ['--remote-allow-system-access', `--width=${viewport.width}`, `--height=${viewport.height}`],
    defaultViewport: viewport,
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_UUID }),
      'devtools.console.stdout.content': true,
      'intl.locale.requested': 'en-US',
      'intl.accept_languages': 'en-US, en',
    },
  })
  try {
    await ff.installExtension(extensionDir)
    const origin = `moz-extension://${FIREFOX_UUID}`
    const pages: ExtPage[] = []
    let spare: PpPage | undefined = (await ff.pages())[0]
    async function openPage(p?: string): Promise<ExtPage> {
      const pp = spare ?? await ff.newPage()
      spare = undefined
      const page = tracked(pages, makePage('firefox', origin, puppeteerDriver(ff, pp)))
      if (p)
        await page.goto(p)
      return page
    }
    return {
      name: 'firefox',
      origin,
      openPage,
      pages,
      storageGet: key => storageGetThroughPage(openPage, key),
      raw: { kind: 'firefox', browser: ff },
      async close() {
        await ff.close().catch(() => {})
      },
    }
  }
  catch (error) {
    await ff.close().catch(() => {})
    throw error
  }
}

function puppeteerDriver(ff: PpBrowser, pp: PpPage): Driver {
  // The BiDi context id of the tab (internal to puppeteer, stable across its versions so far).
  const context = (pp.mainFrame() as unknown as { _id: string })._id
  const bidi = (ff as unknown as { connection: { send: (method: string, params: unknown, timeout?: number) => Promise<unknown> } }).connection
  return {
    url: async () => pp.url(),
    navigate: async (url) => {
      await bidi.send('browsingContext.navigate', { context, url, wait: 'complete' }, 30_000)
    },
    reload: async () => {
      await bidi.send('browsingContext.reload', { context, wait: 'complete' }, 30_000)
    },
    click: selector => pp.click(selector),
    fill: (selector, value) => pp.locator(selector).fill(value),
    select: async (selector, value) => {
      await pp.select(selector, value)
    },
    type: text => pp.keyboard.type(text),
    press: key => pp.keyboard.press(key as never),
    evaluate: (fn, arg) => pp.evaluate(fn as never, arg) as never,
    screenshot: async (file) => {
      await pp.screenshot({ path: file as `${string}.png`, fullPage: true })
    },
    close: () => pp.close(),
  }
}

/**
 * A copy of the built extension (under the system's temp folder) whose manifest.json is changed by
 * `edit`, for tests that need what a real agent's gesture would grant (see e2e/any-tab.test.ts).
 * The build itself is never changed. Answers the copy's folder (`LaunchOptions.extensionDir`).
 */
export function copyExtension(name: BrowserName, dir: string, edit: (manifest: Record<string, any>) => void): string {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.cpSync(BUILD_DIRS[name], dir, { recursive: true })
  const file = path.join(dir, 'manifest.json')
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>
  edit(manifest)
  fs.writeFileSync(file, JSON.stringify(manifest))
  return dir
}

export function launchBrowser(name: BrowserName, options: LaunchOptions = {}): Promise<ExtensionBrowser> {
  return name === 'chromium'
    ? launchChromium(options)
    : launchFirefox(options)
}

// ---------------------------------------------------------------------------------------------
// Flows

/**
 * Signs in through the options page UI: saves the server URL, fills e-mail and password, submits,
 * and waits for the account card. `page` must be at options.html (it goes there when not).
 */
export async function signIn(page: ExtPage, backend: Pick<Backend, 'serverUrl'>, who: Credentials = ADMIN): Promise<void> {
  if (!(await page.url()).endsWith('/options.html'))
    await page.goto('options.html')
  await page.fill(sel.serverUrl, backend.serverUrl)
  await page.click(`${sel.serverUrlForm} button[type="submit"]`)
  // The form names the server it signs in to once the URL is saved.
  await page.waitFor(sel.signInForm, { text: backend.serverUrl })
  await page.fill(sel.email, who.email)
  await page.fill(sel.password, who.password)
  await page.click(sel.signInSubmit)
  await page.waitForFunction((s) => {
    const error = document.querySelector(s.error)?.textContent
    if (error)
      return `sign-in failed: ${error.trim()}`
    return document.querySelector(s.account)
      ? 'ok'
      : null
  }, { error: sel.signInError, account: sel.agentEmail }, { timeout: 15_000, what: 'the signed-in account card' }).then((result) => {
    if (result !== 'ok')
      throw new Error(result ?? 'sign-in failed')
  })
  await page.waitFor(sel.agentEmail, { text: who.email })
}

/** Waits until the options page's sync line says "Up to date · …" (the first snapshot is in). */
export async function waitForSyncUpToDate(page: ExtPage, timeout = 15_000): Promise<string> {
  const upToDate = t('connect.sync.upToDate', '').replace(/[\s·]+$/, '')
  await page.waitFor(`${sel.syncState}[data-state="idle"]`, { text: upToDate, timeout })
  return (await page.text(`${sel.syncState}[data-state="idle"]`))!
}

/**
 * Writes `session` (and optionally `serverUrl`) into the extension's storage.local from an
 * extension page, as the options page would after signing in.
 */
export async function setExtensionStorage(page: ExtPage, values: Record<string, unknown>): Promise<void> {
  await page.evaluate(async (v) => {
    const api = typeof browser !== 'undefined'
      ? browser
      : chrome
    await api.storage.local.set(v)
  }, values)
}

// ---------------------------------------------------------------------------------------------
// In-page data helpers

let pageDataBundle: Promise<string> | null = null

/**
 * e2e/page-data.ts (the extension's own Dexie schema and `applySyncPage`, plus a synthetic inbox
 * generator) bundled for the browser, from the current sources. Evaluate it in an extension page
 * with `installPageData`; it exposes `globalThis.__waInbox`.
 */
export function bundlePageData(): Promise<string> {
  pageDataBundle ??= (async () => {
    const { build } = await import('vite')
    const output = await build({
      configFile: false,
      root: ROOT,
      logLevel: 'silent',
      resolve: {
        alias: { '~': ROOT, '@': ROOT },
      },
      build: {
        write: false,
        minify: false,
        emptyOutDir: false,
        lib: {
          entry: path.join(ROOT, 'e2e', 'page-data.ts'),
          formats: ['iife'],
          name: '__waInboxBundle',
          fileName: 'page-data',
        },
      },
    })
    const result = (Array.isArray(output)
      ? output[0]
      : output) as { output: Array<{ type: string, code?: string }> }
    const chunk = result.output.find(item => item.type === 'chunk')
    if (!chunk?.code)
      throw new Error('bundling e2e/page-data.ts produced no code')
    return chunk.code
  })()
  return pageDataBundle
}

/** Makes `globalThis.__waInbox` (e2e/page-data.ts) available in an extension page. */
export async function installPageData(page: ExtPage): Promise<void> {
  const code = await bundlePageData()
  await page.evaluate((source) => {
    if (!(globalThis as { __waInbox?: unknown }).__waInbox)
      // eslint-disable-next-line no-eval
      (0, eval)(source)
  }, code)
}

/**
 * Fills the extension's database with `conversations` synthetic chats (plus contacts, labels,
 * agents) through its own sync code, then stores a session for the dataset's agent pointing at
 * `serverUrl` (default: a port nothing listens on, so the background stays offline and keeps the
 * data). Open sidepanel.html afterwards to see them.
 */
export async function seedInbox(page: ExtPage, options: { conversations: number, serverUrl?: string }): Promise<{ rows: number, ms: number, agentId: string }> {
  await installPageData(page)
  const serverUrl = options.serverUrl ?? 'http://127.0.0.1:9'
  const seeded = await page.evaluate(async (o) => {
    const api = (globalThis as any).__waInbox
    return await api.seedInbox({ conversations: o.conversations, serverUrl: o.serverUrl }) as { agent: { id: string }, rows: number, ms: number, [key: string]: unknown }
  }, { conversations: options.conversations, serverUrl })
  await setExtensionStorage(page, {
    serverUrl,
    session: {
      serverUrl,
      token: 'seeded-token',
      agent: seeded.agent,
      signedInAt: Date.now(),
    },
  })
  return { rows: seeded.rows, ms: seeded.ms, agentId: seeded.agent.id }
}
