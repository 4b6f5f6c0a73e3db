/**
 * What the reports page's hand-written SVG charts share on the Vue side: a roving keyboard focus
 * with the point under the pointer (one tab stop per chart; arrow keys move between its points,
 * Enter / Space open it). The drawing width: components/common/CommonChartFrame.vue. Plain
 * helpers: utils/reports/chart.ts.
 */
import { ref, shallowRef } from 'vue'
import { moveFocus } from '~/utils/reports/chart'

export interface ChartFocusOptions {
  /** the grid's shape: rows × columns items, index = row * columns + column */
  rows: () => number
  columns: () => number
  /** Enter / Space on an item */
  select: (index: number) => void
}

/**
 * The active item of a chart (hovered or focused: its tooltip shows) and its roving tab stop.
 * Bind `items` as the template ref of the focusable elements (in index order), and the handlers
 * on each: `@mouseenter="hover(i)" @focus="focus(i)" @blur="leave" @keydown="onKeydown($event, i)"`.
 */
export function useChartFocus(options: ChartFocusOptions) {
  const active = shallowRef<number | null>(null)
  const focusIndex = shallowRef(0)
  const items = ref<Element[]>([])

  function hover(index: number): void {
    active.value = index
  }
  function focus(index: number): void {
    active.value = index
    focusIndex.value = index
  }
  function leave(): void {
    active.value = null
  }

  function onKeydown(event: KeyboardEvent, index: number): void {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault()
      options.select(index)
      return
    }
    const next = moveFocus(event.key, index, options.rows(), options.columns())
    if (next === null)
      return
    event.preventDefault()
    focusIndex.value = next
    active.value = next
    ;(items.value[next] as HTMLElement | SVGElement | undefined)?.focus()
  }

  return {
    active,
    focusIndex,
    items,
    hover,
    focus,
    leave,
    onKeydown,
  }
}
