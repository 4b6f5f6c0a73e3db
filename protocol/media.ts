/**
 * What WhatsApp accepts for each media type (reference §2.6). The server refuses anything else
 * before uploading; the extension can use the same table to warn before the upload starts.
 */
export const MEDIA_RULES = {
  image: {
    mimeTypes: ['image/jpeg', 'image/png'],
    maxBytes: 5 * 1024 * 1024,
  },
  sticker: {
    mimeTypes: ['image/webp'],
    maxBytes: 500 * 1024,
  },
  audio: {
    mimeTypes: [
      'audio/aac',
      'audio/amr',
      'audio/mpeg',
      'audio/mp4',
      'audio/ogg',
    ],
    maxBytes: 16 * 1024 * 1024,
  },
  video: {
    mimeTypes: ['video/mp4', 'video/3gpp'],
    maxBytes: 16 * 1024 * 1024,
  },
  document: {
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * 1024 * 1024,
  },
} as const

export type MediaKind = keyof typeof MEDIA_RULES

/** The WhatsApp media kind for a MIME type (parameters such as `; codecs=opus` ignored), or null. */
export function mediaKindOf(mimeType: string): MediaKind | null {
  const base = mimeType.split(';')[0]!.trim().toLowerCase()
  for (const [kind, rule] of Object.entries(MEDIA_RULES) as Array<[MediaKind, typeof MEDIA_RULES[MediaKind]]>) {
    if ((rule.mimeTypes as readonly string[]).includes(base))
      return kind
  }
  return null
}
