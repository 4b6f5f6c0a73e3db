import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted, ref } from 'vue'

/**
 * The width of an element in CSS pixels, kept current with a ResizeObserver (`fallback` until
 * measured, and where there is no layout, as in tests).
 */
export function useElementWidth(element: Ref<HTMLElement | null | undefined>, fallback = 640): Ref<number> {
  const width = ref(fallback)
  let observer: ResizeObserver | null = null
  onMounted(() => {
    const target = element.value
    if (!target)
      return
    const measure = (): void => {
      const measured = target.getBoundingClientRect().width
      if (measured > 0)
        width.value = Math.round(measured)
    }
    measure()
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(measure)
      observer.observe(target)
    }
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
