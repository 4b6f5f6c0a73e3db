/** Actions on a conversation: who has it, which team, its status, read or unread. */
import type { ResolvedContext } from './context'
import type { ConversationStatus } from '~/protocol/conversations'
import { patchConversation, queue } from './context'

export function conversationActions(ctx: ResolvedContext) {
  return {
    /** assign to an agent (null unassigns) */
    assign: (conversationId: string, assigneeId: string | null) =>
      queue(ctx, 'conversation.assign', { conversationId, assigneeId }, () =>
        patchConversation(ctx, conversationId, {
          assigneeId,
          assignedAt: assigneeId
            ? ctx.now()
            : null,
        })),

    setTeam: (conversationId: string, teamId: string | null) =>
      queue(ctx, 'conversation.setTeam', { conversationId, teamId }, () => patchConversation(ctx, conversationId, { teamId })),

    /** open, close, or snooze (until a time; null = until the customer writes) */
    setStatus: (conversationId: string, status: ConversationStatus, snoozedUntil: number | null = null) =>
      queue(ctx, 'conversation.setStatus', status === 'snoozed'
        ? { conversationId, status, snoozedUntil }
        : { conversationId, status }, () => patchConversation(ctx, conversationId, {
        status,
        snoozedUntil: status === 'snoozed'
          ? snoozedUntil
          : null,
        statusChangedAt: ctx.now(),
      })),

    markRead: (conversationId: string) =>
      queue(ctx, 'conversation.markRead', { conversationId }, () =>
        patchConversation(ctx, conversationId, { unreadCount: 0, markedUnread: false })),

    markUnread: (conversationId: string) =>
      queue(ctx, 'conversation.markUnread', { conversationId }, () =>
        patchConversation(ctx, conversationId, { markedUnread: true })),
  }
}
