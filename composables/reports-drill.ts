/**
 * The drill-down of the reports page: the conversations behind one figure
 * (`GET /api/reports/conversations`), paged, asked again when the page's query changes.
 */
import type { Ref } from 'vue'
import type { ReportConversationPage, ReportConversationRow, ReportQuery } from '~/protocol/reports'
import type { DrillSelection, ReportError, ReportState } from '~/utils/reports/labels'
import { computed, readonly, ref, shallowRef, watch } from 'vue'
import { pageApiClient } from '~/utils/api/page'
import { toReportError } from '~/utils/reports/labels'
import { buildDrillQuery, toSearch } from '~/utils/reports/query'

/**
 * The conversations behind one figure, paged: `open` asks for the first page of a target,
 * `more` for the next.
 */
export function useReportDrillDown(query: Ref<ReportQuery | null>) {
  const selection = shallowRef<DrillSelection | null>(null)
  const items = shallowRef<ReportConversationRow[]>([])
  const total = ref(0)
  const nextCursor = ref<string | null>(null)
  const state = ref<ReportState>('idle')
  const error = shallowRef<ReportError | null>(null)
  let generation = 0

  async function fetchPage(cursor: string | null): Promise<void> {
    const target = selection.value
    const base = query.value
    if (!target || !base)
      return
    const mine = ++generation
    state.value = 'loading'
    error.value = null
    try {
      const api = await pageApiClient()
      const page = await api.get<ReportConversationPage>(`/api/reports/conversations${toSearch(buildDrillQuery(base, target, cursor))}`)
      if (mine !== generation)
        return
      items.value = cursor
        ? [
            ...items.value,
            ...page.items,
          ]
        : page.items
      total.value = page.total
      nextCursor.value = page.nextCursor
      state.value = 'ready'
    }
    catch (failure) {
      if (mine !== generation)
        return
      error.value = toReportError(failure)
      state.value = error.value.code === 'forbidden'
        ? 'forbidden'
        : 'error'
    }
  }

  function open(target: DrillSelection): void {
    selection.value = target
    items.value = []
    total.value = 0
    nextCursor.value = null
    void fetchPage(null)
  }

  function close(): void {
    generation++
    selection.value = null
    items.value = []
    state.value = 'idle'
  }

  // Other controls: the open list would no longer match the page.
  watch(query, () => {
    if (selection.value)
      open(selection.value)
  }, { deep: true })

  return {
    selection: computed(() => selection.value),
    items: computed(() => items.value),
    total: readonly(total),
    nextCursor: readonly(nextCursor),
    state: readonly(state),
    error: computed(() => error.value),
    open,
    close,
    more: () => fetchPage(nextCursor.value),
    retry: () => fetchPage(items.value.length ? nextCursor.value : null),
  }
}
