/** An attachment's refusal or upload failure as a sentence in the UI's language. */
import type { AttachmentCheck } from './check'
import type { MediaKind } from '~/protocol/media'
import { i18n } from '#i18n'
import { isApiError } from '~/utils/api/client'
import { formatAttachmentSize } from './check'

function kindLabel(kind: MediaKind): string {
  switch (kind) {
    case 'image': return i18n.t('composer.attachment.kinds.image')
    case 'video': return i18n.t('composer.attachment.kinds.video')
    case 'audio': return i18n.t('composer.attachment.kinds.audio')
    case 'sticker': return i18n.t('composer.attachment.kinds.sticker')
    case 'document': return i18n.t('composer.attachment.kinds.document')
  }
}

/** Why a file was refused before upload, as a sentence. */
export function attachmentCheckMessage(file: Pick<File, 'name'>, check: Exclude<AttachmentCheck, { ok: true }>): string {
  switch (check.reason) {
    case 'empty':
      return i18n.t('composer.attachment.errors.empty', [file.name])
    case 'too_large':
      return i18n.t('composer.attachment.errors.tooLarge', [
        file.name,
        kindLabel(check.kind!),
        formatAttachmentSize(check.maxBytes!),
      ])
    case 'unsupported':
      return i18n.t('composer.attachment.errors.unsupported', [file.name])
  }
}

/** An upload failure (ApiError codes, never the server's message) as a sentence. */
export function uploadErrorMessage(error: unknown): string {
  if (!isApiError(error))
    return i18n.t('composer.attachment.errors.generic', ['?'])
  switch (error.code) {
    case 'offline': return i18n.t('composer.attachment.errors.offline')
    case 'media_too_large':
    case 'payload_too_large': return i18n.t('composer.attachment.errors.mediaTooLarge')
    case 'media_type_unsupported':
    case 'unsupported_media_type': return i18n.t('composer.attachment.errors.mediaTypeUnsupported')
    case 'whatsapp_error': return i18n.t('composer.attachment.errors.whatsapp')
    case 'unauthorized': return i18n.t('composer.attachment.errors.signedOut')
    case 'not_found':
    case 'forbidden': return i18n.t('composer.attachment.errors.forbidden')
    case 'rate_limited': return i18n.t('composer.attachment.errors.rateLimited')
  }
  return i18n.t('composer.attachment.errors.generic', [error.code])
}
