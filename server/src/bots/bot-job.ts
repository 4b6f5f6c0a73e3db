/**
 * One bot job: what the bots do about one customer message. The message, the contact's switches
 * and the conversation's last day are read, decide() plans (the AI Bot's answer may come from the
 * provider), then the reply is queued and/or the conversation handed over, each only if the
 * conversation is still the bots' at that moment. The claim loop around it is in runner.ts.
 */
import type { Transaction } from 'kysely'
import type { BotDecision } from '../../../protocol/bots.ts'
import type { Committed } from '../services/changes.ts'
import type { Db } from '../storage/db.ts'
import type { BotJobsTable, Database } from '../storage/schema.ts'
import type { HistoryFacts, Plan } from './decide.ts'
import type { ChatTurn } from './provider.ts'
import type { StoredSettings } from './settings.ts'
import { AppError } from '../errors.ts'
import { queueMessage } from '../whatsapp/outbound.ts'
import { AWAY_REPEAT_MS, decide, handoverPlan, HOUR } from './decide.ts'
import { handOver } from './handover.ts'
import { knowledgeIndex } from './knowledge.ts'
import { generateAnswer } from './provider.ts'
import { compileRules } from './rules.ts'
import { loadSettings } from './settings.ts'
import { normalize } from './text.ts'

const DAY = 24 * HOUR
/** A customer message the bots reach later than this (they were not running) gets no answer. */
export const STALE_MS = 15 * 60_000

/** The text a customer message carries for the bots (text, button, interactive reply, caption). */
export function messageText(type: string, content: Record<string, unknown>): string | null {
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = content[k]
      if (typeof v === 'string' && v.trim() !== '')
        return v
    }
    return null
  }
  switch (type) {
    case 'text': return pick('body')
    case 'button': return pick('text', 'payload')
    case 'interactive': return pick('title', 'body', 'description')
    default: return pick('caption')
  }
}

interface Recent { direction: 'in' | 'out', sent_by: string | null, bot: string | null, content: string, timestamp: number, id: string, type: string }

/** The facts decide() needs about a conversation's last day, around the customer's message. */
export function historyFacts(recent: Recent[], message: { id: string, timestamp: number }, now: number): HistoryFacts {
  // Before this message: earlier, or at the same millisecond with a smaller id (UUIDv7, in arrival order).
  const before = recent.filter(m => m.id !== message.id && (m.timestamp < message.timestamp || (m.timestamp === message.timestamp && m.id < message.id)) && m.timestamp > message.timestamp - DAY)
  const source = (m: Recent) => {
    try {
      return (JSON.parse(m.content) as { botSource?: string }).botSource ?? null
    }
    catch {
      return null
    }
  }
  let lastHumanAt: number | null = null
  let lastHandoverAt = 0
  for (const m of recent) {
    if (m.direction === 'out' && m.sent_by !== null)
      lastHumanAt = Math.max(lastHumanAt ?? 0, m.timestamp)
    if (m.bot !== null && source(m) === 'handover')
      lastHandoverAt = Math.max(lastHandoverAt, m.timestamp)
  }
  const bots = recent.filter(m => m.direction === 'out' && m.bot !== null).sort((a, b) => b.timestamp - a.timestamp)
  const since = Math.max(lastHumanAt ?? 0, lastHandoverAt)
  return {
    newConversation: before.length === 0,
    lastHumanAt,
    botMessagesLastHour: bots.filter(m => m.timestamp > now - HOUR).length,
    aiTurns: bots.filter(m => m.bot === 'ai' && m.timestamp > since && source(m) !== 'handover').length,
    awaySentRecently: bots.some(m => source(m) === 'away' && m.timestamp > now - AWAY_REPEAT_MS),
    confirmationSent: bots.some(m => source(m) === 'confirmation' && m.timestamp > (lastHumanAt ?? 0)),
    recentBotTexts: bots.slice(0, 3).map((m) => {
      const body = (JSON.parse(m.content) as { body?: unknown }).body
      return typeof body === 'string'
        ? normalize(body)
        : ''
    }).filter(t => t !== ''),
  }
}

/** The conversation up to `upTo` as chat turns (customer = user, us = assistant), the last 12 with text. */
export function chatTurns(recent: Array<Pick<Recent, 'direction' | 'type' | 'content' | 'timestamp'>>, upTo = Number.POSITIVE_INFINITY): ChatTurn[] {
  return recent
    .filter(m => m.timestamp <= upTo)
    .sort((a, b) => a.timestamp - b.timestamp)
    .slice(-12)
    .map((m) => {
      const content = JSON.parse(m.content) as Record<string, unknown>
      const text = messageText(m.type, content) ?? (m.direction === 'out' && typeof content.body === 'string'
        ? content.body
        : null)
      return text === null
        ? null
        : {
            role: m.direction === 'in'
              ? 'user' as const
              : 'assistant' as const,
            content: text,
          }
    })
    .filter((t): t is ChatTurn => t !== null)
}

export interface JobOutcome extends BotDecision { error?: string }

interface BotApp { db: Db, publish: (c: Committed[]) => void, wakeWorker: () => void }
type JobKey = Pick<BotJobsTable, 'workspace_id' | 'conversation_id' | 'message_id'>
type JobMessage = NonNullable<Awaited<ReturnType<typeof loadJobMessage>>>

/** Decides and acts on one customer message. Returns what was done (stored on the job). */
export async function runBotJob(app: BotApp, job: JobKey, now = Date.now(), settingsCache?: Map<string, StoredSettings>): Promise<JobOutcome> {
  const { db } = app
  const ws = job.workspace_id
  const started = now
  const row = await loadJobMessage(db, job)
  if (!row)
    return silent('no_match')
  if (now - Number(row.created_at) > STALE_MS)
    return silent('stale')
  let settings = settingsCache?.get(ws)
  if (!settings) {
    settings = await loadSettings(db, ws)
    settingsCache?.set(ws, settings)
  }
  const recent = await recentMessages(db, job, row, now)
  const plan = await planFor(db, ws, settings, row, recent, now)
  const decision = await withProviderAnswer(plan, settings, recent, row)
  const outcome: JobOutcome = {
    action: decision.action,
    bot: decision.bot,
    source: decision.source,
    text: decision.text,
    buttons: decision.buttons,
    handoverReason: decision.handoverReason,
    silentReason: decision.silentReason,
  }
  if (decision.action === 'none')
    return outcome

  const stillOurs = stillOursCheck(job, decision, settings, started)
  // The customer is told first (the goodbye of a hand-over too): a crash between the two steps
  // then re-runs the job, which finds the message sent and completes the hand-over.
  if (decision.text !== null) {
    const early = await sendBotMessage(app, job, row, decision, outcome, stillOurs)
    if (early)
      return early
  }

  if (decision.action === 'handover') {
    const committed = await handOver(db, {
      workspaceId: ws,
      conversationId: job.conversation_id,
      reason: decision.handoverReason!,
      teamId: settings.handoverTeamId,
      now: Date.now(),
      check: stillOurs,
    })
    app.publish(committed)
    if (committed.length === 0)
      return { ...outcome, action: 'none', silentReason: 'handed_over' }
  }
  return outcome
}

function silent(reason: BotDecision['silentReason']): JobOutcome {
  return {
    action: 'none',
    bot: null,
    source: null,
    text: null,
    buttons: [],
    handoverReason: null,
    silentReason: reason,
  }
}

/** The customer message with its conversation's window and hand-over and its contact's switches. */
async function loadJobMessage(db: Db, job: JobKey) {
  return await db.selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select([
      'messages.id',
      'messages.type',
      'messages.content',
      'messages.timestamp',
      'messages.created_at',
      'conversations.window_expires_at',
      'conversations.bot_handover_at',
      'contacts.ai_bot',
      'contacts.reply_bot',
      'contacts.blocked',
      'contacts.language',
    ])
    .where('messages.id', '=', job.message_id)
    .where('messages.workspace_id', '=', job.workspace_id)
    .executeTakeFirst()
}

/** The conversation's last day before the message (at most 200 messages), newest first. */
async function recentMessages(db: Db, job: JobKey, row: JobMessage, now: number): Promise<Recent[]> {
  return await db.selectFrom('messages')
    .select([
      'id',
      'direction',
      'sent_by',
      'bot',
      'content',
      'timestamp',
      'type',
    ])
    .where('conversation_id', '=', job.conversation_id)
    .where('timestamp', '>', Math.min(now, Number(row.timestamp)) - DAY)
    .orderBy('timestamp', 'desc')
    .limit(200)
    .execute() as Recent[]
}

/** decide() with the facts of this message; the knowledge index only when the AI Bot may answer. */
async function planFor(db: Db, ws: string, settings: StoredSettings, row: JobMessage, recent: Recent[], now: number): Promise<Plan> {
  const content = JSON.parse(row.content) as Record<string, unknown>
  const text = messageText(row.type, content)
  const aiOn = settings.aiBot.enabled && row.ai_bot === 1
  return decide({
    settings,
    rules: compileRules(settings.replyBot.rules),
    index: aiOn && text !== null
      ? await knowledgeIndex(db, ws)
      : null,
    contact: {
      replyBot: row.reply_bot === 1,
      aiBot: row.ai_bot === 1,
      blocked: row.blocked === 1,
      language: row.language,
    },
    conversation: { handedOver: row.bot_handover_at != null, windowOpen: row.window_expires_at !== null && now < Number(row.window_expires_at) },
    message: {
      type: row.type,
      text,
      at: Number(row.timestamp),
    },
    history: historyFacts(recent, {
      id: row.id,
      timestamp: Number(row.timestamp),
    }, now),
    now,
  })
}

/** An AI answer from the configured provider replaces the plan's text; a provider failure hands over. */
async function withProviderAnswer(plan: Plan, settings: StoredSettings, recent: Recent[], row: JobMessage): Promise<Plan> {
  if (plan.action !== 'reply' || !plan.useProvider || !settings.aiBot.provider)
    return plan
  const answer = await generateAnswer(settings.aiBot.provider, {
    passages: plan.hits.map(h => ({ title: h.title, passage: h.passage })),
    history: chatTurns(recent, Number(row.timestamp)),
    language: plan.language === 'default'
      ? null
      : plan.language,
    purpose: 'customer',
  })
  if (answer.ok)
    return { ...plan, text: answer.text }
  return handoverPlan(plan, settings, answer.reason)
}

/**
 * What happened since the decision started (a provider call may take up to its timeout) is
 * checked again inside the writes: the switches, a block, an agent's reply or move.
 */
function stillOursCheck(job: JobKey, decision: Plan, settings: StoredSettings, started: number) {
  return async (trx: Transaction<Database>): Promise<boolean> => {
    const state = await trx.selectFrom('conversations')
      .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
      .select([
        'contacts.ai_bot',
        'contacts.reply_bot',
        'contacts.blocked',
        'conversations.bot_handover_at',
        'conversations.status_changed_at',
        'conversations.assigned_at',
      ])
      .where('conversations.id', '=', job.conversation_id)
      .executeTakeFirst()
    if (!state || state.blocked === 1)
      return false
    if (decision.bot === 'ai'
      ? state.ai_bot !== 1
      : state.reply_bot !== 1) {
      return false
    }
    if (decision.bot === 'ai' && state.bot_handover_at != null)
      return false
    if (decision.action === 'handover' && (Number(state.status_changed_at ?? 0) > started || Number(state.assigned_at ?? 0) > started))
      return false
    const human = await trx.selectFrom('messages').select('id').where('conversation_id', '=', job.conversation_id).where('direction', '=', 'out').where('sent_by', 'is not', null).where('timestamp', '>', Math.min(started, Date.now() - settings.agentQuietMinutes * 60_000)).limit(1).executeTakeFirst()
    return !human
  }
}

/**
 * Queues the bot's message (a template once the window has closed, buttons, or text). Returns the
 * job's outcome when that ends it (skipped, already sent, refused), null to go on.
 */
async function sendBotMessage(app: BotApp, job: JobKey, row: JobMessage, decision: Plan, outcome: JobOutcome, stillOurs: (trx: Transaction<Database>) => Promise<boolean>): Promise<JobOutcome | null> {
  const clientId = `bot:${row.id}`
  const at = Date.now()
  const windowOpen = row.window_expires_at !== null && at < Number(row.window_expires_at)
  const request = decision.template && !windowOpen
    ? { clientId, type: 'template' as const, template: decision.template }
    : decision.buttons.length > 0
      ? {
          clientId,
          type: 'buttons' as const,
          text: decision.text!,
          buttons: decision.buttons,
        }
      : { clientId, type: 'text' as const, text: decision.text! }
  try {
    const queued = await queueMessage(app.db, job.workspace_id, job.conversation_id, request, at, { bot: decision.bot!, botSource: decision.source!, precondition: stillOurs })
    if (queued.skipped) {
      return {
        ...outcome,
        action: 'none',
        silentReason: 'toggled_off',
        text: null,
      }
    }
    if (queued.created) {
      app.publish(queued.committed)
      app.wakeWorker()
    }
    else if (decision.action === 'reply') {
      return { ...outcome, silentReason: 'already_sent' }
    }
  }
  catch (error) {
    if (!(error instanceof AppError)) // e.g. the window closed, a template gone: recorded, not retried
      throw error
    if (decision.action === 'reply') {
      return {
        ...outcome,
        action: 'none',
        silentReason: error.code === 'window_closed'
          ? 'window_closed'
          : 'no_match',
        error: error.code,
      }
    }
  }
  return null
}
