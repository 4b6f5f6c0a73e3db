/** Actions on the signed-in agent's own state: notifications read, availability. */
import type { ResolvedContext } from './context'
import type { Availability } from '~/protocol/team'
import { queue } from './context'

export function agentActions(ctx: ResolvedContext) {
  return {
    readNotification: (notificationId: string) =>
      queue(ctx, 'notification.read', { notificationId }, async () => {
        await ctx.db.notifications.update(notificationId, {
          readAt: ctx.now(),
        })
      }),

    setAvailability: (availability: Availability) =>
      queue(ctx, 'agent.setAvailability', { availability }, async () => {
        await ctx.db.agents.update(ctx.agentId, { availability } as never)
      }),
  }
}
