/**
 * WhatsApp's 24-hour customer service window (reference §4.1): free-form messages only until
 * `Conversation.windowExpiresAt`; after it (or when the customer never wrote) only approved
 * templates. The server refuses a late free-form message with `window_closed` anyway; this is
 * what the composer and the countdown show.
 */
import type { MaybeRefOrGetter } from 'vue'
import { computed, onScopeDispose, ref, toValue, watch } from 'vue'
import { windowState } from '~/utils/messages/window'

/** How often the clock ticks: the countdown shows minutes, so 30 s is precise enough. */
export const WINDOW_TICK_MS = 30_000

/** Under this, the countdown turns to the warning colour. */
export const WINDOW_WARNING_MS = 60 * 60_000

export interface ServiceWindowOptions {
  now?: () => number
  tickMs?: number
}

/**
 * The window of a conversation, recomputed every `tickMs` and exactly when it closes (so the
 * composer turns into the template picker on time, not up to a tick late).
 */
export function useServiceWindow(expiresAt: MaybeRefOrGetter<number | null | undefined>, options: ServiceWindowOptions = {}) {
  const clock = options.now ?? Date.now
  const tickMs = options.tickMs ?? WINDOW_TICK_MS
  const now = ref(clock())
  let timer: ReturnType<typeof setTimeout> | undefined

  function schedule(): void {
    clearTimeout(timer)
    now.value = clock()
    const { remainingMs } = windowState(toValue(expiresAt), now.value)
    // Tick every `tickMs`; the last tick lands on the closing time itself.
    const delay = remainingMs > 0
      ? Math.min(tickMs, remainingMs)
      : tickMs
    timer = setTimeout(schedule, delay)
  }

  watch(() => toValue(expiresAt), schedule, { immediate: true })
  onScopeDispose(() => clearTimeout(timer))

  const state = computed(() => windowState(toValue(expiresAt), now.value))
  return {
    now,
    open: computed(() => state.value.open),
    remainingMs: computed(() => state.value.remainingMs),
  }
}
