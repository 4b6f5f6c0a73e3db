/**
 * Text normalisation shared by the Reply Bot's rules and the AI Bot's retrieval: lower case,
 * accents removed (Romanian ă â î ș ț, including the old cedilla forms ş ţ), punctuation turned
 * into spaces, so "Preț?" and "pret" are the same word.
 */

const COMBINING = /[\u0300-\u036F]/g
const NOT_WORD = /[^\p{L}\p{N}]+/gu

/** Accents removed (ă → a, ș/ş → s), case kept. */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(COMBINING, '')
}

/** Lower case, no accents, words separated by single spaces, trimmed. */
export function normalize(text: string): string {
  return stripAccents(text)
    .toLowerCase()
    .replace(NOT_WORD, ' ')
    .trim()
}

/** The normalised words of a text. */
export function words(text: string): string[] {
  const n = normalize(text)
  return n === ''
    ? []
    : n.split(' ')
}

// Frequent short words that tell the two languages apart (normalised: no accents).
const RO_MARKERS = new Set([
  'si',
  'sa',
  'nu',
  'da',
  'este',
  'e',
  'cu',
  'la',
  'de',
  'pe',
  'in',
  'un',
  'o',
  'care',
  'ce',
  'cum',
  'cat',
  'cand',
  'unde',
  'pentru',
  'mai',
  'am',
  'ati',
  'aveti',
  'vreau',
  'puteti',
  'buna',
  'multumesc',
  'va',
  'rog',
  'ziua',
  'sunt',
  'meu',
  'mea',
  'comanda',
  'pret',
  'livrare',
  'si',
  'ma',
  'imi',
  'fi',
  'dar',
  'sau',
  'din',
  'acum',
  'azi',
  'maine',
])
const EN_MARKERS = new Set([
  'the',
  'and',
  'is',
  'are',
  'to',
  'of',
  'you',
  'i',
  'my',
  'your',
  'what',
  'how',
  'when',
  'where',
  'can',
  'do',
  'does',
  'have',
  'with',
  'for',
  'hello',
  'hi',
  'thanks',
  'thank',
  'please',
  'want',
  'order',
  'price',
  'delivery',
  'it',
  'this',
  'that',
  'will',
  'would',
  'could',
  'much',
  'many',
  'an',
  'a',
  'be',
  'on',
  'at',
  'from',
])
const RO_LETTERS = /[ăâîșțşţ]/i

/**
 * `ro` or `en` when the text says so (Romanian letters, or more marker words of one language),
 * otherwise null. Short messages often say nothing: callers fall back to the contact's language.
 */
export function detectLanguage(text: string): 'ro' | 'en' | null {
  if (RO_LETTERS.test(text))
    return 'ro'
  let ro = 0
  let en = 0
  for (const w of words(text)) {
    if (RO_MARKERS.has(w))
      ro++
    if (EN_MARKERS.has(w))
      en++
  }
  if (ro === en)
    return null
  return ro > en
    ? 'ro'
    : 'en'
}

/** `ro-RO` → `ro`; anything else lower-cased primary subtag, or null. */
export function primaryLanguage(tag: string | null | undefined): string | null {
  if (!tag)
    return null
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0]
  return primary || null
}
