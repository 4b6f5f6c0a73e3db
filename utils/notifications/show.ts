/**
 * Showing a notification: its id (kind and chat, read back on a click), its text in the agent's
 * language, its buttons (Chrome) and sound.
 */
import type { BackgroundPrefs, NotificationKind } from '../background-prefs'
import type { NotificationEvent } from './events'
import { browser } from 'wxt/browser'
import { i18n } from '#i18n'

const ID_PREFIX = 'wa-inbox'

export function notificationId(event: NotificationEvent, now = Date.now()): string {
  return [
    ID_PREFIX,
    event.kind,
    event.conversationId ?? '',
    now.toString(36),
  ].join('|')
}

export function parseNotificationId(id: string): { kind: NotificationKind, conversationId: string | null } | null {
  const [prefix, kind, conversationId] = id.split('|')
  if (prefix !== ID_PREFIX || !kind)
    return null
  return { kind: kind as NotificationKind, conversationId: conversationId || null }
}

/** The buttons (Chrome only: Firefox shows none, a click there means Open). */
export type NotificationButton = 'assign' | 'open'

export function buttonsFor(kind: NotificationKind): NotificationButton[] {
  return kind === 'waiting' || kind === 'handover'
    ? ['assign', 'open']
    : ['open']
}

export function notificationText(event: NotificationEvent): { title: string, message: string } {
  const who = event.who ?? i18n.t('background.notifications.someone')
  switch (event.kind) {
    case 'assigned':
      return {
        title: i18n.t('background.notifications.assignedTitle', [who]),
        message: event.text ?? i18n.t('background.notifications.assignedText'),
      }
    case 'message':
      return { title: who, message: event.text ?? i18n.t('background.notifications.messageText') }
    case 'waiting':
      return (event.count ?? 1) > 1
        ? {
            title: i18n.t('background.notifications.waitingManyTitle', [
              String(event.count),
            ]),
            message: i18n.t('background.notifications.waitingManyText'),
          }
        : {
            title: i18n.t('background.notifications.waitingTitle', [who]),
            message: event.text ?? i18n.t('background.notifications.waitingText'),
          }
    case 'failed':
      return {
        title: i18n.t('background.notifications.failedTitle', [who]),
        message: event.text ?? i18n.t('background.notifications.failedText'),
      }
    case 'handover':
      return {
        title: i18n.t('background.notifications.handoverTitle', [who]),
        message: i18n.t('background.notifications.handoverText'),
      }
  }
}

/** A short beep as a WAV data URL (no asset to ship): 880 Hz, 120 ms, 8-bit mono. */
export function beepDataUrl(): string {
  const rate = 8000
  const samples = Math.round(rate * 0.12)
  const bytes = new Uint8Array(44 + samples)
  const view = new DataView(bytes.buffer)
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)))
  ascii(0, 'RIFF')
  view.setUint32(4, 36 + samples, true)
  ascii(8, 'WAVEfmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // mono
  view.setUint32(24, rate, true)
  view.setUint32(28, rate, true)
  view.setUint16(32, 1, true)
  view.setUint16(34, 8, true)
  ascii(36, 'data')
  view.setUint32(40, samples, true)
  for (let i = 0; i < samples; i++) {
    const fade = Math.min(1, (samples - i) / 200)
    bytes[44 + i] = 128 + Math.round(90 * fade * Math.sin(2 * Math.PI * 880 * i / rate))
  }
  let binary = ''
  bytes.forEach((b) => {
    binary += String.fromCharCode(b)
  })
  return `data:audio/wav;base64,${btoa(binary)}`
}

/**
 * Creates the notification. Chrome gets buttons and `silent` (its own sound when the agent wants
 * sound); Firefox rejects those options, so it gets neither and beeps from its background page.
 */
export async function showNotification(event: NotificationEvent, prefs: BackgroundPrefs['notifications'], now = Date.now()): Promise<string> {
  const { title, message } = notificationText(event)
  const firefox = import.meta.env.BROWSER === 'firefox'
  const options: Record<string, unknown> = {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title,
    message,
    ...(firefox
      ? {}
      : {
          buttons: buttonsFor(event.kind).map(button => ({
            title: i18n.t(button === 'assign'
              ? 'background.notifications.assignToMe'
              : 'background.notifications.open'),
          })),
          silent: !prefs.sound,
          priority: event.kind === 'failed'
            ? 2
            : 1,
        }),
  }
  const id = await browser.notifications.create(notificationId(event, now), options as never)
  if (firefox && prefs.sound && typeof Audio !== 'undefined')
    new Audio(beepDataUrl()).play().catch(() => {})
  return id
}
