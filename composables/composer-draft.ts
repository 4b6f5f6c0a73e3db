/** The composer's draft, kept per conversation in Dexie. */
import type { MaybeRefOrGetter, Ref } from 'vue'
import { onScopeDispose, ref, toValue, watch } from 'vue'
import { writeDraft } from '~/utils/composer/drafts'
import { DRAFT_SAVE_DELAY_MS } from '~/utils/composer/limits'
import { db } from '~/utils/db'

export interface DraftOptions {
  /** the draft of a newly shown conversation was read (empty text and no reply: there is none) */
  onRestore: (draft: { text: string, replyToId: string | null }) => void
  delayMs?: number
}

/**
 * Keeps `text` and `replyToId` in `db.drafts` for the shown conversation: saved shortly after
 * typing stops (at once when the conversation changes or the composer goes away), restored when
 * a conversation is shown, deleted when empty or sent.
 */
export function useComposerDraft(conversationId: MaybeRefOrGetter<string>, text: Ref<string>, replyToId: MaybeRefOrGetter<string | null>, options: DraftOptions) {
  const delayMs = options.delayMs ?? DRAFT_SAVE_DELAY_MS
  const loaded = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending: (() => Promise<void>) | undefined
  /** what the database holds for the shown conversation (skips saving what was just restored) */
  let saved = { text: '', replyToId: null as string | null }
  let generation = 0

  /** Saves what is waiting now. */
  function flush(): Promise<void> {
    clearTimeout(timer)
    const run = pending
    pending = undefined
    return run
      ? run().catch(error => console.error('[wa-inbox] draft not saved', error))
      : Promise.resolve()
  }

  function schedule(): void {
    if (!loaded.value)
      return
    const id = toValue(conversationId)
    const value = text.value
    const reply = toValue(replyToId)
    if (value === saved.text && reply === saved.replyToId) {
      clearTimeout(timer)
      pending = undefined
      return
    }
    saved = { text: value, replyToId: reply }
    clearTimeout(timer)
    pending = () => writeDraft(db, id, value, reply)
    timer = setTimeout(() => void flush(), delayMs)
  }

  watch(() => toValue(conversationId), async (id) => {
    const mine = ++generation
    void flush()
    loaded.value = false
    const draft = await db.drafts.get(id).catch(() => undefined)
    if (mine !== generation)
      return
    saved = { text: draft?.text ?? '', replyToId: draft?.replyToId ?? null }
    loaded.value = true
    options.onRestore({ ...saved })
  }, { immediate: true })

  watch([
    text,
    () => toValue(replyToId),
  ], schedule)

  onScopeDispose(() => void flush())

  /** After sending: forget the draft of this conversation. */
  async function clear(): Promise<void> {
    clearTimeout(timer)
    pending = undefined
    saved = { text: '', replyToId: null }
    await db.drafts.delete(toValue(conversationId))
  }

  return { loaded, flush, clear }
}
