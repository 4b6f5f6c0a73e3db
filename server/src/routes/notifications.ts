/** `/api/notifications`: the caller's notifications, and marking one read. */
import type { Api } from './schemas.ts'
import { NotificationListSchema, NotificationSchema } from '../../../protocol/contacts.ts'
import { listNotifications, readNotification } from '../services/notes.ts'
import { ErrorResponseSchema, errors, IdParams } from './schemas.ts'

export async function notificationRoutes(app: Api) {
  app.get('/api/notifications', {
    schema: {
      response: { 200: NotificationListSchema, 401: ErrorResponseSchema },
    },
  }, async request => ({ items: await listNotifications(app.db, request.agent) }))

  app.post('/api/notifications/:id/read', {
    schema: {
      params: IdParams,
      response: { 200: NotificationSchema, ...errors },
    },
  }, async request => await readNotification(app, request.agent, request.params.id))
}
