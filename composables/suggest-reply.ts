/**
 * "Suggest reply" in the composer: asks the server for a draft (`POST
 * /api/conversations/:id/suggest-reply`, never sent by itself) and says where it came from. An
 * answer for a conversation the agent has left is dropped.
 */
import type { MaybeRefOrGetter } from 'vue'
import { ref, toValue, watch } from 'vue'
import { ApiError, isApiError } from '~/utils/api/client'
import { suggestReply } from '~/utils/bots/api'
import { suggestionSource } from '~/utils/bots/suggest'
import { describeSuggestError } from '~/utils/bots/text'

export type SuggestResult = { ok: true, text: string } | { ok: false, error: string }

export function useSuggestReply(conversationId: MaybeRefOrGetter<string>, online: MaybeRefOrGetter<boolean> = true) {
  const suggesting = ref(false)
  /** where the last suggestion came from (cleared with the draft) */
  const source = ref<string | null>(null)
  let generation = 0

  watch(() => toValue(conversationId), () => {
    generation++
    suggesting.value = false
    source.value = null
  })

  /** Null when the answer no longer matters (another conversation, or already asking). */
  async function suggest(): Promise<SuggestResult | null> {
    if (suggesting.value)
      return null
    const mine = ++generation
    source.value = null
    if (!toValue(online)) {
      return {
        ok: false,
        error: describeSuggestError(new ApiError('offline', 'navigator.onLine is false', 0)),
      }
    }
    suggesting.value = true
    try {
      const suggestion = await suggestReply(toValue(conversationId))
      if (mine !== generation)
        return null
      if (suggestion.text.trim() === '') {
        return {
          ok: false,
          error: describeSuggestError(new ApiError('no_suggestion', 'empty suggestion', 422)),
        }
      }
      source.value = suggestionSource(suggestion)
      return { ok: true, text: suggestion.text }
    }
    catch (error) {
      if (mine !== generation)
        return null
      if (!isApiError(error))
        console.error('[wa-inbox] no suggestion', error)
      return {
        ok: false,
        error: describeSuggestError(error),
      }
    }
    finally {
      if (mine === generation)
        suggesting.value = false
    }
  }

  return { suggesting, source, suggest }
}
