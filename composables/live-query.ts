import type { ComputedRef, WatchSource } from 'vue'
import { liveQuery } from 'dexie'
import { computed, onScopeDispose, shallowRef, watch } from 'vue'

export interface LiveQuery<T> {
  /** the latest result (`initial` until the first one arrives) */
  data: ComputedRef<T>
  /** the query's last error, cleared by the next result */
  error: ComputedRef<unknown>
  /** true once a result (or an error) arrived for the current source */
  loaded: ComputedRef<boolean>
}

export interface LiveQueryOptions<S> {
  /** Re-subscribe when this changes; the query receives its value (ids, filters …). */
  source?: WatchSource<S>
  /** Keep the previous result while a new source's first result is on its way (default: reset to `initial`). */
  keepPrevious?: boolean
}

/**
 * The one bridge from Dexie to Vue: a `liveQuery` whose result is a read-only ref, re-run by Dexie
 * whenever a committed write (in any extension page or the background) touches what it read, and
 * re-subscribed when `source` changes. The subscription ends with the calling scope (component,
 * store, effect scope). Keep the query a pure Dexie read: no `fetch` or `browser.*` awaits inside
 * (Dexie's rules for the querier).
 */
export function useLiveQuery<T, S = undefined>(
  query: (input: S) => T | Promise<T>,
  initial: T,
  options: LiveQueryOptions<S> = {},
): LiveQuery<T> {
  const data = shallowRef<T>(initial)
  const error = shallowRef<unknown>()
  const loaded = shallowRef(false)
  let subscription: { unsubscribe: () => void } | undefined

  function subscribe(input: S): void {
    subscription?.unsubscribe()
    loaded.value = false
    if (!options.keepPrevious)
      data.value = initial
    // An async querier: Dexie then follows its awaits in the live query's zone (wrapped in a plain
    // function, the reports page's first answer came after the page had rendered without it).
    subscription = liveQuery(async () => await query(input)).subscribe({
      next: (value) => {
        data.value = value
        error.value = undefined
        loaded.value = true
      },
      error: (reason: unknown) => {
        error.value = reason
        loaded.value = true
        console.error('[wa-inbox] live query failed', reason)
      },
    })
  }

  if (options.source)
    watch(options.source, input => subscribe(input), { immediate: true })
  else
    subscribe(undefined as S)
  onScopeDispose(() => subscription?.unsubscribe())

  return {
    data: computed(() => data.value),
    error: computed(() => error.value),
    loaded: computed(() => loaded.value),
  }
}
