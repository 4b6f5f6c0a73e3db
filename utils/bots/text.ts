/** The bots' codes in the agent's words: bot kinds, hand-over and silence reasons, errors, form problems. */
import type { BotIssue } from './form'
import type { BotKind, HandoverReason, SilentReason } from '~/protocol/bots'
import { i18n } from '#i18n'
import { isApiError } from '../api/client'

export function botKindText(kind: BotKind): string {
  return kind === 'ai'
    ? i18n.t('settings.bots.kind.ai')
    : i18n.t('settings.bots.kind.reply')
}

/** Why the AI Bot handed a chat over, as the end of a sentence ("… handed this chat over: <reason>"). */
export function handoverReasonText(reason: HandoverReason): string {
  switch (reason) {
    case 'asked_for_human': return i18n.t('settings.bots.handoverReason.askedForHuman')
    case 'low_confidence': return i18n.t('settings.bots.handoverReason.lowConfidence')
    case 'max_turns': return i18n.t('settings.bots.handoverReason.maxTurns')
    case 'loop_suspected': return i18n.t('settings.bots.handoverReason.loopSuspected')
    case 'provider_error': return i18n.t('settings.bots.handoverReason.providerError')
    case 'provider_timeout': return i18n.t('settings.bots.handoverReason.providerTimeout')
    case 'provider_refused': return i18n.t('settings.bots.handoverReason.providerRefused')
    case 'provider_invalid': return i18n.t('settings.bots.handoverReason.providerInvalid')
  }
  return String(reason)
}

export function silentReasonText(reason: SilentReason): string {
  switch (reason) {
    case 'bots_off': return i18n.t('settings.bots.silentReason.botsOff')
    case 'blocked': return i18n.t('settings.bots.silentReason.blocked')
    case 'agent_active': return i18n.t('settings.bots.silentReason.agentActive')
    case 'handed_over': return i18n.t('settings.bots.silentReason.handedOver')
    case 'rate_capped': return i18n.t('settings.bots.silentReason.rateCapped')
    case 'no_match': return i18n.t('settings.bots.silentReason.noMatch')
    case 'not_text': return i18n.t('settings.bots.silentReason.notText')
    case 'already_sent': return i18n.t('settings.bots.silentReason.alreadySent')
    case 'window_closed': return i18n.t('settings.bots.silentReason.windowClosed')
    case 'toggled_off': return i18n.t('settings.bots.silentReason.toggledOff')
    case 'stale': return i18n.t('settings.bots.silentReason.stale')
  }
  return String(reason)
}

function providerFailureText(reason: unknown): string {
  switch (reason) {
    case 'provider_error': return i18n.t('settings.bots.errors.providerFailed.error')
    case 'provider_timeout': return i18n.t('settings.bots.errors.providerFailed.timeout')
    case 'provider_refused': return i18n.t('settings.bots.errors.providerFailed.refused')
    case 'provider_invalid': return i18n.t('settings.bots.errors.providerFailed.invalid')
  }
  return i18n.t('settings.bots.errors.providerFailed.generic')
}

/** A failed bots request (settings, knowledge base, test, suggestion) as one sentence. */
export function describeBotsError(error: unknown): string {
  if (!isApiError(error)) {
    return i18n.t('settings.bots.errors.generic', [
      error instanceof Error
        ? error.name
        : 'unknown',
    ])
  }
  switch (error.code) {
    case 'offline': return i18n.t('settings.bots.errors.offline')
    case 'unauthorized': return i18n.t('settings.bots.errors.unauthorized')
    case 'forbidden': return i18n.t('settings.bots.errors.forbidden')
    case 'not_found': return i18n.t('settings.bots.errors.notFound')
    case 'rate_limited': return i18n.t('settings.bots.errors.rateLimited')
    case 'invalid_request': return i18n.t('settings.bots.errors.invalidRequest')
    case 'invalid_pattern': return i18n.t('settings.bots.errors.invalidPattern')
    case 'no_suggestion': return i18n.t('settings.bots.errors.noSuggestion')
    case 'provider_failed': return providerFailureText((error.details as { reason?: unknown } | undefined)?.reason)
    case 'internal_error':
    case 'service_unavailable': return i18n.t('settings.bots.errors.serverError')
  }
  return i18n.t('settings.bots.errors.generic', [error.code])
}

/** Why the composer got no suggested reply. */
export function describeSuggestError(error: unknown): string {
  if (isApiError(error)) {
    switch (error.code) {
      case 'offline': return i18n.t('settings.bots.errors.suggestOffline')
      case 'no_suggestion': return i18n.t('settings.bots.errors.noSuggestion')
      case 'provider_failed': return providerFailureText((error.details as { reason?: unknown } | undefined)?.reason)
      case 'rate_limited': return i18n.t('settings.bots.errors.rateLimited')
      case 'unauthorized': return i18n.t('settings.bots.errors.unauthorized')
    }
  }
  return i18n.t('settings.bots.errors.suggestFailed', [
    isApiError(error)
      ? error.code
      : 'unknown',
  ])
}

/** A problem with one settings field, shown next to it. */
export function describeBotIssue(issue: BotIssue): string {
  switch (issue.kind) {
    case 'required': return i18n.t('settings.bots.issues.required')
    case 'tooLong': return i18n.t('settings.bots.issues.tooLong', [
      String(issue.max),
    ])
    case 'tooMany': return i18n.t('settings.bots.issues.tooMany', [
      String(issue.max),
    ])
    case 'length': return i18n.t('settings.bots.issues.length', [
      String(issue.min),
      String(issue.max),
    ])
    case 'range': return i18n.t('settings.bots.issues.range', [
      String(issue.min),
      String(issue.max),
    ])
    case 'regex': return issue.reason === 'unsafe'
      ? i18n.t('settings.bots.issues.regexUnsafe', [issue.pattern])
      : i18n.t('settings.bots.issues.regexSyntax', [issue.pattern])
    case 'url': return i18n.t('settings.bots.issues.url')
    case 'time': return i18n.t('settings.bots.issues.time')
    case 'timeOrder': return i18n.t('settings.bots.issues.timeOrder')
    case 'date': return i18n.t('settings.bots.issues.date')
    case 'timeZone': return i18n.t('settings.bots.issues.timeZone')
    case 'notFound': return i18n.t('settings.bots.issues.notFound')
    case 'invalid': return i18n.t('settings.bots.issues.invalid')
  }
}
