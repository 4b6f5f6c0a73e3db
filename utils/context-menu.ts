/**
 * The context menu on a selected phone number on any page (docs/architecture.md, "Permissions"): Open chat,
 * Assign to me, Add label ▸ (the workspace's labels), Send template. The background builds it every time it
 * starts (entrypoints/background/context-menu.ts); the menus are rebuilt from scratch each time
 * (`removeAll`, then `create` with stable ids), and again whenever the labels change in Dexie.
 *
 * A click reads the number from the selection (workspace's default country for national
 * numbers), finds its contact in Dexie — creating it through the API when there is none — and acts
 * through `createActions`, like any page: the change shows at once and lands once.
 */
import type { Browser } from 'wxt/browser'
import type { AppDB } from './db'
import type { PhoneContact } from './phones/contacts'
import { browser } from 'wxt/browser'
import { i18n } from '#i18n'
import { createActions } from './actions'
import { pageApiClient } from './api/page'
import { db as defaultDb } from './db'
import { ensurePhoneContact, workspaceDefaultCountry } from './phones/contacts'
import { openChat } from './phones/open-chat'
import { phoneInSelection } from './phones/scan'
import { authSessionStorage } from './session'

/** Stable menu ids (a restarted service worker recreates the same ones). */
export const MENU = {
  root: 'wa-inbox:phone',
  open: 'wa-inbox:phone:open',
  assign: 'wa-inbox:phone:assign',
  labels: 'wa-inbox:phone:labels',
  noLabels: 'wa-inbox:phone:labels:none',
  template: 'wa-inbox:phone:template',
} as const

const LABEL_PREFIX = 'wa-inbox:phone:label:'
/** Chrome allows at most 1,000 items per extension; a submenu that long is unusable anyway. */
const MAX_LABEL_ITEMS = 100

export function labelMenuId(labelId: string): string {
  return `${LABEL_PREFIX}${labelId}`
}

export interface ContextMenuDeps {
  db?: AppDB
  /** kicks the background's sync so the queued action is pushed now (default: a runtime message) */
  notify?: () => void
  /** opens a conversation for the agent (default: the inbox in a new tab, `inbox.html#/c/<id>`) */
  openChat?: (conversationId: string) => Promise<void> | void
}

interface MenuLabel { id: string, name: string }

type ClickInfo = Pick<Browser.contextMenus.OnClickData, 'menuItemId' | 'selectionText'>

export type ContextMenuResult
  = | { ok: true, action: 'open' | 'assign' | 'label' | 'template', number: string, contactId: string, conversationId: string | null }
    | { ok: false, reason: 'not_ours' | 'no_number' | 'signed_out' | 'no_conversation' | 'failed', message?: string }

let chain: Promise<void> = Promise.resolve()

/** Replaces every menu item of this extension with ours (safe to call again at any time). */
export function buildContextMenus(labels: MenuLabel[]): Promise<void> {
  const menus = browser.contextMenus
  chain = chain.then(async () => {
    await menus.removeAll()
    const create = (properties: Browser.contextMenus.CreateProperties) => new Promise<void>((resolve) => {
      menus.create(properties, () => {
        // Read lastError so Chrome does not log "Unchecked runtime.lastError" for a duplicate id.
        void browser.runtime.lastError
        resolve()
      })
    })
    const contexts: ['selection'] = ['selection']
    await create({
      id: MENU.root,
      title: i18n.t('background.contextMenu.root'),
      contexts,
    })
    await create({
      id: MENU.open,
      parentId: MENU.root,
      title: i18n.t('background.contextMenu.open'),
      contexts,
    })
    await create({
      id: MENU.assign,
      parentId: MENU.root,
      title: i18n.t('background.contextMenu.assign'),
      contexts,
    })
    await create({
      id: MENU.labels,
      parentId: MENU.root,
      title: i18n.t('background.contextMenu.addLabel'),
      contexts,
    })
    if (labels.length === 0) {
      await create({
        id: MENU.noLabels,
        parentId: MENU.labels,
        title: i18n.t('background.contextMenu.noLabels'),
        contexts,
        enabled: false,
      })
    }
    for (const label of [...labels].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_LABEL_ITEMS)) {
      await create({
        id: labelMenuId(label.id),
        parentId: MENU.labels,
        title: label.name.replace(/&/g, '&&'),
        contexts,
      })
    }
    await create({
      id: MENU.template,
      parentId: MENU.root,
      title: i18n.t('background.contextMenu.template'),
      contexts,
    })
  }).catch((error: unknown) => {
    console.error('[wa-inbox] building the context menu failed', error)
  })
  return chain
}

/** Opens the chat in the inbox page (there is no template deep link: the agent picks one there). */
async function defaultOpenChat(conversationId: string): Promise<void> {
  await openChat(conversationId)
}

/**
 * What a click on one of our items does. Exported so tests (and the e2e, through the test build's
 * `globalThis.waInbox`, entrypoints/background/test-hooks.ts) can call it with a made-up selection.
 */
export async function handleContextMenuClick(info: ClickInfo, _tab?: Browser.tabs.Tab, deps: ContextMenuDeps = {}): Promise<ContextMenuResult> {
  const id = String(info.menuItemId)
  const action: 'open' | 'assign' | 'label' | 'template' | null = id === MENU.open
    ? 'open'
    : id === MENU.assign
      ? 'assign'
      : id === MENU.template
        ? 'template'
        : id.startsWith(LABEL_PREFIX)
          ? 'label'
          : null
  if (!action)
    return { ok: false, reason: 'not_ours' }
  const db = deps.db ?? defaultDb
  const session = await authSessionStorage.getValue()
  if (!session || session.expired) {
    await browser.runtime.openOptionsPage().catch(() => {})
    return { ok: false, reason: 'signed_out' }
  }
  const found = phoneInSelection(info.selectionText ?? '', await workspaceDefaultCountry(db))
  if (!found)
    return { ok: false, reason: 'no_number' }
  let target: PhoneContact
  try {
    target = await ensurePhoneContact(db, await pageApiClient(), found.number)
  }
  catch (error) {
    console.error('[wa-inbox] the context menu could not find or create the contact', error)
    return {
      ok: false,
      reason: 'failed',
      message: error instanceof Error
        ? error.message
        : String(error),
    }
  }
  const actions = createActions({
    db,
    agentId: session.agent.id,
    ...(deps.notify
      ? { notify: deps.notify }
      : {}),
  })
  const conversationId = target.conversation?.id ?? null
  const open = deps.openChat ?? defaultOpenChat
  const done = {
    ok: true as const,
    action,
    number: found.number,
    contactId: target.contact.id,
    conversationId,
  }
  switch (action) {
    case 'label':
      await actions.addLabel(target.contact.id, id.slice(LABEL_PREFIX.length))
      return done
    case 'assign':
      if (!conversationId)
        return { ok: false, reason: 'no_conversation' }
      await actions.assign(conversationId, session.agent.id)
      return done
    default:
      if (!conversationId)
        return { ok: false, reason: 'no_conversation' }
      await open(conversationId)
      return done
  }
}
