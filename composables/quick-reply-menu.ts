/** The composer's quick-reply menu. */
import type { Ref } from 'vue'
import type { QuickReply } from '~/utils/db'
import { computed, ref, watch } from 'vue'
import { filterQuickReplies, slashQuery } from '~/utils/composer/quick-replies'
import { db } from '~/utils/db'
import { useLiveQuery } from './live-query'

/**
 * The quick-reply menu: opens by itself while the text is `/query` (until Escape), or from the
 * button (`browse`, the whole list). Arrow keys move the active item.
 */
export function useQuickReplyMenu(text: Ref<string>) {
  const { data: replies } = useLiveQuery(() => db.quickReplies.toArray(), [] as QuickReply[])
  const browsing = ref(false)
  const dismissed = ref(false)
  const active = ref(0)

  const slash = computed(() => slashQuery(text.value))
  const mode = computed<'closed' | 'slash' | 'browse'>(() => {
    if (slash.value !== null && !dismissed.value)
      return 'slash'
    return browsing.value
      ? 'browse'
      : 'closed'
  })
  const query = computed(() => mode.value === 'slash'
    ? slash.value!
    : '')
  const items = computed(() => filterQuickReplies(replies.value, query.value))

  // Escape closes the menu for the text as it is; typing on opens it again.
  watch(slash, (value) => {
    dismissed.value = false
    if (value !== null)
      browsing.value = false
  })
  watch(items, () => {
    active.value = 0
  })

  function openBrowse(): void {
    browsing.value = true
    dismissed.value = slash.value !== null
    active.value = 0
  }

  function close(): void {
    browsing.value = false
    if (slash.value !== null)
      dismissed.value = true
  }

  function move(step: number): void {
    const count = items.value.length
    if (count > 0)
      active.value = (active.value + step + count) % count
  }

  return {
    replies,
    mode,
    open: computed(() => mode.value !== 'closed'),
    query,
    items,
    active,
    activeItem: computed(() => items.value[active.value] ?? null),
    openBrowse,
    close,
    move,
  }
}
