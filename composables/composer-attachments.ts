/** The composer's attachment: a file checked, previewed, uploaded and sent. */
import type { MaybeRefOrGetter } from 'vue'
import type { Attachment } from '~/utils/attachments/check'
import { onScopeDispose, ref, shallowRef, toValue, watch } from 'vue'
import { isApiError } from '~/utils/api/client'
import { checkAttachment, toAttachment } from '~/utils/attachments/check'
import { attachmentCheckMessage, uploadErrorMessage } from '~/utils/attachments/messages'
import { sendAttachment } from '~/utils/attachments/upload'

/** One file waiting to be sent: checked, previewed, uploaded, then sent as a media message. */
export function useAttachment(conversationId: MaybeRefOrGetter<string>) {
  const attachment = shallowRef<Attachment | null>(null)
  const caption = ref('')
  const error = ref<string | null>(null)
  const uploading = ref(false)

  function release(): void {
    if (attachment.value?.previewUrl)
      URL.revokeObjectURL(attachment.value.previewUrl)
    attachment.value = null
    caption.value = ''
  }

  /** Takes a file if WhatsApp accepts it; answers whether it did (else `error` says why). */
  function choose(file: File): boolean {
    if (uploading.value)
      return false
    const check = checkAttachment(file)
    if (!check.ok) {
      error.value = attachmentCheckMessage(file, check)
      return false
    }
    release()
    error.value = null
    attachment.value = toAttachment(file, check)
    return true
  }

  function remove(): void {
    if (!uploading.value)
      release()
  }

  /** Uploads and sends the attachment with its caption; answers whether it was sent. */
  async function send(replyTo: string | null): Promise<boolean> {
    const current = attachment.value
    if (!current || uploading.value)
      return false
    const id = toValue(conversationId)
    uploading.value = true
    error.value = null
    try {
      await sendAttachment(id, current, caption.value, replyTo)
      uploading.value = false
      release()
      return true
    }
    catch (err) {
      if (!isApiError(err))
        console.error('[wa-inbox] attachment not sent', err)
      error.value = uploadErrorMessage(err)
      return false
    }
    finally {
      uploading.value = false
    }
  }

  // Another conversation: the file was meant for this one.
  watch(() => toValue(conversationId), () => {
    if (!uploading.value)
      release()
    error.value = null
  })
  onScopeDispose(release)

  return {
    attachment,
    caption,
    error,
    uploading,
    choose,
    remove,
    send,
  }
}
