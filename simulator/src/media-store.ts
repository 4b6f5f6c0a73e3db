// Media the simulator holds: business uploads (`POST /{phone-number-id}/media`, valid 30 days) and
// customer media from `receive()` (valid 7 days). `GET /{media-id}` hands out a download URL that
// expires after 5 minutes of simulator time and needs the bearer token, like Meta's lookaside URLs.

import { Buffer } from 'node:buffer'
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

const MB = 1024 * 1024
const DAY = 24 * 60 * 60 * 1000

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker'

/** Accepted MIME types and size limits per kind [MEDIA]. */
export const MEDIA_LIMITS: Record<MediaKind, { types: string[], maxBytes: number }> = {
  image: {
    types: ['image/jpeg', 'image/png'],
    maxBytes: 5 * MB,
  },
  audio: {
    types: [
      'audio/aac',
      'audio/amr',
      'audio/mpeg',
      'audio/mp4',
      'audio/ogg',
    ],
    maxBytes: 16 * MB,
  },
  video: {
    types: ['video/mp4', 'video/3gpp'],
    maxBytes: 16 * MB,
  },
  document: {
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  // Animated stickers may reach 500 KB, static ones 100 KB; an upload cannot tell them apart.
  sticker: {
    types: ['image/webp'],
    maxBytes: 500 * 1024,
  },
}

export const URL_TTL_MS = 5 * 60 * 1000

export function baseMime(mimeType: string): string {
  return mimeType.split(';')[0]!.trim().toLowerCase()
}

export function mediaKindOf(mimeType: string): MediaKind | undefined {
  const base = baseMime(mimeType)
  if (base === 'image/webp')
    return 'sticker'
  return (Object.keys(MEDIA_LIMITS) as MediaKind[]).find(kind => MEDIA_LIMITS[kind].types.includes(base))
}

export interface StoredMedia {
  id: string
  bytes: Uint8Array
  mimeType: string
  sha256Hex: string
  sha256Base64: string
  createdAt: number
  expiresAt: number
  origin: 'upload' | 'inbound'
  deleted: boolean
}

export interface MediaStore {
  put: (bytes: Uint8Array, mimeType: string, origin: StoredMedia['origin']) => StoredMedia
  get: (id: string) => StoredMedia | undefined
  delete: (id: string) => boolean
  /** The download URL for `GET /{media-id}`: lookaside-style, with a signed 5-minute expiry. */
  issueUrl: (media: StoredMedia, baseUrl: string) => string
  /** Resolves a download request's query to the media, or why it fails. */
  resolveDownload: (query: URLSearchParams) => StoredMedia | 'expired' | 'not_found'
}

export function createMediaStore(options: { now: () => number, newId: () => string, secret: string }): MediaStore {
  const items = new Map<string, StoredMedia>()
  const sign = (mid: string, ext: string) =>
    createHmac('sha256', options.secret).update(`${mid}:${ext}`).digest('base64url').slice(0, 32)

  return {
    put(bytes, mimeType, origin) {
      const now = options.now()
      const media: StoredMedia = {
        id: options.newId(),
        bytes,
        mimeType,
        sha256Hex: createHash('sha256').update(bytes).digest('hex'),
        sha256Base64: createHash('sha256').update(bytes).digest('base64'),
        createdAt: now,
        expiresAt: now + (origin === 'upload'
          ? 30
          : 7) * DAY,
        origin,
        deleted: false,
      }
      items.set(media.id, media)
      return media
    },
    get(id) {
      const media = items.get(id)
      if (!media || media.deleted || media.expiresAt <= options.now())
        return undefined
      return media
    },
    delete(id) {
      const media = items.get(id)
      if (!media || media.deleted)
        return false
      media.deleted = true
      return true
    },
    issueUrl(media, baseUrl) {
      const ext = String(Math.floor((options.now() + URL_TTL_MS) / 1000))
      const query = new URLSearchParams({
        mid: media.id,
        ext,
        hash: sign(media.id, ext),
      })
      return `${baseUrl}/whatsapp_business/attachments/?${query}`
    },
    resolveDownload(query) {
      const mid = query.get('mid') ?? ''
      const ext = query.get('ext') ?? ''
      const hash = query.get('hash') ?? ''
      const expected = Buffer.from(sign(mid, ext))
      const given = Buffer.from(hash)
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return 'not_found'
      const media = items.get(mid)
      if (!media || media.deleted)
        return 'not_found'
      if (Number(ext) * 1000 <= options.now())
        return 'expired'
      return media
    },
  }
}
