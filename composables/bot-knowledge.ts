/**
 * The AI Bot's knowledge base on the options page: a searched, paged list read from the server
 * (`GET /api/bots/knowledge`, not synced) and the admin's changes, applied to the list once the
 * server answered. A newer search wins over an older answer still on its way.
 */
import type { Ref, ShallowRef } from 'vue'
import type { CreateKbEntry, KbEntry, UpdateKbEntry } from '~/protocol/bots'
import { onScopeDispose, ref, shallowRef, watch } from 'vue'
import { isApiError } from '~/utils/api/client'
import { createKbEntry, deleteKbEntry, listKbEntries, updateKbEntry } from '~/utils/bots/api'
import { describeBotsError } from '~/utils/bots/text'

export const KB_PAGE_SIZE = 20
/** typing pauses this long before the list is searched */
export const KB_SEARCH_DELAY_MS = 250

/** The admin's changes, applied to the shown list once the server took them. */
function useKnowledgeEdits(items: ShallowRef<KbEntry[]>) {
  /** Throws the server's `ApiError` (the form shows it). */
  async function create(entry: CreateKbEntry): Promise<KbEntry> {
    const created = await createKbEntry(entry)
    items.value = [
      created,
      ...items.value.filter(item => item.id !== created.id),
    ]
    return created
  }

  async function update(id: string, patch: UpdateKbEntry): Promise<KbEntry> {
    const updated = await updateKbEntry(id, patch)
    items.value = items.value.map(item => item.id === id
      ? updated
      : item)
    return updated
  }

  async function remove(id: string): Promise<void> {
    try {
      await deleteKbEntry(id)
    }
    catch (err) {
      // already gone: the list catches up
      if (!isApiError(err, 'not_found'))
        throw err
    }
    items.value = items.value.filter(item => item.id !== id)
  }

  return { create, update, remove }
}

/** The searched, paged list: the first page for `query`, then more; a newer search wins. */
function useKnowledgePages(query: Ref<string>, pageSize: number) {
  const items = shallowRef<KbEntry[]>([])
  const nextCursor = ref<string | null>(null)
  const state = ref<'loading' | 'ready' | 'error'>('loading')
  const loadingMore = ref(false)
  const error = ref<string | null>(null)
  /** what the list shows was searched for this (empty: everything) */
  const shownQuery = ref('')
  let generation = 0

  async function load(): Promise<void> {
    const mine = ++generation
    const q = query.value.trim()
    state.value = 'loading'
    error.value = null
    try {
      const page = await listKbEntries({ q: q || undefined, limit: pageSize })
      if (mine !== generation)
        return
      items.value = page.items
      nextCursor.value = page.nextCursor
      shownQuery.value = q
      state.value = 'ready'
    }
    catch (err) {
      if (mine !== generation)
        return
      if (!isApiError(err))
        console.error('[wa-inbox] knowledge base not loaded', err)
      error.value = describeBotsError(err)
      state.value = 'error'
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value)
      return
    const mine = generation
    loadingMore.value = true
    error.value = null
    try {
      const page = await listKbEntries({ q: shownQuery.value || undefined, cursor: nextCursor.value, limit: pageSize })
      if (mine !== generation)
        return
      const known = new Set(items.value.map(entry => entry.id))
      items.value = [
        ...items.value,
        ...page.items.filter(entry => !known.has(entry.id)),
      ]
      nextCursor.value = page.nextCursor
    }
    catch (err) {
      if (mine === generation)
        error.value = describeBotsError(err)
    }
    finally {
      loadingMore.value = false
    }
  }

  return {
    items,
    nextCursor,
    state,
    loadingMore,
    error,
    shownQuery,
    load,
    loadMore,
  }
}

/** Searches again once typing in `query` pauses for `delayMs`. */
function searchWhileTyping(query: Ref<string>, load: () => Promise<void>, delayMs: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(query, () => {
    clearTimeout(timer)
    timer = setTimeout(() => void load(), delayMs)
  })
  onScopeDispose(() => clearTimeout(timer))
}

export function useKnowledgeBase(options: { pageSize?: number, searchDelayMs?: number } = {}) {
  const pageSize = options.pageSize ?? KB_PAGE_SIZE
  const query = ref('')
  const { items, nextCursor, state, loadingMore, error, shownQuery, load, loadMore } = useKnowledgePages(query, pageSize)
  searchWhileTyping(query, load, options.searchDelayMs ?? KB_SEARCH_DELAY_MS)
  const { create, update, remove } = useKnowledgeEdits(items)

  return {
    query,
    shownQuery,
    items,
    nextCursor,
    state,
    loadingMore,
    error,
    load,
    loadMore,
    create,
    update,
    remove,
  }
}
