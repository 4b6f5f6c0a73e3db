/**
 * The bot settings as the options page edits them, and back. The form differs from the wire
 * shape where an input needs it: patterns and hand-over phrases are one per line, the optional
 * languages of a text are empty strings, a span ending at midnight reads 00:00 (a time input
 * cannot show 24:00), the provider's timeout is in seconds and its key is write-only.
 * `validateBotForm` mirrors `BotSettingsInputSchema` and the server's own checks, naming each
 * problem by the path the server would use (`replyBot.rules.3.patterns.0`).
 */
import type { BotLanguage, BotSettings, BotSettingsInput, LocalizedText, RuleMatch } from '~/protocol/bots'
import { BOT_LIMITS, BOT_SETTING_RANGES as RANGES } from './constants'

export interface LocalizedForm {
  default: string
  ro: string
  en: string
}

export interface AutoMessageForm {
  enabled: boolean
  text: LocalizedForm
}

export interface RuleForm {
  id: string
  name: string
  enabled: boolean
  match: RuleMatch
  /** one pattern per line */
  patterns: string
  language: BotLanguage
  text: string
  /** quick-reply button titles, at most 3 */
  buttons: string[]
  /** the template sent instead when the 24-hour window is closed */
  template: { enabled: boolean, name: string, language: string }
}

export interface SpanForm {
  /** a stable key for the list (not sent) */
  key: string
  /** 0 = Sunday … 6 = Saturday */
  day: number
  from: string
  /** `00:00` means midnight at the end of the day (`24:00` on the wire) */
  to: string
}

export interface ProviderForm {
  /** off: no provider (the local engine answers alone) */
  enabled: boolean
  baseUrl: string
  model: string
  apiVersion: string
  auth: 'bearer' | 'api-key'
  timeoutSeconds: number
  systemPrompt: string
  /** the server holds a key (it never sends it) */
  apiKeySet: boolean
  /** a new key to store; empty keeps the stored one */
  apiKey: string
  /** forget the stored key on save */
  clearKey: boolean
}

export interface BotForm {
  replyBot: {
    enabled: boolean
    rules: RuleForm[]
    welcome: AutoMessageForm
    away: AutoMessageForm
    confirmation: AutoMessageForm
    confirmationMinutes: number
  }
  aiBot: {
    enabled: boolean
    threshold: number
    maxTurns: number
    /** one phrase per line */
    handoverPhrases: string
    handoverMessage: LocalizedForm
    provider: ProviderForm
  }
  hours: {
    timeZone: string
    schedule: SpanForm[]
    holidays: string[]
  }
  agentQuietMinutes: number
  maxRepliesPerHour: number
  /** empty: no team */
  handoverTeamId: string
  newContacts: { replyBot: boolean, aiBot: boolean }
}

let spanSeq = 0
export function spanForm(day: number, from = '09:00', to = '17:00'): SpanForm {
  spanSeq += 1
  return {
    key: `span-${spanSeq}`,
    day,
    from,
    to,
  }
}

export function newRule(name: string): RuleForm {
  return {
    id: crypto.randomUUID(),
    name,
    enabled: true,
    match: 'keyword',
    patterns: '',
    language: 'any',
    text: '',
    buttons: [],
    template: { enabled: false, name: '', language: '' },
  }
}

/** The non-blank lines of a textarea, trimmed. */
export function splitLines(value: string): string[] {
  return value.split('\n').map(line => line.trim()).filter(line => line !== '')
}

function localizedForm(text: LocalizedText): LocalizedForm {
  return { default: text.default, ro: text.ro ?? '', en: text.en ?? '' }
}

function localizedInput(text: LocalizedForm): LocalizedText {
  return {
    default: text.default,
    ...(text.ro.trim() !== ''
      ? { ro: text.ro }
      : {}),
    ...(text.en.trim() !== ''
      ? { en: text.en }
      : {}),
  }
}

const DEFAULT_PROVIDER: Omit<ProviderForm, 'enabled' | 'apiKeySet' | 'apiKey' | 'clearKey'> = {
  baseUrl: 'https://api.openai.com/v1',
  model: '',
  apiVersion: '',
  auth: 'bearer',
  timeoutSeconds: 15,
  systemPrompt: '',
}

export function toBotForm(settings: BotSettings): BotForm {
  const { replyBot, aiBot, hours } = settings
  const provider = aiBot.provider
  return {
    replyBot: {
      enabled: replyBot.enabled,
      rules: replyBot.rules.map(rule => ({
        id: rule.id,
        name: rule.name,
        enabled: rule.enabled,
        match: rule.match,
        patterns: rule.patterns.join('\n'),
        language: rule.language,
        text: rule.reply.text,
        buttons: [
          ...rule.reply.buttons ?? [],
        ],
        template: rule.reply.template
          ? { enabled: true, name: rule.reply.template.name, language: rule.reply.template.language }
          : { enabled: false, name: '', language: '' },
      })),
      welcome: {
        enabled: replyBot.welcome.enabled,
        text: localizedForm(replyBot.welcome.text),
      },
      away: {
        enabled: replyBot.away.enabled,
        text: localizedForm(replyBot.away.text),
      },
      confirmation: {
        enabled: replyBot.confirmation.enabled,
        text: localizedForm(replyBot.confirmation.text),
      },
      confirmationMinutes: replyBot.confirmationMinutes,
    },
    aiBot: {
      enabled: aiBot.enabled,
      threshold: aiBot.threshold,
      maxTurns: aiBot.maxTurns,
      handoverPhrases: aiBot.handoverPhrases.join('\n'),
      handoverMessage: localizedForm(aiBot.handoverMessage),
      provider: provider
        ? {
            enabled: true,
            baseUrl: provider.baseUrl,
            model: provider.model,
            apiVersion: provider.apiVersion ?? '',
            auth: provider.auth,
            timeoutSeconds: Math.round(provider.timeoutMs / 1000),
            systemPrompt: provider.systemPrompt,
            apiKeySet: provider.apiKeySet,
            apiKey: '',
            clearKey: false,
          }
        : {
            ...DEFAULT_PROVIDER,
            enabled: false,
            apiKeySet: false,
            apiKey: '',
            clearKey: false,
          },
    },
    hours: {
      timeZone: hours.timeZone,
      schedule: hours.schedule.map(span => spanForm(span.day, span.from, span.to === '24:00'
        ? '00:00'
        : span.to)),
      holidays: [...hours.holidays],
    },
    agentQuietMinutes: settings.agentQuietMinutes,
    maxRepliesPerHour: settings.maxRepliesPerHour,
    handoverTeamId: settings.handoverTeamId ?? '',
    newContacts: { ...settings.newContacts },
  }
}

export function toBotSettingsInput(form: BotForm): BotSettingsInput {
  return {
    replyBot: replyBotInput(form.replyBot),
    aiBot: aiBotInput(form.aiBot),
    hours: hoursInput(form.hours),
    agentQuietMinutes: form.agentQuietMinutes,
    maxRepliesPerHour: form.maxRepliesPerHour,
    handoverTeamId: form.handoverTeamId === ''
      ? null
      : form.handoverTeamId,
    newContacts: { ...form.newContacts },
  }
}

function replyBotInput(replyBot: BotForm['replyBot']): BotSettingsInput['replyBot'] {
  return {
    enabled: replyBot.enabled,
    rules: replyBot.rules.map(ruleInput),
    welcome: autoMessageInput(replyBot.welcome),
    away: autoMessageInput(replyBot.away),
    confirmation: autoMessageInput(replyBot.confirmation),
    confirmationMinutes: replyBot.confirmationMinutes,
  }
}

function ruleInput(rule: RuleForm): BotSettingsInput['replyBot']['rules'][number] {
  return {
    id: rule.id,
    name: rule.name.trim(),
    enabled: rule.enabled,
    match: rule.match,
    patterns: splitLines(rule.patterns),
    language: rule.language,
    reply: {
      text: rule.text,
      ...(rule.buttons.length > 0
        ? {
            buttons: rule.buttons.map(title => title.trim()),
          }
        : {}),
      template: rule.template.enabled
        ? {
            name: rule.template.name.trim(),
            language: rule.template.language.trim(),
          }
        : null,
    },
  }
}

function autoMessageInput(message: AutoMessageForm): { enabled: boolean, text: LocalizedText } {
  return {
    enabled: message.enabled,
    text: localizedInput(message.text),
  }
}

function aiBotInput(aiBot: BotForm['aiBot']): BotSettingsInput['aiBot'] {
  return {
    enabled: aiBot.enabled,
    threshold: aiBot.threshold,
    maxTurns: aiBot.maxTurns,
    handoverPhrases: splitLines(aiBot.handoverPhrases),
    handoverMessage: localizedInput(aiBot.handoverMessage),
    provider: providerInput(aiBot.provider),
  }
}

function providerInput(provider: ProviderForm): BotSettingsInput['aiBot']['provider'] {
  if (!provider.enabled)
    return null
  return {
    baseUrl: provider.baseUrl.trim(),
    model: provider.model.trim(),
    apiVersion: provider.apiVersion.trim() === ''
      ? null
      : provider.apiVersion.trim(),
    auth: provider.auth,
    timeoutMs: provider.timeoutSeconds * 1000,
    systemPrompt: provider.systemPrompt,
    ...apiKeyInput(provider),
  }
}

/** Clear the stored key, store a new one, or (nothing sent) keep the stored one. */
function apiKeyInput(provider: ProviderForm): { apiKey?: string | null } {
  return provider.clearKey
    ? { apiKey: null }
    : provider.apiKey.trim() !== ''
      ? {
          apiKey: provider.apiKey.trim(),
        }
      : {}
}

function hoursInput(hours: BotForm['hours']): BotSettingsInput['hours'] {
  return {
    timeZone: hours.timeZone,
    schedule: hours.schedule.map(span => ({
      day: span.day,
      from: span.from,
      to: span.to === '00:00'
        ? '24:00'
        : span.to,
    })),
    holidays: [...hours.holidays],
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

/** One problem with a field, in terms the page translates (`describeBotIssue`). */
export type BotIssue
  = | { kind: 'required' }
    | { kind: 'tooLong', max: number }
    | { kind: 'tooMany', max: number }
  /** a text of `min` to `max` characters */
    | { kind: 'length', min: number, max: number }
    | { kind: 'range', min: number, max: number }
    | { kind: 'regex', pattern: string, reason: 'syntax' | 'unsafe' }
    | { kind: 'url' }
    | { kind: 'time' }
    | { kind: 'timeOrder' }
    | { kind: 'date' }
    | { kind: 'timeZone' }
  /** the server refused it for a reason the page does not check */
    | { kind: 'invalid' }
  /** the server does not know it (a team deleted meanwhile) */
    | { kind: 'notFound' }

/** Problems by the server's field path, in the order of the page. */
export type BotIssues = Record<string, BotIssue>

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

function minutesOf(hhmm: string, end: boolean): number {
  const [h, m] = hhmm.split(':').map(Number)
  const value = h! * 60 + m!
  return end && value === 0
    ? 24 * 60
    : value
}

/** Whether `pattern` compiles the way the server compiles it (case- and Unicode-aware). */
export function regexError(pattern: string): string | null {
  try {
    // eslint-disable-next-line no-new
    new RegExp(pattern, 'iu')
    return null
  }
  catch (error) {
    return (error as Error).message
  }
}

export function isTimeZone(value: string): boolean {
  if (value.trim() === '')
    return false
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: value })
    return true
  }
  catch {
    return false
  }
}

/** Records problems by path (the first one per path wins) and checks the common field shapes. */
function issueCollector(issues: BotIssues) {
  const add = (path: string, issue: BotIssue): void => {
    if (!(path in issues))
      issues[path] = issue
  }
  const text = (path: string, value: string, max: number, required = false): void => {
    if (required && value.trim() === '')
      add(path, { kind: 'required' })
    else if (value.length > max)
      add(path, { kind: 'tooLong', max })
  }
  const integer = (path: string, value: unknown, range: { min: number, max: number }): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max)
      add(path, { kind: 'range', ...range })
  }
  const localized = (path: string, value: LocalizedForm, required: boolean): void => {
    text(`${path}.default`, value.default, BOT_LIMITS.text, required)
    text(`${path}.ro`, value.ro, BOT_LIMITS.text)
    text(`${path}.en`, value.en, BOT_LIMITS.text)
  }
  return { add, text, integer, localized }
}

type IssueCollector = ReturnType<typeof issueCollector>

export function validateBotForm(form: BotForm): BotIssues {
  const issues: BotIssues = {}
  const check = issueCollector(issues)
  validateReplyBot(check, form.replyBot)
  validateAiBot(check, form.aiBot)
  validateHours(check, form.hours)
  check.integer('agentQuietMinutes', form.agentQuietMinutes, RANGES.agentQuietMinutes)
  check.integer('maxRepliesPerHour', form.maxRepliesPerHour, RANGES.maxRepliesPerHour)
  return issues
}

function validateReplyBot(check: IssueCollector, replyBot: BotForm['replyBot']): void {
  if (replyBot.rules.length > BOT_LIMITS.rules)
    check.add('replyBot.rules', { kind: 'tooMany', max: BOT_LIMITS.rules })
  replyBot.rules.forEach((rule, i) => validateRule(check, `replyBot.rules.${i}`, rule))
  check.localized('replyBot.welcome.text', replyBot.welcome.text, replyBot.welcome.enabled)
  check.localized('replyBot.away.text', replyBot.away.text, replyBot.away.enabled)
  check.localized('replyBot.confirmation.text', replyBot.confirmation.text, replyBot.confirmation.enabled)
  check.integer('replyBot.confirmationMinutes', replyBot.confirmationMinutes, RANGES.confirmationMinutes)
}

function validateRule(check: IssueCollector, at: string, rule: RuleForm): void {
  check.text(`${at}.name`, rule.name, BOT_LIMITS.ruleName, true)
  validatePatterns(check, at, rule)
  check.text(`${at}.reply.text`, rule.text, BOT_LIMITS.text, true)
  if (rule.buttons.length > BOT_LIMITS.buttons)
    check.add(`${at}.reply.buttons`, { kind: 'tooMany', max: BOT_LIMITS.buttons })
  rule.buttons.forEach((title, k) => check.text(`${at}.reply.buttons.${k}`, title.trim(), BOT_LIMITS.buttonTitle, true))
  if (rule.template.enabled)
    validateRuleTemplate(check, at, rule.template)
}

function validatePatterns(check: IssueCollector, at: string, rule: RuleForm): void {
  const patterns = splitLines(rule.patterns)
  if (patterns.length === 0)
    check.add(`${at}.patterns`, { kind: 'required' })
  else if (patterns.length > BOT_LIMITS.patterns)
    check.add(`${at}.patterns`, { kind: 'tooMany', max: BOT_LIMITS.patterns })
  patterns.forEach((pattern, j) => {
    if (pattern.length > BOT_LIMITS.pattern)
      check.add(`${at}.patterns.${j}`, { kind: 'tooLong', max: BOT_LIMITS.pattern })
    else if (rule.match === 'regex' && regexError(pattern) !== null)
      check.add(`${at}.patterns.${j}`, { kind: 'regex', pattern, reason: 'syntax' })
  })
}

function validateRuleTemplate(check: IssueCollector, at: string, template: RuleForm['template']): void {
  check.text(`${at}.reply.template.name`, template.name.trim(), RANGES.templateName, true)
  const language = template.language.trim()
  if (language.length < RANGES.templateLanguage.min || language.length > RANGES.templateLanguage.max) {
    check.add(`${at}.reply.template.language`, language === ''
      ? { kind: 'required' }
      : { kind: 'length', ...RANGES.templateLanguage })
  }
}

function validateAiBot(check: IssueCollector, aiBot: BotForm['aiBot']): void {
  if (typeof aiBot.threshold !== 'number' || Number.isNaN(aiBot.threshold) || aiBot.threshold < 0 || aiBot.threshold > 1)
    check.add('aiBot.threshold', { kind: 'range', ...RANGES.threshold })
  check.integer('aiBot.maxTurns', aiBot.maxTurns, RANGES.maxTurns)
  const phrases = splitLines(aiBot.handoverPhrases)
  if (phrases.length > BOT_LIMITS.handoverPhrases)
    check.add('aiBot.handoverPhrases', { kind: 'tooMany', max: BOT_LIMITS.handoverPhrases })
  phrases.forEach((phrase, j) => check.text(`aiBot.handoverPhrases.${j}`, phrase, BOT_LIMITS.pattern))
  check.localized('aiBot.handoverMessage', aiBot.handoverMessage, false)
  if (aiBot.provider.enabled)
    validateProvider(check, aiBot.provider)
}

function validateProvider(check: IssueCollector, provider: ProviderForm): void {
  const url = provider.baseUrl.trim()
  if (url === '')
    check.add('aiBot.provider.baseUrl', { kind: 'required' })
  else if (!/^https?:\/\//.test(url))
    check.add('aiBot.provider.baseUrl', { kind: 'url' })
  else check.text('aiBot.provider.baseUrl', url, RANGES.baseUrl)
  check.text('aiBot.provider.model', provider.model.trim(), RANGES.model, true)
  check.text('aiBot.provider.apiVersion', provider.apiVersion.trim(), RANGES.apiVersion)
  check.integer('aiBot.provider.timeoutMs', provider.timeoutSeconds, RANGES.timeoutSeconds)
  check.text('aiBot.provider.systemPrompt', provider.systemPrompt, BOT_LIMITS.systemPrompt)
  check.text('aiBot.provider.apiKey', provider.apiKey.trim(), RANGES.apiKey)
}

function validateHours(check: IssueCollector, hours: BotForm['hours']): void {
  if (!isTimeZone(hours.timeZone))
    check.add('hours.timeZone', { kind: 'timeZone' })
  if (hours.schedule.length > RANGES.schedule)
    check.add('hours.schedule', { kind: 'tooMany', max: RANGES.schedule })
  hours.schedule.forEach((span, i) => {
    if (!HHMM.test(span.from))
      check.add(`hours.schedule.${i}.from`, { kind: 'time' })
    else if (!HHMM.test(span.to))
      check.add(`hours.schedule.${i}.to`, { kind: 'time' })
    else if (minutesOf(span.to, true) <= minutesOf(span.from, false))
      check.add(`hours.schedule.${i}.to`, { kind: 'timeOrder' })
  })
  if (hours.holidays.length > BOT_LIMITS.holidays)
    check.add('hours.holidays', { kind: 'tooMany', max: BOT_LIMITS.holidays })
  hours.holidays.forEach((day, i) => {
    if (!DATE.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
      check.add(`hours.holidays.${i}`, { kind: 'date' })
  })
}

/** The value at a dotted path (`replyBot.rules.3.patterns.0`) of the settings sent. */
export function valueAtPath(root: unknown, path: string): unknown {
  let node = root
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object')
      return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

/**
 * The field that shows a problem at `path`: the longest registered field path that is `path`
 * itself or one of its parents (`replyBot.rules.3.patterns.0` → the patterns box of rule 3, or
 * the rule's row while it is folded). Null when no field on the page covers it.
 */
export function fieldForPath(path: string, fields: Iterable<string>): string | null {
  let best: string | null = null
  for (const field of fields) {
    if ((path === field || path.startsWith(`${field}.`)) && (best === null || field.length > best.length))
      best = field
  }
  return best
}
