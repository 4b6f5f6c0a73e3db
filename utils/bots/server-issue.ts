import type { BotIssue } from './form'
import { isApiError } from '~/utils/api/client'
import { valueAtPath } from './form'

/** A refusal by the server about one field, kept while that field still holds what was sent. */
export interface ServerIssue {
  path: string
  issue: BotIssue
  sent: string
}

/** The field the server refused a save for, and why (null when its error names none we show). */
export function serverIssueOf(error: unknown, sent: unknown): ServerIssue | null {
  if (!isApiError(error) || !error.field)
    return null
  const value = valueAtPath(sent, error.field)
  let issue: BotIssue
  if (error.code === 'invalid_pattern') {
    const reason = (error.details as { reason?: unknown } | undefined)?.reason === 'unsafe'
      ? 'unsafe'
      : 'syntax'
    issue = {
      kind: 'regex',
      pattern: typeof value === 'string'
        ? value
        : '',
      reason,
    }
  }
  else if (error.code === 'not_found') {
    issue = { kind: 'notFound' }
  }
  else if (error.code === 'invalid_request') {
    issue = { kind: 'invalid' }
  }
  else {
    return null
  }
  return {
    path: error.field,
    issue,
    sent: JSON.stringify(value),
  }
}
