/** Files the agent attaches, checked against WhatsApp's type and size limits before upload. */
import type { MediaKind } from '~/protocol/media'
import { MEDIA_RULES, mediaKindOf } from '~/protocol/media'
import { uiLocale } from '~/utils/page-document'

/** MIME types some systems report for files WhatsApp accepts under another name. */
const MIME_ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/opus': 'audio/ogg',
  'audio/x-aac': 'audio/aac',
  'video/3gp': 'video/3gpp',
}

/** For files the system gives no (or a generic) type: by extension. */
const MIME_BY_EXTENSION: Record<string, string> = {
  'jpg': 'image/jpeg',
  'jpeg': 'image/jpeg',
  'png': 'image/png',
  'webp': 'image/webp',
  'mp4': 'video/mp4',
  '3gp': 'video/3gpp',
  'mp3': 'audio/mpeg',
  'aac': 'audio/aac',
  'amr': 'audio/amr',
  'ogg': 'audio/ogg',
  'opus': 'audio/ogg',
  'm4a': 'audio/mp4',
  'txt': 'text/plain',
  'pdf': 'application/pdf',
  'doc': 'application/msword',
  'docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'xls': 'application/vnd.ms-excel',
  'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'ppt': 'application/vnd.ms-powerpoint',
  'pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
}

/** The MIME type to upload a file as: its own when WhatsApp knows it, else one from the extension. */
export function attachmentMimeType(file: Pick<File, 'name' | 'type'>): string {
  const own = file.type.split(';')[0]!.trim().toLowerCase()
  const aliased = MIME_ALIASES[own] ?? own
  if (mediaKindOf(aliased))
    return aliased
  const extension = /\.(\w+)$/.exec(file.name)?.[1]?.toLowerCase()
  return (extension && MIME_BY_EXTENSION[extension]) || aliased
}

export type AttachmentCheck
  = | { ok: true, kind: MediaKind, mimeType: string }
    | { ok: false, reason: 'unsupported' | 'too_large' | 'empty', kind: MediaKind | null, mimeType: string, maxBytes?: number }

/** WhatsApp's type and size limits (reference §2.6, protocol/media.ts), before anything is uploaded. */
export function checkAttachment(file: Pick<File, 'name' | 'type' | 'size'>): AttachmentCheck {
  const mimeType = attachmentMimeType(file)
  const kind = mediaKindOf(mimeType)
  if (!kind) {
    return {
      ok: false,
      reason: 'unsupported',
      kind: null,
      mimeType,
    }
  }
  if (file.size === 0) {
    return {
      ok: false,
      reason: 'empty',
      kind,
      mimeType,
    }
  }
  const maxBytes = MEDIA_RULES[kind].maxBytes
  if (file.size > maxBytes) {
    return {
      ok: false,
      reason: 'too_large',
      kind,
      mimeType,
      maxBytes,
    }
  }
  return { ok: true, kind, mimeType }
}

/** `5 MB`, `480 KB`, in the language shown. */
export function formatAttachmentSize(bytes: number, locale = uiLocale()): string {
  const [value, unit] = bytes >= 1024 * 1024
    ? [bytes / (1024 * 1024), 'megabyte']
    : bytes >= 1024
      ? [bytes / 1024, 'kilobyte']
      : [bytes, 'byte']
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(value)
}

/** An object URL for an image or sticker thumbnail; null for other kinds (or when it fails). */
export function attachmentPreviewUrl(file: File, kind: MediaKind): string | null {
  if (kind !== 'image' && kind !== 'sticker')
    return null
  try {
    return URL.createObjectURL(file)
  }
  catch {
    return null // no thumbnail, the file name shows
  }
}

export interface Attachment {
  file: File
  kind: MediaKind
  mimeType: string
  /** an object URL for an image thumbnail */
  previewUrl: string | null
}

/** The attachment for a file WhatsApp accepts, with a thumbnail for images and stickers. */
export function toAttachment(file: File, check: Extract<AttachmentCheck, { ok: true }>): Attachment {
  return {
    file,
    kind: check.kind,
    mimeType: check.mimeType,
    previewUrl: attachmentPreviewUrl(file, check.kind),
  }
}
