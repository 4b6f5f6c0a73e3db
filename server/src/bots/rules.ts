/**
 * The Reply Bot's rules, matched case- and accent-insensitively:
 * - `keyword`: any of the patterns as a whole word ("pret" matches "Preț?"); a keyword of four
 *   letters or more also matches the words it begins ("pret" → "prețul", "prețuri"), and a
 *   trailing `*` asks for that explicitly ("livr*").
 * - `phrase`: the pattern's words together, in order ("cat costa" matches "Cât costă livrarea?").
 * - `regex`: a regular expression in RE2 syntax (the common JavaScript / Perl syntax without
 *   look-arounds and back-references), case-insensitive, over the text with its accents removed;
 *   accents in the pattern are removed too, so "preț" and "pret" in a pattern mean the same. RE2
 *   (re2js) matches in linear time: no pattern an admin saves can make a customer's message
 *   freeze the server (a backtracking engine takes seconds on `(\d|\w)+$` and 30 characters).
 * Rules are tried in order; the first that matches answers.
 */
import type { BotRule } from '../../../protocol/bots.ts'
import { RE2JS } from 're2js'
import { normalize, stripAccents } from './text.ts'

/** Accents removed, case kept (a regular expression's `\D` must stay `\D`). */
export const fold = stripAccents

export interface Matcher { test: (text: string) => boolean }

/** Compiles a rule's regular expression as the matcher uses it; throws (RE2JSSyntaxException) when invalid. */
export function compileRegex(pattern: string): Matcher {
  const re = RE2JS.compile(fold(pattern), RE2JS.CASE_INSENSITIVE)
  return {
    test: text => re.matcher(text).find(),
  }
}

export interface RuleMatch { rule: BotRule, pattern: string }

interface Compiled { rule: BotRule, test: (words: string[], normalized: string, folded: string) => string | null }

function keywordTest(patterns: string[]) {
  const keys = patterns.map((p) => {
    const prefix = p.trim().endsWith('*')
    const word = normalize(p.replace(/\*+\s*$/, ''))
    return {
      p,
      word,
      prefix: prefix || word.length >= 4,
      multi: word.includes(' '),
    }
  }).filter(k => k.word !== '')
  return (words: string[], normalized: string) => {
    for (const k of keys) {
      if (k.multi) { // a keyword of several words behaves as a phrase
        if (` ${normalized} `.includes(` ${k.word} `))
          return k.p
        continue
      }
      for (const w of words) {
        if (w === k.word || (k.prefix && w.startsWith(k.word)))
          return k.p
      }
    }
    return null
  }
}

function phraseTest(patterns: string[]) {
  const phrases = patterns.map(p => ({
    p,
    n: normalize(p),
  })).filter(x => x.n !== '')
  return (_words: string[], normalized: string) => {
    const padded = ` ${normalized} `
    for (const x of phrases) {
      if (padded.includes(` ${x.n} `))
        return x.p
    }
    return null
  }
}

function regexTest(patterns: string[]) {
  const compiled: Array<{ p: string, re: Matcher }> = []
  for (const p of patterns) {
    try {
      compiled.push({
        p,
        re: compileRegex(p),
      })
    }
    catch {} // refused when saved; a stored one that no longer compiles never matches
  }
  return (_words: string[], _normalized: string, folded: string) => {
    for (const x of compiled) {
      if (x.re.test(folded))
        return x.p
    }
    return null
  }
}

export interface RuleSet { match: (text: string, language: string | null) => RuleMatch | null }

const compiledSets = new WeakMap<BotRule[], RuleSet>()

/**
 * Compiles the enabled rules once per rules list (the runner reads the settings once per round and
 * decides many messages with them); `match` answers the first rule (in order) that matches.
 */
export function compileRules(rules: BotRule[]): RuleSet {
  let set = compiledSets.get(rules)
  if (!set) {
    set = compile(rules)
    compiledSets.set(rules, set)
  }
  return set
}

function compile(rules: BotRule[]): RuleSet {
  const compiled: Compiled[] = rules.filter(r => r.enabled).map(rule => ({
    rule,
    test: rule.match === 'keyword'
      ? keywordTest(rule.patterns)
      : rule.match === 'phrase'
        ? phraseTest(rule.patterns)
        : regexTest(rule.patterns),
  }))
  return {
    match(text, language) {
      const normalized = normalize(text)
      const words = normalized === ''
        ? []
        : normalized.split(' ')
      const folded = fold(text)
      for (const c of compiled) {
        // A rule for one language answers customers of that language, or of a language not known.
        if (c.rule.language !== 'any' && language !== null && language !== c.rule.language)
          continue
        const pattern = c.test(words, normalized, folded)
        if (pattern !== null)
          return { rule: c.rule, pattern }
      }
      return null
    },
  }
}
