/**
 * The bot runner: takes the customer messages the webhook queued in `bot_jobs` (in its own
 * transaction, so the webhook never waits for a bot and a crash loses no job), decides what the
 * bots do (decide.ts) and acts through the same outbound queue as the agents.
 *
 * - Claims due jobs like the outbound worker (PostgreSQL: FOR UPDATE SKIP LOCKED, with a lease);
 *   a conversation's jobs run one after another, in the order the customer wrote.
 * - A reply's client id is `bot:<customer message id>`: a job that runs twice (a crash, a lease
 *   that expired, a redelivered webhook) never sends twice.
 * - Just before queueing, inside the write transaction, the contact's switches and the
 *   conversation are checked again: turning a bot off takes effect at once, and an agent who wrote
 *   in the meantime silences the bot.
 * - A provider that fails (down, slow, garbage, refusal) turns the answer into a hand-over with
 *   that reason; nothing broken is ever sent.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Transaction } from 'kysely'
import type { BotDecision } from '../../../protocol/bots.ts'
import type { Committed } from '../services/changes.ts'
import type { Db, Engine } from '../storage/db.ts'
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
const MAX_ATTEMPTS = 5

export interface BotRunnerOptions {
  db: Db
  engine: Engine
  log: FastifyBaseLogger
  publish: (committed: Committed[]) => void
  /** the outbound worker's nudge: a bot message was queued */
  wakeWorker: () => void
  pollIntervalMs?: number
  concurrency?: number
  leaseMs?: number
}

export interface BotRunner {
  start: () => void
  wake: () => void
  stop: () => Promise<void>
  /** resolves when no job is due or running (tests) */
  idle: () => Promise<void>
}

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

/** Removes decided jobs older than `olderThan` (kept a while for the record). */
export async function pruneBotJobs(db: Db, olderThan: number): Promise<number> {
  const result = await db.deleteFrom('bot_jobs').where('state', '=', 'done').where('updated_at', '<', olderThan).executeTakeFirst()
  return Number(result.numDeletedRows)
}

export interface JobOutcome extends BotDecision { error?: string }

/** Decides and acts on one customer message. Returns what was done (stored on the job). */
export async function runBotJob(app: { db: Db, publish: (c: Committed[]) => void, wakeWorker: () => void }, job: Pick<BotJobsTable, 'workspace_id' | 'conversation_id' | 'message_id'>, now = Date.now(), settingsCache?: Map<string, StoredSettings>): Promise<JobOutcome> {
  const { db } = app
  const ws = job.workspace_id
  const started = now
  const row = await db.selectFrom('messages')
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
    .where('messages.workspace_id', '=', ws)
    .executeTakeFirst()
  const none = (reason: BotDecision['silentReason']): JobOutcome => ({
    action: 'none',
    bot: null,
    source: null,
    text: null,
    buttons: [],
    handoverReason: null,
    silentReason: reason,
  })
  if (!row)
    return none('no_match')
  if (now - Number(row.created_at) > STALE_MS)
    return none('stale')
  let settings = settingsCache?.get(ws)
  if (!settings) {
    settings = await loadSettings(db, ws)
    settingsCache?.set(ws, settings)
  }
  const recent: Recent[] = await db.selectFrom('messages')
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
  const content = JSON.parse(row.content) as Record<string, unknown>
  const text = messageText(row.type, content)
  const aiOn = settings.aiBot.enabled && row.ai_bot === 1
  const plan = decide({
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
  let decision: Plan = plan
  if (plan.action === 'reply' && plan.useProvider && settings.aiBot.provider) {
    const answer = await generateAnswer(settings.aiBot.provider, {
      passages: plan.hits.map(h => ({ title: h.title, passage: h.passage })),
      history: chatTurns(recent, Number(row.timestamp)),
      language: plan.language === 'default'
        ? null
        : plan.language,
      purpose: 'customer',
    })
    if (answer.ok) {
      decision = { ...plan, text: answer.text }
    }
    else {
      decision = handoverPlan(plan, settings, answer.reason)
    }
  }
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

  // What happened since the decision started (a provider call may take up to its timeout) is
  // checked again inside the writes: the switches, a block, an agent's reply or move.
  const stillOurs = async (trx: Transaction<Database>): Promise<boolean> => {
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

  // The customer is told first (the goodbye of a hand-over too): a crash between the two steps
  // then re-runs the job, which finds the message sent and completes the hand-over.
  if (decision.text !== null) {
    const bot = decision.bot!
    const clientId = `bot:${row.id}`
    const at = Date.now()
    const windowOpen = row.window_expires_at !== null && at < Number(row.window_expires_at)
    const request = decision.template && !windowOpen
      ? { clientId, type: 'template' as const, template: decision.template }
      : decision.buttons.length > 0
        ? {
            clientId,
            type: 'buttons' as const,
            text: decision.text,
            buttons: decision.buttons,
          }
        : { clientId, type: 'text' as const, text: decision.text }
    try {
      const queued = await queueMessage(db, ws, job.conversation_id, request, at, { bot, botSource: decision.source!, precondition: stillOurs })
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

export function createBotRunner(options: BotRunnerOptions): BotRunner {
  const { db, engine, log } = options
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const concurrency = options.concurrency ?? 8
  const leaseMs = options.leaseMs ?? 120_000
  const conversationQueues = new Map<string, Promise<void>>()
  let running = false
  let loop: Promise<void> | null = null
  let wakeUp: (() => void) | null = null
  let pending = false
  let inFlight = 0
  const idleWaiters: Array<() => void> = []

  function wake() {
    pending = true
    wakeUp?.()
  }

  async function claim(limit: number): Promise<BotJobsTable[]> {
    const now = Date.now()
    // Only the oldest queued job of each conversation (by id: UUIDv7, in the customer's order):
    // the next one waits until it is done, on every instance, also when it is retried later.
    let due = db.selectFrom('bot_jobs as j').select('j.id').where('j.state', '=', 'queued').where('j.run_at', '<=', now).where(eb => eb.or([
      eb('j.locked_until', 'is', null),
      eb('j.locked_until', '<', now),
    ])).where(eb => eb.not(eb.exists(eb.selectFrom('bot_jobs as o').select('o.id')
      .whereRef('o.conversation_id', '=', 'j.conversation_id')
      .where('o.state', '=', 'queued')
      .whereRef('o.id', '<', 'j.id')))).orderBy('j.run_at').orderBy('j.id').limit(limit)
    const busy = [
      ...conversationQueues.keys(),
    ]
    if (busy.length > 0)
      due = due.where('j.conversation_id', 'not in', busy)
    if (engine === 'postgres')
      due = due.forUpdate().skipLocked()
    const claimed = await db.updateTable('bot_jobs')
      .set({ locked_until: now + leaseMs, updated_at: now })
      .where('id', 'in', due)
      .returningAll()
      .execute()
    return claimed.sort((a, b) => Number(a.run_at) - Number(b.run_at) || (a.id < b.id
      ? -1
      : a.id > b.id
        ? 1
        : 0))
  }

  async function finish(job: BotJobsTable, result: unknown) {
    await db.updateTable('bot_jobs').set({
      state: 'done',
      result: JSON.stringify(result),
      locked_until: null,
      attempts: job.attempts + 1,
      updated_at: Date.now(),
    }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
  }

  async function processJob(job: BotJobsTable, settingsCache: Map<string, StoredSettings>) {
    try {
      const outcome = await runBotJob({ db, publish: options.publish, wakeWorker: options.wakeWorker }, job, Date.now(), settingsCache)
      await finish(job, outcome)
    }
    catch (error) {
      const attempts = job.attempts + 1
      log.warn({ err: error, job: job.id, attempts }, 'bots: a decision failed')
      if (attempts >= MAX_ATTEMPTS) {
        await finish(job, { action: 'none', error: 'internal_error' })
        return
      }
      await db.updateTable('bot_jobs').set({
        attempts,
        locked_until: null,
        run_at: Date.now() + 1000 * 2 ** attempts,
        updated_at: Date.now(),
      }).where('id', '=', job.id).where('locked_until', '=', job.locked_until).execute()
    }
  }

  async function run() {
    // eslint-disable-next-line no-unmodified-loop-condition
    while (running) {
      pending = false
      let jobs: BotJobsTable[] = []
      if (inFlight < concurrency) {
        try {
          jobs = await claim(concurrency - inFlight)
        }
        catch (error) {
          log.error({ err: error }, 'bots: claiming jobs failed')
        }
      }
      // Settings are read once per round and shared by its jobs.
      const settingsCache = new Map<string, StoredSettings>()
      for (const job of jobs) {
        inFlight++
        const key = job.conversation_id
        const previous = conversationQueues.get(key) ?? Promise.resolve()
        const next = previous.then(() => processJob(job, settingsCache)).catch(error => log.error({ err: error, job: job.id }, 'bots: job crashed')).finally(() => {
          inFlight--
          if (conversationQueues.get(key) === next)
            conversationQueues.delete(key)
          wake()
        })
        conversationQueues.set(key, next)
      }
      await new Promise(resolve => setImmediate(resolve))
      if (inFlight === 0 && jobs.length === 0 && !pending) {
        for (const resolve of idleWaiters.splice(0))
          resolve()
      }
      if ((jobs.length > 0 || pending) && inFlight < concurrency)
        continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs)
        wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wakeUp = null
    }
  }

  return {
    start() {
      if (running)
        return
      running = true
      loop = run()
    },
    wake,
    async idle() {
      if (!running)
        return
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        wake()
      })
    },
    async stop() {
      running = false
      wakeUp?.()
      await loop
      await Promise.allSettled([
        ...conversationQueues.values(),
      ])
      for (const resolve of idleWaiters.splice(0))
        resolve()
    },
  }
}
