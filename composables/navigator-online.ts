import type { Ref } from 'vue'
import { onScopeDispose, ref } from 'vue'

/** `navigator.onLine`, kept current. */
export function useNavigatorOnline(): Ref<boolean> {
  const online = ref(typeof navigator === 'undefined' || navigator.onLine)
  const update = (): void => {
    online.value = navigator.onLine
  }
  window.addEventListener('online', update)
  window.addEventListener('offline', update)
  onScopeDispose(() => {
    window.removeEventListener('online', update)
    window.removeEventListener('offline', update)
  })
  return online
}
