/**
 * "On this page": the phone numbers of the tab the agent is on, and what the team knows about each
 * (contact, owner, labels, 24-hour window), observed in Dexie; one-click actions through
 * `utils/actions` (and `POST /api/contacts` for a number that is not a contact yet).
 */
import type { Ref } from 'vue'
import type { AppDB } from '~/utils/db'
import type { PageNumberRow } from '~/utils/phones/page-number-rows'
import type { PageScan, PageScanErrorCode } from '~/utils/phones/page-scan'
import type { FoundPhone } from '~/utils/phones/scan'
import { computed, ref, shallowRef } from 'vue'
import { useSessionStore } from '~/stores/session'
import { createActions } from '~/utils/actions'
import { pageApiClient } from '~/utils/api/page'
import { db as defaultDb } from '~/utils/db'
import { ensurePhoneContact } from '~/utils/phones/contacts'
import { openChat as defaultOpenChat } from '~/utils/phones/open-chat'
import { readPageNumberRows } from '~/utils/phones/page-number-rows'
import { PageScanError, scanActiveTab } from '~/utils/phones/page-scan'
import { useLiveQuery } from './live-query'

export type PageNumbersState = 'idle' | 'loading' | 'ready' | 'error'

export interface PageNumbersOptions {
  db?: typeof defaultDb
  scan?: () => Promise<PageScan>
  openChat?: (conversationId: string) => Promise<void> | void
  now?: () => number
}

/** One-click actions on a number's row; each marks the number busy and keeps its error. */
function usePageNumberActions(
  db: AppDB,
  rows: Readonly<Ref<PageNumberRow[]>>,
  agentId: Readonly<Ref<string | null>>,
  openChat: PageNumbersOptions['openChat'] = defaultOpenChat,
) {
  /** numbers with an action on its way (create, assign …) */
  const busy = ref(new Set<string>())
  const actionError = ref<{ number: string, code: string } | null>(null)

  async function withBusy(number: string, fn: () => Promise<void>): Promise<void> {
    busy.value = new Set([...busy.value, number])
    actionError.value = null
    try {
      await fn()
    }
    catch (error) {
      actionError.value = { number, code: (error as { code?: string }).code ?? 'failed' }
    }
    finally {
      const next = new Set(busy.value)
      next.delete(number)
      busy.value = next
    }
  }

  function actions() {
    if (!agentId.value)
      throw Object.assign(new Error('not signed in'), { code: 'unauthorized' })
    return createActions({ db, agentId: agentId.value })
  }

  function rowOf(number: string): PageNumberRow | undefined {
    return rows.value.find(r => r.number === number)
  }

  return {
    busy: computed(() => busy.value),
    actionError: computed(() => actionError.value),
    /** makes the number a contact (with its conversation) */
    create: (number: string) => withBusy(number, async () => {
      await ensurePhoneContact(db, await pageApiClient(), number)
    }),
    addLabel: (number: string, labelId: string) => withBusy(number, async () => {
      const row = rowOf(number)
      if (row?.contactId)
        await actions().addLabel(row.contactId, labelId)
    }),
    removeLabel: (number: string, labelId: string) => withBusy(number, async () => {
      const row = rowOf(number)
      if (row?.contactId)
        await actions().removeLabel(row.contactId, labelId)
    }),
    assignToMe: (number: string) => withBusy(number, async () => {
      const row = rowOf(number)
      if (row?.conversationId && agentId.value)
        await actions().assign(row.conversationId, agentId.value)
    }),
    open: (number: string) => withBusy(number, async () => {
      const row = rowOf(number)
      if (row?.conversationId)
        await openChat(row.conversationId)
    }),
  }
}

export function usePageNumbers(options: PageNumbersOptions = {}) {
  const db = options.db ?? defaultDb
  const now = options.now ?? Date.now
  const state = ref<PageNumbersState>('idle')
  const errorCode = ref<PageScanErrorCode | null>(null)
  const phones = shallowRef<FoundPhone[]>([])
  const session = useSessionStore()
  const agentId = computed(() => session.agentId)

  async function scan(): Promise<void> {
    state.value = 'loading'
    errorCode.value = null
    try {
      const result = await (options.scan ?? (() => scanActiveTab()))()
      phones.value = result.phones
      state.value = 'ready'
    }
    catch (error) {
      errorCode.value = error instanceof PageScanError
        ? error.code
        : 'failed'
      state.value = 'error'
    }
  }

  const { data: rows } = useLiveQuery(
    ([numbers, me]) => readPageNumberRows(db, numbers, me, now()),
    [] as PageNumberRow[],
    {
      source: () => [phones.value, agentId.value] as const,
      keepPrevious: true,
    },
  )
  const { data: labels } = useLiveQuery(async () => (await db.labels.orderBy('name').toArray())
    .map(l => ({ id: l.id, name: l.name, color: l.color })), [] as Array<{ id: string, name: string, color: string }>)

  const { busy, actionError, ...actions } = usePageNumberActions(db, rows, agentId, options.openChat)

  return {
    state,
    errorCode,
    rows,
    labels,
    busy,
    actionError,
    signedIn: computed(() => agentId.value !== null),
    scan,
    ...actions,
  }
}
