/**
 * The AI Bot's local retrieval over a workspace's knowledge base: no external service. Q&A
 * entries are searched by question (weighted more) and answer; documents are split into passages
 * (paragraphs of at most ~600 characters, sentences kept whole), each searched with its document's
 * title. Ranking is BM25+ (MiniSearch) over stemmed, stop-word-free terms (retrieval-terms.ts);
 * one hit per entry, its best passage.
 *
 * `confidence` says whether the entry answers the question, on the same scale for every
 * question: the IDF-weighted share of the question's content words found in the entry's passage
 * (a near match, a typo, counts in part). A word no entry has weighs the most, so "do you sell
 * laptops?" stays low even though "sell" is found. A question without content words ("hi",
 * "ok thanks") has no hits.
 */
import type { KbHit } from '../../../protocol/bots.ts'
import type { TermLanguage } from './retrieval-terms.ts'
import MiniSearch from 'minisearch'
import { stems, terms } from './retrieval-terms.ts'
import { detectLanguage } from './text.ts'

export interface KbDoc { id: string, kind: 'qa' | 'document', title: string, body: string, language: 'any' | 'ro' | 'en' }
export interface SearchOptions { language?: 'ro' | 'en' | null, limit?: number }
export interface KbIndex { readonly size: number, search: (query: string, options?: SearchOptions) => KbHit[] }

const TUNING = {
  /** field weights: a Q&A's question over its answer, a document's title over its passage */
  boost: { question: 3, answer: 1, title: 2, passage: 1 } as Record<string, number>,
  /** stems at least this long also match with one edit (a typo) */
  fuzzyMinLength: 5,
  /** stems at least this long also match longer stems they begin */
  prefixMinLength: 5,
  /** MiniSearch's weights for those near matches (an exact match weighs 1) */
  weights: { fuzzy: 0.45, prefix: 0.375 },
  /** how much a near match counts toward confidence */
  nearCredit: 0.6,
  /** how many entries, best BM25 first, are considered for the final order */
  candidates: 20,
  /** final order: BM25 score × (rankFloor + confidence) */
  rankFloor: 0.25,
  ...(process.env.RETRIEVAL_TUNING ? JSON.parse(process.env.RETRIEVAL_TUNING) as object : {}),
}

const PASSAGE_MAX = 600
const HEADING_MAX = 80
const DEFAULT_LIMIT = 5

interface Passage {
  entry: number
  text: string
  /** the passage's stems and its entry's title stems */
  stems: Set<string>
}

interface Unit {
  id: number
  question?: string
  answer?: string
  title?: string
  passage?: string
}

/** A document's body in passages: paragraphs (a short heading joins the next), long ones cut between sentences. */
function splitPassages(body: string): string[] {
  const paragraphs = body.split(/\n\s*\n/).map(p => p.replace(/\s+/g, ' ').trim()).filter(Boolean)
  const merged: string[] = []
  let heading = ''
  for (const paragraph of paragraphs) {
    const text = heading ? `${heading} ${paragraph}` : paragraph
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
        current = current ? `${current} ${sentence}` : sentence
      }
    }
    if (current)
      out.push(current)
  }
  return out.length ? out : [body.trim()]
}

function entryLanguage(doc: KbDoc): TermLanguage {
  return doc.language === 'any' ? null : doc.language
}

export function buildIndex(entries: KbDoc[]): KbIndex {
  const passages: Passage[] = []
  const units: Unit[] = []
  const df = new Map<string, number>()
  for (const [entry, doc] of entries.entries()) {
    const language = entryLanguage(doc)
    const titleStems = stems(doc.title, language)
    const entryStems = new Set(titleStems)
    const texts = doc.kind === 'qa' ? [doc.body.trim()] : splitPassages(doc.body)
    const title = titleStems.join(' ')
    for (const text of texts) {
      const bodyStems = stems(text, language)
      const id = passages.length
      passages.push({ entry, text, stems: new Set([...titleStems, ...bodyStems]) })
      for (const s of bodyStems)
        entryStems.add(s)
      units.push(doc.kind === 'qa'
        ? { id, question: title, answer: bodyStems.join(' ') }
        : { id, title, passage: bodyStems.join(' ') })
    }
    for (const s of entryStems)
      df.set(s, (df.get(s) ?? 0) + 1)
  }

  const index = new MiniSearch<Unit>({
    fields: ['question', 'answer', 'title', 'passage'],
    tokenize: text => text.split(' '),
    processTerm: term => term || null,
  })
  index.addAll(units)

  const n = entries.length
  const idf = (s: string) => {
    const d = df.get(s) ?? 0
    return Math.log(1 + (n - d + 0.5) / (d + 0.5))
  }

  function search(query: string, options: SearchOptions = {}): KbHit[] {
    const limit = options.limit ?? DEFAULT_LIMIT
    const language = options.language ?? null
    const queryTerms = terms(query, language ?? detectLanguage(query))
    if (n === 0 || queryTerms.length === 0 || limit <= 0)
      return []
    const queryStems = [...new Set(queryTerms.flatMap(t => t.stems))]
    const results = index.search(queryStems.join(' '), {
      boost: TUNING.boost,
      fuzzy: term => term.length >= TUNING.fuzzyMinLength ? 1 : false,
      prefix: term => term.length >= TUNING.prefixMinLength,
      weights: TUNING.weights,
      filter: language
        ? (result) => {
            const own = entries[passages[result.id as number]!.entry]!.language
            return own === 'any' || own === language
          }
        : undefined,
    })

    // The best passage of each entry, best BM25 first.
    const best = new Map<number, { passage: Passage, score: number, near: Set<string> }>()
    for (const result of results) {
      const passage = passages[result.id as number]!
      if (!best.has(passage.entry))
        best.set(passage.entry, { passage, score: result.score, near: new Set(result.queryTerms) })
      if (best.size >= Math.max(TUNING.candidates, limit))
        break
    }

    const weights = queryTerms.map(t => Math.min(...t.stems.map(idf)))
    const total = weights.reduce((a, b) => a + b, 0)
    const hits: Array<KbHit & { rank: number }> = []
    for (const [entry, { passage, score, near }] of best) {
      let covered = 0
      const matched: string[] = []
      for (const [i, term] of queryTerms.entries()) {
        const credit = term.stems.some(s => passage.stems.has(s))
          ? 1
          : term.stems.some(s => near.has(s))
            ? TUNING.nearCredit
            : 0
        if (credit > 0) {
          covered += credit * weights[i]!
          matched.push(term.word)
        }
      }
      const confidence = total > 0 ? Math.round(covered / total * 1000) / 1000 : 0
      const doc = entries[entry]!
      hits.push({
        entryId: doc.id,
        title: doc.title,
        passage: passage.text,
        score: Math.round(score * 1000) / 1000,
        confidence,
        matched,
        rank: score * (TUNING.rankFloor + confidence),
      })
    }
    hits.sort((a, b) => b.rank - a.rank)
    return hits.slice(0, limit).map(({ rank: _, ...hit }) => hit)
  }

  return { size: entries.length, search }
}
