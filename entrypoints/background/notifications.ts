/**
 * Desktop notifications (utils/notifications/): what a sync page changed for me (`notify` with
 * `diffPage`'s events), sends the server refused (the outbox), and unassigned chats waiting too
 * long (`checkWaiting`, on the alarm and after each page).
 */
import type { AppDB } from '~/utils/db'
import type { NotificationEvent } from '~/utils/notifications'
import { liveQuery } from 'dexie'
import { getBackgroundPrefs } from '~/utils/background-prefs'
import { unassignedOpenIds } from '~/utils/badge'
import { eventsToShow, notifiedWaitingStorage, overdueWaiting, rememberNotified, showNotification, viewedConversations, waitingEvent } from '~/utils/notifications'

export interface NotifierDeps {
  db: AppDB
  agentId: () => Promise<string | null>
  /** settles once the agent's language is applied (the texts are localised) */
  language: Promise<unknown>
}

export interface Notifier {
  /** shows the events the agent wants now; answers those shown */
  notify: (events: NotificationEvent[]) => Promise<NotificationEvent[]>
  /** notifies the unassigned chats that waited too long (once per wait) */
  checkWaiting: () => Promise<NotificationEvent[]>
  /** ids of the last notifications created (Firefox headless keeps none on screen: the e2e test reads these) */
  created: () => string[]
}

export function setupNotifications(deps: NotifierDeps): Notifier {
  const { db } = deps
  let created: string[] = []

  async function notify(events: NotificationEvent[]): Promise<NotificationEvent[]> {
    if (events.length === 0)
      return []
    const prefs = (await getBackgroundPrefs()).notifications
    const shown = eventsToShow(events, prefs, {
      now: new Date(),
      viewed: await viewedConversations(),
    })
    await deps.language
    for (const event of shown) {
      const id = await showNotification(event, prefs).catch(error => console.error('[wa-inbox] notification failed', error))
      if (id) {
        created = [
          ...created.slice(-49),
          id,
        ]
      }
    }
    return shown
  }

  async function checkWaiting(): Promise<NotificationEvent[]> {
    const id = await deps.agentId()
    if (!id)
      return []
    const prefs = (await getBackgroundPrefs()).notifications
    const now = Date.now()
    const ids = await unassignedOpenIds(db)
    const conversations = (await db.conversations.bulkGet(ids)).filter(c => !!c)
    const notified = await notifiedWaitingStorage.getValue()
    const overdue = overdueWaiting(conversations, prefs.waitingMinutes, notified, now)
    const event = waitingEvent(overdue)
    if (!event)
      return []
    await notifiedWaitingStorage.setValue(rememberNotified(notified, overdue, now))
    return await notify([event])
  }

  watchFailedSends(db, events => void notify(events))
  return {
    notify,
    checkWaiting,
    created: () => created,
  }
}

/** A send the server refused: the outbox row turns `failed` (the first answer is the baseline). */
function watchFailedSends(db: AppDB, notify: (events: NotificationEvent[]) => void): void {
  let failedSeqs: Set<number> | null = null
  liveQuery(() => db.outbox.where('state').equals('failed').toArray()).subscribe({
    next: (rows) => {
      const known = failedSeqs
      failedSeqs = new Set(rows.map(row => row.seq))
      if (!known)
        return
      notify(rows.filter(row => !known.has(row.seq)).map((row): NotificationEvent => ({
        kind: 'failed',
        conversationId: (row.args as { conversationId?: string }).conversationId ?? null,
        text: row.error?.message,
      })))
    },
    error: error => console.error('[wa-inbox] outbox query failed', error),
  })
}
