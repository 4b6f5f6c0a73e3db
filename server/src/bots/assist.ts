/**
 * What the bots offer people: the admin's "test this message" (which rule or knowledge entry would
 * answer, and why, without sending anything or calling the provider) and the agent's suggested
 * reply in the composer (a draft from the knowledge base, written by the provider when one is
 * configured; never sent by itself).
 */
import type { BotTestRequest, BotTrace, Suggestion } from '../../../protocol/bots.ts'
import type { SessionAgent } from '../services/sessions.ts'
import type { Db } from '../storage/db.ts'
import { AppError } from '../errors.ts'
import { requireAdmin } from '../services/access.ts'
import { visibleConversationRow } from '../services/conversations.ts'
import { decide } from './decide.ts'
import { knowledgeIndex } from './knowledge.ts'
import { generateAnswer } from './provider.ts'
import { compileRules } from './rules.ts'
import { chatTurns } from './runner.ts'
import { loadSettings } from './settings.ts'
import { detectLanguage, primaryLanguage } from './text.ts'

const NO_HISTORY = {
  newConversation: false,
  lastHumanAt: null,
  botMessagesLastHour: 0,
  aiTurns: 0,
  awaySentRecently: false,
  confirmationSent: false,
  recentBotTexts: [],
}

export async function testMessage(db: Db, agent: SessionAgent, req: BotTestRequest, now = Date.now()): Promise<BotTrace> {
  requireAdmin(agent)
  const settings = await loadSettings(db, agent.workspace_id)
  const index = await knowledgeIndex(db, agent.workspace_id)
  const started = performance.now()
  const plan = decide({
    settings,
    rules: compileRules(settings.replyBot.rules),
    index,
    contact: {
      replyBot: req.replyBot ?? true,
      aiBot: req.aiBot ?? true,
      blocked: false,
      language: req.language ?? null,
    },
    conversation: { handedOver: false, windowOpen: true },
    message: { type: 'text', text: req.text, at: req.at ?? now },
    history: { ...NO_HISTORY, newConversation: req.newConversation ?? false },
    now: req.at ?? now,
  })
  const language = plan.language === 'default'
    ? null
    : plan.language
  // The admin sees the best entries even when the decision did not get as far as the knowledge base.
  const knowledge = plan.hits.length > 0 || !index
    ? plan.hits
    : index.search(req.text, {
        language: language === 'ro' || language === 'en'
          ? language
          : null,
        limit: 3,
      })
  const tookMs = Math.round((performance.now() - started) * 100) / 100
  return {
    language: plan.language,
    normalized: plan.normalized,
    hours: plan.hours,
    handoverRequested: plan.handoverRequested,
    rule: plan.rule
      ? { id: plan.rule.rule.id, name: plan.rule.rule.name, pattern: plan.rule.pattern }
      : null,
    knowledge,
    threshold: settings.aiBot.threshold,
    decision: {
      action: plan.action,
      bot: plan.bot,
      source: plan.source,
      text: plan.text,
      buttons: plan.buttons,
      handoverReason: plan.handoverReason,
      silentReason: plan.silentReason,
    },
    tookMs,
  }
}

export async function suggestReply(db: Db, agent: SessionAgent, conversationId: string): Promise<Suggestion> {
  const conversation = await visibleConversationRow(db, agent, conversationId)
  const settings = await loadSettings(db, agent.workspace_id)
  const recent = await db.selectFrom('messages').select([
    'direction',
    'type',
    'content',
    'timestamp',
  ]).where('conversation_id', '=', conversation.id).orderBy('timestamp', 'desc').limit(12).execute()
  const history = chatTurns(recent)
  const question = history.filter(t => t.role === 'user').slice(-2).map(t => t.content).join('\n')
  if (question === '')
    throw new AppError(422, 'no_suggestion', 'the customer has not written anything to answer')
  const contact = await db.selectFrom('contacts').select('language').where('id', '=', conversation.contact_id).executeTakeFirst()
  const language = primaryLanguage(contact?.language) ?? detectLanguage(question)
  const index = await knowledgeIndex(db, agent.workspace_id)
  const hits = index
    ? index.search(question, {
        language: language === 'ro' || language === 'en'
          ? language
          : null,
        limit: 3,
      })
    : []
  const entries = hits.map(h => ({ id: h.entryId, title: h.title }))
  const confidence = hits[0]?.confidence ?? 0
  const provider = settings.aiBot.provider
  if (provider) {
    const answer = await generateAnswer(provider, {
      passages: hits.map(h => ({ title: h.title, passage: h.passage })),
      history,
      language,
      purpose: 'suggestion',
    })
    if (!answer.ok) {
      throw new AppError(502, 'provider_failed', `the AI provider failed: ${answer.detail}`, {
        details: { reason: answer.reason },
      })
    }
    return {
      text: answer.text,
      source: 'provider',
      confidence,
      entries,
    }
  }
  // A person reviews the draft, so a weaker match than the bot's own threshold is still worth showing.
  if (!hits[0] || confidence < settings.aiBot.threshold / 2)
    throw new AppError(422, 'no_suggestion', 'nothing in the knowledge base answers this conversation')
  return {
    text: hits[0].passage,
    source: 'knowledge',
    confidence,
    entries,
  }
}
