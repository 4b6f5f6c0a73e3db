/**
 * The terms the AI Bot's retrieval indexes and searches: normalised words (text.ts), Romanian and
 * English stop words and chat filler left out, the rest stemmed with the Snowball stemmer of the
 * text's language (both languages when it is unknown), so "livrare" / "livrarea" / "livrări" and
 * "deliver" / "delivery" meet.
 */
import snowball from 'snowball-stemmers'
import { words } from './text.ts'

export type TermLanguage = 'ro' | 'en' | null

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
s sa salut salutare sau se si sint sunt suntem sunteti spune spuneti spuneti-mi stiu stiti ta tale te ti tine toata toate tot toti tu tuturor un una unde unei unele unii unor unu unui
va vi voi vostru voastra vreau vrea vreti vrem vroiam vom zi ziua doresc dori dorim as
`.split(/\s+/).filter(Boolean))

const EN_STOP = new Set(`
a about above after again all also am an and any anybody anyone anything are as at be because been being both but by can cant could couldnt d did didnt do does doesnt doing
dont done down each else even ever every few for from further get gets getting go going got gotta guys had has hasnt have havent having he hello her here hey hi him his how
hows i id if ill im in into is isnt it its ive just know kind let like ll m may me mine more most much must my myself need no nor not now of ok okay on once only or other ought
our ours out over please pls plz question quick re really s said same say shall she should so some something still such sure t tell than thank thanks thanx that thats the their
them then there theres these they thing this those thx to too u ur us ve very want wanna was wasnt way we well were werent what whats when where wheres which while who whom whos
why will with wondering wont would wouldnt yeah yes yet you youre your yours good morning afternoon evening dear hii hiya
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

function stemRo(word: string): string {
  const stem = roStemmer.stem(word.length >= 5 && RO_CLIPPED_ARTICLE.test(word) ? `${word}l` : word)
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

const cache = new Map<string, string>()

/** The stem of a normalised word in one language (memoised: the same words come back all the time). */
export function stem(word: string, language: 'ro' | 'en'): string {
  const key = `${language}:${word}`
  let out = cache.get(key)
  if (out === undefined) {
    if (/\d/.test(word))
      out = word
    else
      out = language === 'ro' ? stemRo(word) : stemEn(word)
    if (cache.size > 50_000)
      cache.clear()
    cache.set(key, out)
  }
  return out
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
  for (const word of words(text)) {
    if (seen.has(word) || isStopWord(word, language))
      continue
    seen.add(word)
    const stems = language
      ? [stem(word, language)]
      : [...new Set([stem(word, 'ro'), stem(word, 'en')])]
    out.push({ word, stems })
  }
  return out
}

/** The stems of a text, with repeats (what the index counts). */
export function stems(text: string, language: TermLanguage): string[] {
  const out: string[] = []
  for (const word of words(text)) {
    if (isStopWord(word, language))
      continue
    if (language) {
      out.push(stem(word, language))
    }
    else {
      const ro = stem(word, 'ro')
      const en = stem(word, 'en')
      out.push(ro)
      if (en !== ro)
        out.push(en)
    }
  }
  return out
}
