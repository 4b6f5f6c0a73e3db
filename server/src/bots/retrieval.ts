/**
 * The AI Bot's local retrieval over a workspace's knowledge base: no external service. Q&A
 * entries are searched by question (weighted more) and answer; documents are split into passages
 * (paragraphs of at most ~600 characters, sentences kept whole), each searched with its
 * document's title. Ranking is BM25+ (MiniSearch) over stemmed, stop-word-free terms with
 * shop-vocabulary synonyms (retrieval-terms.ts); one hit per entry, its best passage.
 *
 * `confidence` says whether the entry answers the question, on the same 0–1 scale for every
 * question: the IDF-weighted share of the question's content words found in the entry's passage
 * (a near match, a typo, counts in part), lowered by up to half when a different entry scores
 * almost as well (the engine cannot tell them apart). A word no entry has weighs the most, so
 * "do you sell laptops?" stays low although "sell" is found; a number or a name the entries do
 * not have ("order 12345", "to Iași") is left out instead. A question without content words
 * ("hi", "ok thanks") has no hits. Measured on bench/data/kb.ts (`BENCH_ONLY=bots`): 0.5 is
 * the threshold to answer at.
 */
import type { KbHit } from '../../../protocol/bots.ts'
import type { TermLanguage } from './retrieval-terms.ts'
import MiniSearch from 'minisearch'
import { guessLanguage, nameWords, stems, terms } from './retrieval-terms.ts'

export interface KbDoc { id: string, kind: 'qa' | 'document', title: string, body: string, language: 'any' | 'ro' | 'en' }
export interface SearchOptions { language?: 'ro' | 'en' | null, limit?: number }
export interface KbIndex { readonly size: number, search: (query: string, options?: SearchOptions) => KbHit[] }

/** Field weights: a Q&A's question over its answer; a document's paragraph is its answer and its question at once. */
const BOOST = {
  question: 3,
  answer: 1,
  title: 2,
  passage: 2,
}
/** Stems at least this long also match a stem one edit away (a typo), or a longer one they begin. */
const FUZZY_MIN_LENGTH = 5
const PREFIX_MIN_LENGTH = 5
/** What a near match (typo, prefix) counts toward the confidence, an exact one counting 1. */
const NEAR_CREDIT = 0.6
/** Entries (best BM25 first) whose confidence is worked out before the final order. */
const CANDIDATES = 20
/** The final order: BM25 score × (RANK_FLOOR + confidence). */
const RANK_FLOOR = 0.25
/** A runner-up scoring above AMBIGUOUS_FROM of the first's score lowers its confidence, by up to AMBIGUITY_PENALTY at a tie. */
const AMBIGUOUS_FROM = 0.3
const AMBIGUITY_PENALTY = 0.5

/** Below this many entries, the IDF of the confidence counts as if there were this many. */
const IDF_MIN_ENTRIES = 50

const PASSAGE_MAX = 600
const HEADING_MAX = 80
const DEFAULT_LIMIT = 5

interface Passage {
  entry: number
  text: string
  /** the stems of the entry's title (the question, or the document's title) */
  title: Set<string>
  /** the stems of the passage (the answer, or the document's paragraph) */
  body: Set<string>
}

interface Unit {
  id: number
  question?: string
  answer?: string
  title?: string
  passage?: string
}

interface Candidate {
  entry: number
  passage: Passage
  score: number
  confidence: number
  matched: string[]
  rank: number
}

/** A document's body in passages: paragraphs (a short heading joins the next), long ones cut between sentences. */
function splitPassages(body: string): string[] {
  const paragraphs = body.split(/\n\s*\n/).map(p => p.replace(/\s+/g, ' ').trim()).filter(Boolean)
  const merged: string[] = []
  let heading = ''
  for (const paragraph of paragraphs) {
    const text = heading
      ? `${heading} ${paragraph}`
      : paragraph
    if (text.length <= HEADING_MAX && !/[.!?…:;]$/.test(text)) {
      heading = text
      continue
    }
    heading = ''
    merged.push(text)
  }
  if (heading)
    merged.push(heading)
  const out: string[] = []
  for (const paragraph of merged) {
    if (paragraph.length <= PASSAGE_MAX) {
      out.push(paragraph)
      continue
    }
    let current = ''
    for (const sentence of paragraph.split(/(?<=[.!?…])\s+(?=\S)/)) {
      if (current && current.length + 1 + sentence.length > PASSAGE_MAX) {
        out.push(current)
        current = sentence
      }
      else {
        current = current
          ? `${current} ${sentence}`
          : sentence
      }
    }
    if (current)
      out.push(current)
  }
  return out.length
    ? out
    : [
        body.trim(),
      ]
}

/** The language an entry is stemmed in: its own, or both for `any` (an admin may write either). */
function entryLanguage(doc: KbDoc): TermLanguage {
  return doc.language === 'any'
    ? null
    : doc.language
}

/** What a search reads: the entries, their passages, the MiniSearch index and the IDF of each stem. */
interface BuiltIndex {
  entries: KbDoc[]
  passages: Passage[]
  index: MiniSearch<Unit>
  idf: (stem: string) => number
}

export function buildIndex(entries: KbDoc[]): KbIndex {
  const { passages, units, entryCount } = indexPassages(entries)
  const index = createMiniSearch()
  index.addAll(units)
  // A few entries say little about how rare a word is: count as if there were at least IDF_MIN_ENTRIES.
  const idfN = Math.max(entries.length, IDF_MIN_ENTRIES)
  const idf = (s: string) => {
    const count = entryCount.get(s) ?? 0
    return Math.log(1 + (idfN - count + 0.5) / (count + 0.5))
  }
  const built: BuiltIndex = { entries, passages, index, idf }
  return {
    size: entries.length,
    search: (query, options) => search(built, query, options),
  }
}

/**
 * Every entry as passages (a Q&A entry is one; a document is split at headings and length), the
 * MiniSearch units of their stems, and in how many entries each stem is (the IDF of the confidence).
 */
function indexPassages(entries: KbDoc[]) {
  const passages: Passage[] = []
  const units: Unit[] = []
  const entryCount = new Map<string, number>()
  for (const [entry, doc] of entries.entries()) {
    const language = entryLanguage(doc)
    const titleStems = stems(doc.title, language)
    const title = titleStems.join(' ')
    const seen = new Set(titleStems)
    for (const text of doc.kind === 'qa'
      ? [
          doc.body.trim(),
        ]
      : splitPassages(doc.body)) {
      const bodyStems = stems(text, language)
      const id = passages.length
      passages.push({
        entry,
        text,
        title: new Set(titleStems),
        body: new Set(bodyStems),
      })
      for (const s of bodyStems)
        seen.add(s)
      units.push(doc.kind === 'qa'
        ? {
            id,
            question: title,
            answer: bodyStems.join(' '),
          }
        : {
            id,
            title,
            passage: bodyStems.join(' '),
          })
    }
    for (const s of seen)
      entryCount.set(s, (entryCount.get(s) ?? 0) + 1)
  }
  return { passages, units, entryCount }
}

function createMiniSearch() {
  return new MiniSearch<Unit>({
    fields: [
      'question',
      'answer',
      'title',
      'passage',
    ],
    // the fields are already terms, space-separated
    tokenize: text => text.split(' '),
    processTerm: term => term || null,
    searchOptions: {
      boost: BOOST,
      fuzzy: term => term.length >= FUZZY_MIN_LENGTH
        ? 1
        : false,
      prefix: term => term.length >= PREFIX_MIN_LENGTH,
    },
  })
}

/** BM25 finds candidates; the confidence says how much of the question the best passage covers. */
function search(built: BuiltIndex, query: string, options: SearchOptions = {}): KbHit[] {
  const { entries, passages } = built
  const limit = options.limit ?? DEFAULT_LIMIT
  const language = options.language ?? null
  const queryTerms = terms(query, language ?? guessLanguage(query))
  if (entries.length === 0 || queryTerms.length === 0 || limit <= 0)
    return []
  const results = built.index.search([
    ...new Set(queryTerms.flatMap(t => t.stems)),
  ].join(' '), {
    filter: language
      ? (result) => {
          const own = entries[passages[result.id as number]!.entry]!.language
          return own === 'any' || own === language
        }
      : undefined,
  })
  const candidates = scoreCandidates(built, query, queryTerms, bestPassages(passages, results, limit))
  candidates.sort((a, b) => b.rank - a.rank)

  const [first, second] = candidates
  if (first && second) {
    const closeness = Math.min(1, second.score / first.score)
    first.confidence *= 1 - AMBIGUITY_PENALTY * Math.max(0, closeness - AMBIGUOUS_FROM) / (1 - AMBIGUOUS_FROM)
  }
  return candidates.slice(0, limit).map((c) => {
    const doc = entries[c.entry]!
    return {
      entryId: doc.id,
      title: doc.title,
      passage: c.passage.text,
      score: Math.round(c.score * 1000) / 1000,
      confidence: Math.round(c.confidence * 1000) / 1000,
      matched: c.matched,
    }
  })
}

type BestPassages = Map<number, { passage: Passage, score: number, near: Set<string> }>

/** The best passage of each entry, best BM25 first, with the query terms it matched nearly. */
function bestPassages(passages: Passage[], results: ReturnType<MiniSearch<Unit>['search']>, limit: number): BestPassages {
  const best: BestPassages = new Map()
  for (const result of results) {
    const passage = passages[result.id as number]!
    if (!best.has(passage.entry)) {
      best.set(passage.entry, {
        passage,
        score: result.score,
        near: new Set(result.queryTerms),
      })
    }
    if (best.size >= Math.max(CANDIDATES, limit))
      break
  }
  return best
}

/**
 * The confidence of each candidate: the IDF-weighted share of the query's words its passage has
 * (a nearly matched word counts NEAR_CREDIT). A word stemmed both ways (language unknown) weighs
 * as its more common stem. A number (an order number, a price) or a name ("to Iași?") counts only
 * where an entry has it: it rarely changes what is asked.
 */
function scoreCandidates(built: BuiltIndex, query: string, queryTerms: ReturnType<typeof terms>, best: BestPassages): Candidate[] {
  const weights = queryTerms.map(t => Math.min(...t.stems.map(built.idf)))
  const names = nameWords(query)
  const detail = queryTerms.map(t => /\d/.test(t.word) || names.has(t.word))
  const candidates: Candidate[] = []
  for (const [entry, { passage, score, near }] of best) {
    let covered = 0
    let total = 0
    const matched: string[] = []
    for (const [i, term] of queryTerms.entries()) {
      const credit = term.stems.some(s => passage.title.has(s) || passage.body.has(s))
        ? 1
        : term.stems.some(s => near.has(s))
          ? NEAR_CREDIT
          : 0
      if (credit > 0 || !detail[i])
        total += weights[i]!
      if (credit > 0) {
        covered += credit * weights[i]!
        matched.push(term.word)
      }
    }
    const confidence = total > 0
      ? covered / total
      : 0
    candidates.push({
      entry,
      passage,
      score,
      confidence,
      matched,
      rank: score * (RANK_FLOOR + confidence),
    })
  }
  return candidates
}
