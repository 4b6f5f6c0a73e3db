/** The contact's bot switches the panel shows. */
export const BOT_FIELDS = ['aiBot', 'replyBot'] as const
export type BotField = typeof BOT_FIELDS[number]
