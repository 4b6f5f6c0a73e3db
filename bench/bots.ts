/**
 * The AI Bot's knowledge-base retrieval (server/src/bots/retrieval.ts) on the labelled question
 * set of bench/data/kb.ts: answer quality on the real knowledge base and on a 1,000-entry one
 * (real entries + filler), index build time and search latency at 1,000 entries. JSON lines:
 * `kb_index_build`, `kb_search_latency`, `kb_retrieval_quality` (per knowledge base, question
 * set — `tuned` or `held-out` — and language mode), `kb_threshold_sweep`.
 *
 * The helpers are exported so that the bot's whole decision can be timed the same way
 * (a `bot_decision_latency` figure over `KB_QUESTIONS` on `largeKb(1000)`).
 */
import type { KbDoc, KbIndex } from '../server/src/bots/retrieval.ts'
import type { LabelledQuestion } from './data/kb.ts'
import { performance } from 'node:perf_hooks'
import { decide } from '../server/src/bots/decide.ts'
import { buildIndex } from '../server/src/bots/retrieval.ts'
import { compileRules } from '../server/src/bots/rules.ts'
import { defaultSettings } from '../server/src/bots/settings.ts'
import { detectLanguage } from '../server/src/bots/text.ts'
import { ANSWERABLE_QUESTIONS, HELD_OUT_QUESTIONS, isRightAnswer, KB_ENTRIES, KB_QUESTIONS, largeKb, UNANSWERABLE_QUESTIONS } from './data/kb.ts'
import { emit, percentile } from './lib.ts'

export { ANSWERABLE_QUESTIONS, HELD_OUT_QUESTIONS, isRightAnswer, KB_ENTRIES, KB_QUESTIONS, largeKb, UNANSWERABLE_QUESTIONS }
export type { LabelledQuestion }

/** The product's default (protocol: `aiBot.threshold`), and what the figures below are read at. */
export const DEFAULT_THRESHOLD = 0.5

/**
 * The language the search is limited to: `known` as when the contact's language is known
 * (the question's label), `detected` as when it is not (the bot detects it from the text, and
 * searches every entry when the text does not say).
 */
export type LanguageMode = 'known' | 'detected'

export function searchLanguage(question: LabelledQuestion, mode: LanguageMode): 'ro' | 'en' | null {
  return mode === 'known'
    ? question.language
    : detectLanguage(question.text)
}

export interface QualityFigures {
  questions: number
  unanswerable: number
  /** answerable questions whose first hit is right */
  top1: number
  /** … with a right hit among the first three */
  top3: number
  threshold: number
  /** answerable questions whose first hit reaches the threshold */
  answered: number
  /** of those, the share whose first hit is right */
  precisionWhenAnswered: number
  /** unanswerable questions whose first hit stays below the threshold (or that have none) */
  unanswerableRefused: number
}

function share(count: number, of: number) {
  return of === 0
    ? 0
    : Math.round(count / of * 1000) / 1000
}

export function retrievalQuality(index: KbIndex, questions: LabelledQuestion[], threshold: number, mode: LanguageMode): QualityFigures {
  let answerable = 0
  let top1 = 0
  let top3 = 0
  let answered = 0
  let answeredRight = 0
  let unanswerable = 0
  let refused = 0
  for (const question of questions) {
    const hits = index.search(question.text, {
      language: searchLanguage(question, mode),
      limit: 3,
    })
    const first = hits[0]
    const confident = first !== undefined && first.confidence >= threshold
    if (question.answer === null) {
      unanswerable++
      if (!confident)
        refused++
      continue
    }
    answerable++
    const right = first !== undefined && isRightAnswer(question, first.entryId)
    if (right)
      top1++
    if (hits.some(hit => isRightAnswer(question, hit.entryId)))
      top3++
    if (confident) {
      answered++
      if (right)
        answeredRight++
    }
  }
  return {
    questions: answerable,
    unanswerable,
    top1: share(top1, answerable),
    top3: share(top3, answerable),
    threshold,
    answered: share(answered, answerable),
    precisionWhenAnswered: share(answeredRight, answered),
    unanswerableRefused: share(refused, unanswerable),
  }
}

/** Milliseconds per call of `run` over `texts`, `rounds` times after one warm-up round. */
export function latency(run: (text: string) => void, texts: string[], rounds: number): { queries: number, p50: number, p95: number, max: number } {
  for (const text of texts)
    run(text)
  const times: number[] = []
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      const start = performance.now()
      run(text)
      times.push(performance.now() - start)
    }
  }
  times.sort((a, b) => a - b)
  return {
    queries: times.length,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: percentile(times, 100),
  }
}

/** The median time to build the index of `entries` over `rounds` builds (ms). */
export function buildTime(entries: KbDoc[], rounds: number): number {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    buildIndex(entries)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return percentile(times, 50)
}

export async function benchBots(quick: boolean): Promise<void> {
  const large = largeKb(1000)
  emit({
    bench: 'kb_index_build',
    entries: large.length,
    ms: buildTime(large, quick ? 3 : 10),
  })

  const largeIndex = buildIndex(large)
  const questions = [
    ...KB_QUESTIONS,
    ...HELD_OUT_QUESTIONS,
  ]
  const languages = new Map(questions.map(q => [
    q.text,
    searchLanguage(q, 'detected'),
  ]))
  emit({
    bench: 'kb_search_latency',
    entries: large.length,
    ...latency(text => largeIndex.search(text, { language: languages.get(text) ?? null, limit: 3 }), questions.map(q => q.text), quick ? 2 : 20),
  })

  // The bot's whole decision (server/src/bots/decide.ts) as the runner takes it, database reads
  // aside: hand-over phrases, 50 Reply Bot rules (keywords, phrases, regular expressions, none of
  // which match these questions, so every rule is tried), business hours, then retrieval over
  // 1,000 entries. Target (issue #6): p95 < 20 ms.
  const settings = defaultSettings()
  settings.replyBot.rules = Array.from({ length: 50 }, (_, i) => ({
    id: `r${i}`,
    name: `rule ${i}`,
    enabled: true,
    match: (['keyword', 'phrase', 'regex'] as const)[i % 3]!,
    patterns: i % 3 === 2
      ? [`cod${i}\\s*\\d{4,}`, `voucher-${i}-[a-z]+`]
      : [`cuvant${i}`, `term ${i}`, `promo${i}`],
    language: 'any' as const,
    reply: { text: `reply ${i}` },
  }))
  const rules = compileRules(settings.replyBot.rules)
  const at = Date.now()
  emit({
    bench: 'bot_decision_latency',
    entries: large.length,
    rules: settings.replyBot.rules.length,
    ...latency(text => decide({
      settings,
      rules,
      index: largeIndex,
      contact: {
        replyBot: true,
        aiBot: true,
        blocked: false,
        language: null,
      },
      conversation: { handedOver: false, windowOpen: true },
      message: { type: 'text', text, at },
      history: {
        newConversation: false,
        lastHumanAt: null,
        botMessagesLastHour: 0,
        aiTurns: 0,
        awaySentRecently: false,
        confirmationSent: false,
        recentBotTexts: [],
      },
      now: at,
    }), questions.map(q => q.text), quick ? 2 : 20),
    target: '< 20 ms p95',
  })

  // `tuned`: the questions the engine was tuned on; `held-out`: written afterwards, never tuned on.
  const index = buildIndex(KB_ENTRIES)
  const sets = [
    ['tuned', KB_QUESTIONS],
    ['held-out', HELD_OUT_QUESTIONS],
  ] as const
  const runs: Array<[KbIndex, number, LanguageMode, string?]> = [
    [index, KB_ENTRIES.length, 'detected'],
    [index, KB_ENTRIES.length, 'known'],
    [largeIndex, large.length, 'detected'],
    // every entry left at the product's default language `any`
    [
      buildIndex(KB_ENTRIES.map(entry => ({ ...entry, language: 'any' as const }))),
      KB_ENTRIES.length,
      'detected',
      'any',
    ],
  ]
  for (const [kb, entries, language, tags] of runs) {
    for (const [set, list] of sets) {
      emit({
        bench: 'kb_retrieval_quality',
        entries,
        set,
        language,
        ...(tags
          ? { entryLanguages: tags }
          : {}),
        ...retrievalQuality(kb, list, DEFAULT_THRESHOLD, language),
      })
    }
  }
  // What another threshold would give (the real knowledge base, every question, language detected).
  const sweep = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((threshold) => {
    const q = retrievalQuality(index, questions, threshold, 'detected')
    return {
      threshold,
      answered: q.answered,
      precisionWhenAnswered: q.precisionWhenAnswered,
      unanswerableRefused: q.unanswerableRefused,
    }
  })
  emit({
    bench: 'kb_threshold_sweep',
    entries: KB_ENTRIES.length,
    language: 'detected',
    sweep,
  })
}
