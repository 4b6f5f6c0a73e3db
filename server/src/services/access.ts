/**
 * Who may see and do what. Every query is scoped to the caller's workspace; on top of that an
 * admin can restrict an agent to the conversations assigned to them or to one of their teams.
 * Roles are checked here, on the server, never only in the UI.
 */
import type { ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely'
import type { Database } from '../storage/schema.ts'
import type { SessionAgent } from './sessions.ts'
import { AppError } from '../errors.ts'

export function requireAdmin(agent: SessionAgent): void {
  if (agent.role !== 'admin')
    throw new AppError(403, 'forbidden', 'only an admin may do this')
}

export function isRestricted(agent: SessionAgent): boolean {
  return agent.role !== 'admin' && agent.restricted
}

/**
 * The condition a conversation row (`conversations` or an alias) must meet to be visible to this
 * agent, or null when every conversation of the workspace is. Always combine with the workspace.
 */
export function conversationVisibility(agent: SessionAgent, table = 'conversations') {
  if (!isRestricted(agent))
    return null
  return (eb: ExpressionBuilder<any, any>): ExpressionWrapper<Database, any, SqlBool> => {
    const own = eb(`${table}.assignee_id` as any, '=', agent.id)
    if (agent.teamIds.length === 0)
      return own as any
    return eb.or([
      own,
      eb(`${table}.team_id` as any, 'in', agent.teamIds),
    ]) as any
  }
}

/** Whether a conversation (its assignee and team) is visible to the agent. */
export function canSeeConversation(agent: SessionAgent, row: { assignee_id: string | null, team_id: string | null }): boolean {
  if (!isRestricted(agent))
    return true
  return row.assignee_id === agent.id || (row.team_id !== null && agent.teamIds.includes(row.team_id))
}
