/**
 * Bot settings per workspace (one JSON row in `bot_settings`, merged over the defaults so a setting
 * added later has a value for every workspace). Admins read and replace them; the provider's API key
 * is stored but never answered. Saving checks what the schema cannot: regular expressions compile
 * (RE2 syntax, matched in linear time), the time zone exists, spans run forward, rule ids
 * are unique and the hand-over team is in the workspace.
 */
import type { BotRule, BotSettings, BotSettingsInput, LocalizedText } from '../../../protocol/bots.ts'
import type { Committed } from '../services/changes.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import { AppError } from '../errors.ts'
import { requireAdmin } from '../services/access.ts'
import { writeTransaction } from '../services/changes.ts'
import { compileRegex } from './rules.ts'

/** What is stored: the answered settings, with the provider's key instead of `apiKeySet`. */
export type StoredProvider = Omit<NonNullable<BotSettings['aiBot']['provider']>, 'apiKeySet'> & { apiKey: string | null }
export type StoredSettings = Omit<BotSettings, 'aiBot'> & { aiBot: Omit<BotSettings['aiBot'], 'provider'> & { provider: StoredProvider | null } }

const WEEKDAYS = [1, 2, 3, 4, 5]

export function defaultSettings(): StoredSettings {
  return {
    replyBot: {
      enabled: true,
      rules: [],
      welcome: {
        enabled: false,
        text: {
          default: 'Hello! Thank you for writing to us. A colleague will answer you shortly.',
          ro: 'Bună ziua! Vă mulțumim că ne-ați scris. Un coleg vă răspunde în curând.',
        },
      },
      away: {
        enabled: false,
        text: {
          default: 'Thank you for your message. We are closed right now; we will answer as soon as we open.',
          ro: 'Vă mulțumim pentru mesaj. Acum suntem închiși; vă răspundem imediat ce deschidem.',
        },
      },
      confirmation: {
        enabled: false,
        text: {
          default: 'We got your message. A colleague will answer within {minutes} minutes.',
          ro: 'Am primit mesajul dumneavoastră. Un coleg vă răspunde în cel mult {minutes} minute.',
        },
      },
      confirmationMinutes: 15,
    },
    aiBot: {
      enabled: true,
      threshold: 0.5,
      maxTurns: 3,
      handoverPhrases: [],
      handoverMessage: {
        default: 'I am passing you to a colleague, who will answer you shortly.',
        ro: 'Vă transfer către un coleg, care vă va răspunde în curând.',
      },
      provider: null,
    },
    hours: {
      timeZone: 'Europe/Bucharest',
      schedule: WEEKDAYS.map(day => ({ day, from: '09:00', to: '17:00' })),
      holidays: [],
    },
    agentQuietMinutes: 30,
    maxRepliesPerHour: 6,
    handoverTeamId: null,
    newContacts: { replyBot: false, aiBot: false },
  }
}

function merge(stored: Partial<StoredSettings>): StoredSettings {
  const d = defaultSettings()
  return {
    ...d,
    ...stored,
    replyBot: {
      ...d.replyBot,
      ...stored.replyBot,
    },
    aiBot: {
      ...d.aiBot,
      ...stored.aiBot,
    },
    hours: {
      ...d.hours,
      ...stored.hours,
    },
    newContacts: {
      ...d.newContacts,
      ...stored.newContacts,
    },
  }
}

/** The settings with the provider's key (for the bots themselves), defaults when never saved. */
export async function loadSettings(db: Db, workspaceId: string): Promise<StoredSettings> {
  const row = await db.selectFrom('bot_settings').select('config').where('workspace_id', '=', workspaceId).executeTakeFirst()
  return row
    ? merge(JSON.parse(row.config) as Partial<StoredSettings>)
    : defaultSettings()
}

/** What an admin sees: everything but the key. */
export function toView(settings: StoredSettings): BotSettings {
  const { provider } = settings.aiBot
  return {
    ...settings,
    aiBot: {
      ...settings.aiBot,
      provider: provider
        ? (({ apiKey, ...rest }) => ({
            ...rest,
            apiKeySet: Boolean(apiKey),
          }))(provider)
        : null,
    },
  }
}

export async function getSettings(db: Db, agent: SessionAgent): Promise<BotSettings> {
  requireAdmin(agent)
  return toView(await loadSettings(db, agent.workspace_id))
}

/** The same provider server and way of sending the key (scheme, host, port, path, auth style). */
function sameServer(before: StoredProvider | null, after: { baseUrl: string, auth: string }): boolean {
  if (!before)
    return false
  try {
    const a = new URL(before.baseUrl)
    const b = new URL(after.baseUrl)
    return a.origin === b.origin && a.pathname.replace(/\/+$/, '') === b.pathname.replace(/\/+$/, '') && before.auth === after.auth
  }
  catch {
    return false
  }
}

function invalid(field: string, message: string): AppError {
  return new AppError(400, 'invalid_request', `${field}: ${message}`, { field })
}

function checkRule(rule: BotRule, i: number): void {
  if (rule.match !== 'regex')
    return
  for (const [j, pattern] of rule.patterns.entries()) {
    const field = `replyBot.rules.${i}.patterns.${j}`
    try {
      compileRegex(pattern)
    }
    catch (error) {
      throw new AppError(400, 'invalid_pattern', `${field}: not a valid regular expression (${(error as Error).message.slice(0, 120)}); look-arounds and back-references are not supported`, {
        field,
        details: { reason: 'syntax' },
      })
    }
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return h! * 60 + m!
}

function checkText(text: LocalizedText, enabled: boolean, field: string): void {
  if (enabled && text.default.trim() === '')
    throw invalid(`${field}.default`, 'a message that is on needs a text')
}

export function validateSettings(input: BotSettingsInput): void {
  const ids = new Set<string>()
  for (const [i, rule] of input.replyBot.rules.entries()) {
    if (ids.has(rule.id))
      throw invalid(`replyBot.rules.${i}.id`, 'two rules have the same id')
    ids.add(rule.id)
    if (rule.patterns.some(p => p.trim() === ''))
      throw invalid(`replyBot.rules.${i}.patterns`, 'a pattern cannot be blank')
    checkRule(rule, i)
    const buttons = rule.reply.buttons ?? []
    // WhatsApp's interactive messages: body text up to 1,024 characters, button titles unique.
    if (buttons.length > 0 && rule.reply.text.length > 1024)
      throw invalid(`replyBot.rules.${i}.reply.text`, 'with quick-reply buttons the text may have at most 1024 characters')
    const titles = buttons.map(b => b.trim().toLowerCase())
    const twice = titles.findIndex((t, k) => titles.indexOf(t) !== k)
    if (twice >= 0)
      throw invalid(`replyBot.rules.${i}.reply.buttons.${twice}`, 'two buttons have the same title')
  }
  checkText(input.replyBot.welcome.text, input.replyBot.welcome.enabled, 'replyBot.welcome.text')
  checkText(input.replyBot.away.text, input.replyBot.away.enabled, 'replyBot.away.text')
  checkText(input.replyBot.confirmation.text, input.replyBot.confirmation.enabled, 'replyBot.confirmation.text')
  try {
    // eslint-disable-next-line no-new
    new Intl.DateTimeFormat('en-US', { timeZone: input.hours.timeZone })
  }
  catch {
    throw invalid('hours.timeZone', `unknown time zone "${input.hours.timeZone.slice(0, 64)}"`)
  }
  for (const [i, span] of input.hours.schedule.entries()) {
    if (minutes(span.to) <= minutes(span.from))
      throw invalid(`hours.schedule.${i}.to`, 'must be after from')
  }
  for (const [i, day] of input.hours.holidays.entries()) {
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
      throw invalid(`hours.holidays.${i}`, 'not a date')
  }
}

export async function saveSettings(app: { db: Db, publish: (c: Committed[]) => void }, agent: SessionAgent, input: BotSettingsInput, now = Date.now()): Promise<BotSettings> {
  requireAdmin(agent)
  validateSettings(input)
  const ws = agent.workspace_id
  const { value } = await writeTransaction(app.db, async (trx) => {
    if (input.handoverTeamId) {
      const team = await trx.selectFrom('teams').select('id').where('workspace_id', '=', ws).where('id', '=', input.handoverTeamId).executeTakeFirst()
      if (!team)
        throw new AppError(404, 'not_found', 'handoverTeamId: no such team', { field: 'handoverTeamId' })
    }
    const row = await trx.selectFrom('bot_settings').select('config').where('workspace_id', '=', ws).executeTakeFirst()
    const before = row
      ? merge(JSON.parse(row.config) as Partial<StoredSettings>)
      : defaultSettings()
    const provider = input.aiBot.provider
      ? (({ apiKey, ...rest }) => ({
          ...rest,
          // absent: keep the stored key (the admin never sees it to send it back), but only for the
          // same server: a key is never sent to an address it was not entered for.
          apiKey: apiKey === undefined
            ? (sameServer(before.aiBot.provider, rest)
                ? before.aiBot.provider!.apiKey
                : null)
            : apiKey || null,
        }))(input.aiBot.provider)
      : null
    const next: StoredSettings = {
      ...input,
      aiBot: { ...input.aiBot, provider },
    }
    const config = JSON.stringify(next)
    await trx.insertInto('bot_settings').values({ workspace_id: ws, config, updated_at: now }).onConflict(oc => oc.column('workspace_id').doUpdateSet({ config, updated_at: now })).execute()
    return next
  })
  return toView(value)
}
