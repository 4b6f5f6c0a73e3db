import { beforeEach, describe, expect, it } from 'vitest'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { useEnglishMessages } from '~/components/composer/__tests__/helpers'
import { ApiError } from '~/utils/api/client'
import { attachmentMimeType, checkAttachment, formatAttachmentSize } from '~/utils/attachments/check'
import { attachmentCheckMessage, uploadErrorMessage } from '~/utils/attachments/messages'

const KB = 1024
const MB = 1024 * KB

describe('checkAttachment', () => {
  // WhatsApp's limits, reference §2.6.
  it.each([
    [
      'photo.jpg',
      'image/jpeg',
      5 * MB,
      true,
      'image',
    ],
    [
      'photo.png',
      'image/png',
      5 * MB + 1,
      false,
      'image',
    ],
    [
      'clip.mp4',
      'video/mp4',
      16 * MB,
      true,
      'video',
    ],
    [
      'clip.3gp',
      '',
      16 * MB + 1,
      false,
      'video',
    ],
    [
      'voice.ogg',
      'audio/ogg',
      16 * MB,
      true,
      'audio',
    ],
    [
      'song.mp3',
      'audio/mp3',
      3 * MB,
      true,
      'audio',
    ],
    [
      'report.pdf',
      'application/pdf',
      100 * MB,
      true,
      'document',
    ],
    [
      'report.pdf',
      'application/pdf',
      100 * MB + 1,
      false,
      'document',
    ],
    [
      'sticker.webp',
      'image/webp',
      500 * KB,
      true,
      'sticker',
    ],
    [
      'sticker.webp',
      'image/webp',
      500 * KB + 1,
      false,
      'sticker',
    ],
  ])('%s (%s, %i bytes) → ok %s as %s', (name, type, size, ok, kind) => {
    const check = checkAttachment({ name, type, size })
    expect(check.ok).toBe(ok)
    expect(check.kind).toBe(kind)
    if (!check.ok)
      expect(check.reason).toBe('too_large')
  })

  it('refuses types WhatsApp does not take, and empty files', () => {
    expect(checkAttachment({ name: 'anim.gif', type: 'image/gif', size: 10 })).toMatchObject({ ok: false, reason: 'unsupported', kind: null })
    expect(checkAttachment({ name: 'setup.exe', type: 'application/octet-stream', size: 10 })).toMatchObject({ ok: false, reason: 'unsupported' })
    expect(checkAttachment({ name: 'empty.pdf', type: 'application/pdf', size: 0 })).toMatchObject({ ok: false, reason: 'empty' })
  })
})

describe('attachmentMimeType', () => {
  it.each([
    [
      { name: 'a.JPG', type: 'image/jpg' },
      'image/jpeg',
    ],
    [
      { name: 'a.m4a', type: 'audio/x-m4a' },
      'audio/mp4',
    ],
    [
      { name: 'a.docx', type: '' },
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    [
      { name: 'a.3gp', type: 'application/octet-stream' },
      'video/3gpp',
    ],
    [
      { name: 'a.gif', type: 'image/gif' },
      'image/gif',
    ],
  ])('%j → %s', (file, type) => {
    expect(attachmentMimeType(file)).toBe(type)
  })
})

describe('messages', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    useEnglishMessages()
  })

  it('says which limit a file breaks', () => {
    expect(formatAttachmentSize(5 * MB, 'en')).toBe('5 MB')
    expect(formatAttachmentSize(500 * KB, 'en')).toBe('500 kB')
    const check = checkAttachment({ name: 'big.png', type: 'image/png', size: 6 * MB })
    expect(check.ok).toBe(false)
    if (!check.ok)
      expect(attachmentCheckMessage({ name: 'big.png' }, check)).toBe('“big.png” is too large: WhatsApp accepts photos up to 5 MB.')
  })

  it.each([
    ['offline', 'Sending files needs the server'],
    ['media_too_large', 'too large'],
    ['media_type_unsupported', 'does not accept this type'],
    ['whatsapp_error', 'WhatsApp refused the upload'],
    ['internal_error', 'The upload failed (internal_error)'],
  ] as const)('translates %s', (code, text) => {
    expect(uploadErrorMessage(new ApiError(code, 'server text, never shown', 500))).toContain(text)
  })
})
