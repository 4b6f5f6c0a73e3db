/**
 * A media message's file for its bubble (components/conversation/message/MessageMedia.vue):
 * downloaded once from the server into an object URL (the server wants the session's token, so
 * no `<img src>` to the API), revoked when the calling scope ends.
 */
import type { MaybeRefOrGetter, Ref } from 'vue'
import type { Message } from '~/utils/db'
import { computed, onScopeDispose, ref, shallowRef, toValue } from 'vue'
import { fetchMessageMedia } from '~/utils/messages/api'
import { isOnServer } from '~/utils/messages/media'

export type MediaState = 'idle' | 'loading' | 'ready' | 'error'

export interface MessageMedia {
  state: Ref<MediaState>
  /** the object URL once loaded */
  url: Readonly<Ref<string | null>>
  /** false for a local copy not yet on the server: nothing to download */
  onServer: Readonly<Ref<boolean>>
  /** Loads the media once (concurrent calls share the request); the object URL, null on failure. */
  load: () => Promise<string | null>
}

export function useMessageMedia(message: MaybeRefOrGetter<Message>): MessageMedia {
  const state = ref<MediaState>('idle')
  const url = shallowRef<string | null>(null)
  const onServer = computed(() => isOnServer(toValue(message)))
  let pending: Promise<string | null> | null = null
  let disposed = false

  function load(): Promise<string | null> {
    if (url.value)
      return Promise.resolve(url.value)
    if (pending)
      return pending
    state.value = 'loading'
    pending = fetchMessageMedia(toValue(message).id).then((blob) => {
      if (disposed)
        return null // gone meanwhile: no object URL that nobody would revoke
      url.value = URL.createObjectURL(blob)
      state.value = 'ready'
      return url.value
    }).catch((error: unknown) => {
      console.warn('[wa-inbox] media download failed', error)
      if (!disposed)
        state.value = 'error'
      return null
    }).finally(() => {
      pending = null
    })
    return pending
  }

  onScopeDispose(() => {
    disposed = true
    if (url.value)
      URL.revokeObjectURL(url.value)
  })

  return { state, url, onServer, load }
}
