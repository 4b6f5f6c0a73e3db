/**
 * "On this page": the phone numbers of the tab the agent is on, and what the team knows about each
 * (contact, owner, labels, 24-hour window), observed in Dexie; one-click actions through
 * `utils/actions` (and `POST /api/contacts` for a number that is not a contact yet).
 */
import type { PageScan, PageScanErrorCode } from '~/utils/phones/page-scan'
import type { FoundPhone } from '~/utils/phones/scan'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue'
import { createActions } from '~/utils/actions'
import { pageApiClient } from '~/utils/api/page'
import { db as defaultDb } from '~/utils/db'
import { ensurePhoneContact, findPhoneContacts } from '~/utils/phones/contacts'
import { openChat as defaultOpenChat } from '~/utils/phones/open-chat'
import { PageScanError, scanActiveTab } from '~/utils/phones/page-scan'
import { authSessionStorage } from '~/utils/session'

export interface PageNumberRow {
  number: string
  raw: string
  contactId: string | null
  name: string | null
  conversationId: string | null
  /** null: unassigned */
  assignee: { id: string, name: string } | null
  mine: boolean
  labels: Array<{ id: string, name: string, color: string }>
  /** the 24-hour customer service window is open (free-form messages allowed) */
  windowOpen: boolean
  windowExpiresAt: number | null
}

export type PageNumbersState = 'idle' | 'loading' | 'ready' | 'error'

export interface PageNumbersOptions {
  db?: typeof defaultDb
  scan?: () => Promise<PageScan>
  openChat?: (conversationId: string) => Promise<void> | void
  now?: () => number
}

function displayName(contact: { name: string | null, profileName: string | null }): string | null {
  return contact.name?.trim() || contact.profileName?.trim() || null
}

export function usePageNumbers(options: PageNumbersOptions = {}) {
  const db = options.db ?? defaultDb
  const now = options.now ?? Date.now
  const state = ref<PageNumbersState>('idle')
  const errorCode = ref<PageScanErrorCode | null>(null)
  const phones = shallowRef<FoundPhone[]>([])
  const rows = shallowRef<PageNumberRow[]>([])
  const labels = shallowRef<Array<{ id: string, name: string, color: string }>>([])
  const agentId = ref<string | null>(null)
  /** numbers with an action on its way (create, assign …) */
  const busy = ref(new Set<string>())
  const actionError = ref<{ number: string, code: string } | null>(null)

  void authSessionStorage.getValue().then((session) => {
    agentId.value = session && !session.expired
      ? session.agent.id
      : null
  })

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

  async function query(numbers: FoundPhone[], me: string | null): Promise<PageNumberRow[]> {
    const found = await findPhoneContacts(db, numbers.map(p => p.number))
    const [agents, allLabels] = await Promise.all([
      db.agents.toArray(),
      db.labels.toArray(),
    ])
    const agentsById = new Map(agents.map(a => [a.id, a]))
    const labelsById = new Map(allLabels.map(l => [l.id, l]))
    const at = now()
    return numbers.map((phone) => {
      const match = found.get(phone.number)
      const conversation = match?.conversation ?? null
      const assignee = conversation?.assigneeId
        ? agentsById.get(conversation.assigneeId)
        : undefined
      const expires = conversation?.windowExpiresAt ?? null
      return {
        number: phone.number,
        raw: phone.raw,
        contactId: match?.contact.id ?? null,
        name: match
          ? displayName(match.contact)
          : null,
        conversationId: conversation?.id ?? null,
        assignee: conversation?.assigneeId
          ? { id: conversation.assigneeId, name: assignee?.name ?? '?' }
          : null,
        mine: !!me && conversation?.assigneeId === me,
        labels: (match?.contact.labelIds ?? []).flatMap((id) => {
          const label = labelsById.get(id)
          return label
            ? [
                { id: label.id, name: label.name, color: label.color },
              ]
            : []
        }),
        windowOpen: expires !== null && expires > at,
        windowExpiresAt: expires,
      }
    })
  }

  watch([phones, agentId], ([numbers, me], _old, onCleanup) => {
    const subscription = liveQuery(() => query(numbers, me)).subscribe({
      next: (value) => {
        rows.value = value
      },
      error: (error: unknown) => console.error('[wa-inbox] page numbers query failed', error),
    })
    onCleanup(() => subscription.unsubscribe())
  }, { immediate: true })

  const labelSubscription = liveQuery(() => db.labels.orderBy('name').toArray()).subscribe({
    next: (value) => {
      labels.value = value.map(l => ({ id: l.id, name: l.name, color: l.color }))
    },
  })
  onScopeDispose(() => labelSubscription.unsubscribe())

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
    state,
    errorCode,
    rows: computed(() => rows.value),
    labels: computed(() => labels.value),
    busy: computed(() => busy.value),
    actionError: computed(() => actionError.value),
    signedIn: computed(() => agentId.value !== null),
    scan,
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
        await (options.openChat ?? defaultOpenChat)(row.conversationId)
    }),
  }
}
