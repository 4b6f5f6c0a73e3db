/**
 * The terms the AI Bot's retrieval indexes and searches: normalised words (text.ts), Romanian and
 * English stop words and chat filler left out, the rest stemmed with the Snowball stemmer of the
 * text's language (both languages when it is unknown), so "livrare" / "livrarea" / "livrări" and
 * "deliver" / "delivery" meet; then a shop's synonyms and phrases (retrieval-synonyms.ts) are read
 * as one term, so "shipping" meets "delivery" and "send it back" meets "return".
 */
import snowball from 'snowball-stemmers'
import { PHRASES, SYNONYMS } from './retrieval-synonyms.ts'
import { detectLanguage, normalize, words } from './text.ts'

export type TermLanguage = 'ro' | 'en' | null

const BOTH = ['ro', 'en'] as const

/**
 * Function words, pronouns, auxiliaries and question words, plus what customers add around a
 * question (greetings, thanks, "vreau să știu", "quick question"), normalised (no accents).
 */
const RO_STOP = new Set(`
a ai al ala ale alea alt alta alte altceva am ar are as asa asta aceasta acest acesta aceste acestea acei aceia acel acela acea aceea acele acelea acolo acum adica aici ajutati ajutor
ati au avea aveam avem aveti avut azi bine buna ca cam cand care careia caruia cat cata cate cati catre ce cea ceea cei cel cele celor ceva chiar cine cineva cu cum cumva
da daca dar de deci deja despre dintre din doar doamna doamnei domnul domnule dumneavoastra dvs dupa e ea ei el ele este esti eu exista fara fi fie fiind fost frumos
hei hey iar ii il ilor imi in inca inainte intr intre intrebare intreb intrebam isi la le li lor lui m ma mai maine mea mei mele meu mersi merci mi mie mii mult multa multe
multi multumesc multumim n ne nevoie nici noi noastra nostru nu o ok okay ori orice pe pentru pls plz pana poate pot poti prin puteti putem putea puteam rog
s sa salut salutare sau se si sint sunt suntem sunteti spune spuneti stiu stiti ta tale te ti tine toata toate tot toti tu tuturor ul ului un una unde unei unele unii unor unu unui
va vi voi vostru voastra vreau vrea vreti vrem vroiam vom zi ziua doresc dori dorim as
fac face faci facem faceti facut trebuie trebui vine vin vina venit merge merg mearga vad vede vedea aflu afla aflam stie zice zic spun
`.split(/\s+/).filter(Boolean))

const EN_STOP = new Set(`
a about above after again all also am an and any anybody anyone anything are as at be because been being both but by can cant could couldnt d did didnt do does doesnt doing
dont done down each else even ever every few for from further get gets getting go going got gotta guys had has hasnt have havent having he hello her here hey hi him his how
hows i id if ill im in into is isnt it its ive just know kind let like ll m may me mine more most much must my myself need no nor not now of ok okay on once only or other ought
our ours out over please pls plz question quick re really s said same say shall she should so some something still such sure t tell than thank thanks thanx that thats the their
them then there theres these they thing this those thx to too u ur us ve very want wanna was wasnt way we well were werent what whats when where wheres which while who whom whos
why will with wondering wont would everything nothing wouldnt yeah yes yet you youre your yours good morning afternoon evening dear hii hiya
make makes made come comes came see happen happens happened put take takes took give gives
`.split(/\s+/).filter(Boolean))

export function isStopWord(word: string, language: TermLanguage): boolean {
  if (word.length < 2)
    return true
  if (language === 'ro')
    return RO_STOP.has(word)
  if (language === 'en')
    return EN_STOP.has(word)
  return RO_STOP.has(word) || EN_STOP.has(word)
}

const roStemmer = snowball.newStemmer('romanian')
const enStemmer = snowball.newStemmer('english')

/**
 * Snowball's Romanian stemmer expects diacritics; on accent-less text (how customers write) some
 * plural and participle forms keep an ending the singular loses ("livrari" → "livrar" but
 * "livrare" → "livr", "carduri" → "cardur"), so a stem keeping one of these endings loses it too.
 */
const RO_RESIDUE = /(?:ar|er|ir|ur|at|it)$/
/** Porter2 keeps "-i" for "-y" and drops "-er" only sometimes ("delivery" → "deliveri", "deliver" → "deliv"). */
const EN_RESIDUE = /er$/

/** Chat Romanian drops the article's final "l" ("coletu", "returu"): read it back. */
const RO_CLIPPED_ARTICLE = /[^aeiou]u$/

/** A verb's "-ați / -eți / -iți" written "-ati": the stemmer knows the ending with "ţ". */
const RO_PLAIN_TI = /([aeiu])ti$/

function stemRo(word: string): string {
  let input = word
  if (input.length >= 5 && RO_CLIPPED_ARTICLE.test(input))
    input = `${input}l`
  else if (input.length >= 6)
    input = input.replace(RO_PLAIN_TI, '$1ţi')
  const stem = normalize(roStemmer.stem(input))
  return stem.length >= 6 && RO_RESIDUE.test(stem)
    ? stem.slice(0, -2)
    : stem
}

function stemEn(word: string): string {
  let stem = enStemmer.stem(word)
  if (stem.length >= 5 && stem.endsWith('i'))
    stem = stem.slice(0, -1)
  return stem.length >= 6 && EN_RESIDUE.test(stem)
    ? stem.slice(0, -2)
    : stem
}

function rawStem(word: string, language: 'ro' | 'en'): string {
  if (/\d/.test(word))
    return word
  return language === 'ro'
    ? stemRo(word)
    : stemEn(word)
}

interface SynonymMaps { words: Map<string, string>, stems: Map<string, string> }

function synonymMaps(language: 'ro' | 'en'): SynonymMaps {
  const words = new Map<string, string>()
  const stems = new Map<string, string>()
  const shared = new Set<string>()
  for (const group of SYNONYMS[language]) {
    // not a stem any word has: "ramburs" (cash on delivery) is not "rambursare" (refund)
    const canonical = `${group[0]!.replace(/^=/, '')}_`
    const own = new Set<string>()
    for (const entry of group) {
      const word = entry.replace(/^=/, '')
      words.set(word, canonical)
      if (!entry.startsWith('='))
        own.add(rawStem(word, language))
    }
    for (const s of own) {
      if (stems.has(s) && stems.get(s) !== canonical)
        shared.add(s)
      stems.set(s, canonical)
    }
  }
  for (const s of shared)
    stems.delete(s)
  return { words, stems }
}

const SYNONYM_MAPS = {
  ro: synonymMaps('ro'),
  en: synonymMaps('en'),
}
const cache = new Map<string, string>()

/**
 * The term of a normalised word in one language: its stem, or its synonym group's term
 * (memoised: the same words come back all the time).
 */
export function stem(word: string, language: 'ro' | 'en'): string {
  const key = `${language}:${word}`
  let out = cache.get(key)
  if (out === undefined) {
    const maps = SYNONYM_MAPS[language]
    const raw = rawStem(word, language)
    out = maps.words.get(word) ?? maps.stems.get(raw) ?? raw
    if (cache.size > 50_000)
      cache.clear()
    cache.set(key, out)
  }
  return out
}

/** "how long", "how much", "în cât timp": the second word only makes the question. */
const QUESTION_PHRASES = new Set([
  'how long',
  'how much',
  'how many',
  'how often',
  'how soon',
  'cat timp',
  'cata vreme',
])

/** Replaces the phrases of `table` (up to three words) by their one word. */
function joinPhrases(list: string[], table: Record<string, string>): string[] {
  const out: string[] = []
  for (let i = 0; i < list.length; i++) {
    let joined = false
    for (const length of [3, 2]) {
      const phrase = table[list.slice(i, i + length).join(' ')]
      if (i + length <= list.length && phrase) {
        out.push(phrase)
        i += length - 1
        joined = true
        break
      }
    }
    if (!joined)
      out.push(list[i]!)
  }
  return out
}

function phrases(list: string[], language: TermLanguage, kind: 'words' | 'content'): string[] {
  if (language)
    return joinPhrases(list, PHRASES[language][kind])
  return joinPhrases(joinPhrases(list, PHRASES.ro[kind]), PHRASES.en[kind])
}

/** The words of a text that carry content, in order. */
function contentWords(text: string, language: TermLanguage): string[] {
  const all = phrases(words(text), language, 'words')
  const content = all.filter((word, i) => !isStopWord(word, language) && !(i > 0 && QUESTION_PHRASES.has(`${all[i - 1]} ${word}`)))
  return phrases(content, language, 'content')
}

/**
 * The language to stem a question in: as detected (text.ts), otherwise the one whose stop words
 * it uses more; null when nothing says.
 */
export function guessLanguage(text: string): TermLanguage {
  const detected = detectLanguage(text)
  if (detected)
    return detected
  let ro = 0
  let en = 0
  for (const word of words(text)) {
    const isRo = RO_STOP.has(word)
    const isEn = EN_STOP.has(word)
    if (isRo && !isEn)
      ro++
    if (isEn && !isRo)
      en++
  }
  return ro === en
    ? null
    : ro > en
      ? 'ro'
      : 'en'
}

const SENTENCE = /[.!?…]+\s*|\n+/
const TITLE_CASE = /^\p{Lu}\p{Ll}+$/u

/**
 * The words of a text written as names: capitalised ("Iași", "Ana") inside a sentence, not at
 * its start, normalised. Nothing when most words are capitalised (a shouted or title-cased text).
 */
export function nameWords(text: string): Set<string> {
  const names = new Set<string>()
  let capitalised = 0
  let all = 0
  for (const sentence of text.split(SENTENCE)) {
    const tokens = sentence.split(/[^\p{L}\p{N}]+/u).filter(Boolean)
    for (const [i, token] of tokens.entries()) {
      all++
      if (!TITLE_CASE.test(token))
        continue
      capitalised++
      if (i > 0)
        names.add(normalize(token))
    }
  }
  return capitalised * 2 > all
    ? new Set()
    : names
}

/** A content word of a text and its stems (one per language when the language is unknown). */
export interface Term {
  word: string
  stems: string[]
}

/** The content words of a text, in order, each once. */
export function terms(text: string, language: TermLanguage): Term[] {
  const out: Term[] = []
  const seen = new Set<string>()
  for (const word of contentWords(text, language)) {
    if (seen.has(word))
      continue
    seen.add(word)
    const stems = new Set<string>()
    for (const each of language
      ? [language]
      : BOTH)
      stems.add(stem(word, each))
    out.push({
      word,
      stems: [...stems],
    })
  }
  return out
}

/** The stems of a text, with repeats (what the index counts); both stems of a word when the language is unknown. */
export function stems(text: string, language: TermLanguage): string[] {
  const out: string[] = []
  for (const word of contentWords(text, language)) {
    if (language) {
      out.push(stem(word, language))
      continue
    }
    const ro = stem(word, 'ro')
    const en = stem(word, 'en')
    out.push(ro)
    if (en !== ro)
      out.push(en)
  }
  return out
}
