/**
 * The conversation composer's behaviour (components/composer/Composer.vue renders it): the
 * draft kept per conversation, the quick-reply menu, attachments checked against WhatsApp's
 * limits and uploaded to the server, and sending through the outbox (utils/actions).
 */
import type { MaybeRefOrGetter, Ref } from 'vue'
import type { MediaKind } from '~/protocol/media'
import type { SendMessage, UploadedMedia } from '~/protocol/messages'
import type { Contact, Conversation, Message, QuickReply } from '~/utils/db'
import { computed, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue'
import { i18n } from '#i18n'
import { MEDIA_RULES, mediaKindOf } from '~/protocol/media'
import { createActions } from '~/utils/actions'
import { ApiError, isApiError } from '~/utils/api/client'
import { normalizeText } from '~/utils/chats/text'
import { db } from '~/utils/db'
import { postConversationMedia } from '~/utils/messages/api'
import { uiLocale } from '~/utils/page-document'
import { authSessionStorage } from '~/utils/session'
import { useLiveQuery } from './live-query'

/** WhatsApp's limit for a text message (reference §2.2). */
export const TEXT_MAX_LENGTH = 4096
/** …and for a caption on an image, video or document. */
export const CAPTION_MAX_LENGTH = 1024
/** How long typing pauses before the draft is saved. */
export const DRAFT_SAVE_DELAY_MS = 400

// ---------------------------------------------------------------------------------------------
// Sending

/** Sends through the outbox as the signed-in agent (queued when offline). */
export async function sendThroughOutbox(conversationId: string, message: SendMessage, content: Record<string, unknown> = {}): Promise<void> {
  const session = await authSessionStorage.getValue()
  if (!session || session.expired)
    throw new ApiError('unauthorized', 'not signed in', 401)
  await createActions({ agentId: session.agent.id }).send(conversationId, message, content)
}

// ---------------------------------------------------------------------------------------------
// Conversation context

export interface ComposerContext {
  /** the first answer arrived */
  loaded: boolean
  conversation: Conversation | undefined
  contact: Contact | undefined
  /** the message being replied to, when it belongs to this conversation */
  replyTo: Message | undefined
}

/** The conversation, its contact (the synced one, else the embedded copy) and the quoted message. */
export function useComposerContext(conversationId: MaybeRefOrGetter<string>, replyToId: MaybeRefOrGetter<string | null>) {
  const { data } = useLiveQuery(async ([id, replyId]): Promise<ComposerContext> => {
    const [conversation, replyTo] = await Promise.all([
      db.conversations.get(id),
      replyId
        ? db.messages.get(replyId)
        : undefined,
    ])
    const contact = conversation
      ? (await db.contacts.get(conversation.contactId)) ?? conversation.contact
      : undefined
    return {
      loaded: true,
      conversation,
      contact,
      replyTo: replyTo?.conversationId === id
        ? replyTo
        : undefined,
    }
  }, {
    loaded: false,
    conversation: undefined,
    contact: undefined,
    replyTo: undefined,
  }, {
    source: () => [
      toValue(conversationId),
      toValue(replyToId),
    ] as const,
    // Another conversation: the composer keeps the last answer until the new one arrives.
    keepPrevious: true,
  })
  return {
    loaded: computed(() => data.value.loaded),
    conversation: computed(() => data.value.conversation),
    contact: computed(() => data.value.contact),
    replyTo: computed(() => data.value.replyTo),
  }
}

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
    case 'image': return i18n.t('sidepanel.chatList.media.image')
    case 'video': return i18n.t('sidepanel.chatList.media.video')
    case 'audio': return i18n.t('sidepanel.chatList.media.audio')
    case 'document': return i18n.t('sidepanel.chatList.media.document')
    case 'sticker': return i18n.t('sidepanel.chatList.media.sticker')
    case 'location': return i18n.t('sidepanel.chatList.media.location')
    case 'contacts': return i18n.t('sidepanel.chatList.media.contacts')
    case 'template': return i18n.t('sidepanel.chatList.media.template')
  }
  return i18n.t('sidepanel.chatList.media.other')
}

// ---------------------------------------------------------------------------------------------
// Drafts

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

  async function write(id: string, value: string, reply: string | null): Promise<void> {
    if (value.trim() === '' && reply === null) {
      await db.drafts.delete(id)
    }
    else {
      await db.drafts.put({
        conversationId: id,
        text: value,
        replyToId: reply,
        updatedAt: Date.now(),
      })
    }
  }

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
    pending = () => write(id, value, reply)
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

// ---------------------------------------------------------------------------------------------
// Quick replies

/**
 * Quick replies whose shortcut or title matches `query` (accents and case ignored): shortcut
 * prefix matches first, then anything containing the query, each group by shortcut.
 */
export function filterQuickReplies(replies: QuickReply[], query: string): QuickReply[] {
  const q = normalizeText(query)
  const sorted = [...replies].sort((a, b) => a.shortcut.localeCompare(b.shortcut))
  if (!q)
    return sorted
  const prefix = sorted.filter(reply => normalizeText(reply.shortcut).startsWith(q))
  const rest = sorted.filter(reply => !prefix.includes(reply) && (normalizeText(reply.shortcut).includes(q) || normalizeText(reply.title).includes(q)))
  return [
    ...prefix,
    ...rest,
  ]
}

/** The text typed after a leading `/` (the quick-reply search), or null. */
export function slashQuery(text: string): string | null {
  const match = /^\/([^\n]*)$/.exec(text)
  return match
    ? match[1]!
    : null
}

/**
 * The quick-reply menu: opens by itself while the text is `/query` (until Escape), or from the
 * button (`browse`, the whole list). Arrow keys move the active item.
 */
export function useQuickReplyMenu(text: Ref<string>) {
  const { data: replies } = useLiveQuery(() => db.quickReplies.toArray(), [] as QuickReply[])
  const browsing = ref(false)
  const dismissed = ref(false)
  const active = ref(0)

  const slash = computed(() => slashQuery(text.value))
  const mode = computed<'closed' | 'slash' | 'browse'>(() => {
    if (slash.value !== null && !dismissed.value)
      return 'slash'
    return browsing.value
      ? 'browse'
      : 'closed'
  })
  const query = computed(() => mode.value === 'slash'
    ? slash.value!
    : '')
  const items = computed(() => filterQuickReplies(replies.value, query.value))

  // Escape closes the menu for the text as it is; typing on opens it again.
  watch(slash, (value) => {
    dismissed.value = false
    if (value !== null)
      browsing.value = false
  })
  watch(items, () => {
    active.value = 0
  })

  function openBrowse(): void {
    browsing.value = true
    dismissed.value = slash.value !== null
    active.value = 0
  }

  function close(): void {
    browsing.value = false
    if (slash.value !== null)
      dismissed.value = true
  }

  function move(step: number): void {
    const count = items.value.length
    if (count > 0)
      active.value = (active.value + step + count) % count
  }

  return {
    replies,
    mode,
    open: computed(() => mode.value !== 'closed'),
    query,
    items,
    active,
    activeItem: computed(() => items.value[active.value] ?? null),
    openBrowse,
    close,
    move,
  }
}

// ---------------------------------------------------------------------------------------------
// Attachments

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

/** Uploads a file for a conversation (`POST /api/conversations/:id/media`); needs the server. */
export async function uploadConversationMedia(conversationId: string, file: File, mimeType = attachmentMimeType(file)): Promise<UploadedMedia> {
  // Upload under the type WhatsApp knows (a `.3gp` may come with an empty or generic type).
  const typed = file.type === mimeType
    ? file
    : new File([file], file.name, { type: mimeType })
  return await postConversationMedia(conversationId, typed)
}

export interface Attachment {
  file: File
  kind: MediaKind
  mimeType: string
  /** an object URL for an image thumbnail */
  previewUrl: string | null
}

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
    let previewUrl: string | null = null
    if (check.kind === 'image' || check.kind === 'sticker') {
      try {
        previewUrl = URL.createObjectURL(file)
      }
      catch {} // no thumbnail, the file name shows
    }
    attachment.value = {
      file,
      kind: check.kind,
      mimeType: check.mimeType,
      previewUrl,
    }
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
      const media = await uploadConversationMedia(id, current.file, current.mimeType)
      // WhatsApp takes no caption on audio and stickers (reference §2.2).
      const text = current.kind === 'audio' || current.kind === 'sticker'
        ? ''
        : caption.value.trim()
      await sendThroughOutbox(id, {
        clientId: crypto.randomUUID(),
        type: current.kind,
        mediaId: media.id,
        ...(text
          ? { caption: text }
          : {}),
        ...(replyTo
          ? { replyTo }
          : {}),
      }, { filename: media.filename ?? current.file.name, mimeType: media.mimeType, size: media.size })
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
