import type { Message } from '~/utils/db'
import { i18n } from '#i18n'

/** A one-line summary of a quoted message: its text, else its kind. */
export function quotedMessageText(message: Message): string {
  const content = message.content
  for (const key of [
    'body',
    'caption',
    'text',
    'filename',
    'name',
  ]) {
    const value = content[key]
    if (typeof value === 'string' && value.trim())
      return value.trim()
  }
  switch (message.type) {
    case 'image': return i18n.t('chat.list.media.image')
    case 'video': return i18n.t('chat.list.media.video')
    case 'audio': return i18n.t('chat.list.media.audio')
    case 'document': return i18n.t('chat.list.media.document')
    case 'sticker': return i18n.t('chat.list.media.sticker')
    case 'location': return i18n.t('chat.list.media.location')
    case 'contacts': return i18n.t('chat.list.media.contacts')
    case 'template': return i18n.t('chat.list.media.template')
  }
  return i18n.t('chat.list.media.other')
}
