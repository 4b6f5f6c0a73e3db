/** Finding quick replies from what the agent typed. */
import type { QuickReply } from '~/utils/db'
import { normalizeText } from '~/utils/chats/text'

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
