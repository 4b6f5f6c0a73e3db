/**
 * Finds phone numbers in a page's text (the "On this page" section and the context menu).
 *
 * libphonenumber-js's own `findPhoneNumbersInText` is too slow for a 10,000-row table and too
 * eager with decoys (it reads IBAN groups and `#order` numbers as phones), so a cheap regular
 * expression picks candidates — digits with single separators, bounded by something that is not
 * a letter, digit, `#` or decimal mark — and only those are parsed and validated, each distinct
 * candidate once. The 'min' metadata is enough: it validates lengths and leading digits per
 * country, which is what separates phones from order numbers and dates (bundle: see README).
 */
import type { CountryCode } from 'libphonenumber-js/min'
import { parsePhoneNumberFromString } from 'libphonenumber-js/min'

export interface FoundPhone {
  /** E.164, e.g. `+40722123456` */
  number: string
  /** the text as written on the page (the first occurrence) */
  raw: string
  /** where `raw` starts in the scanned text */
  index: number
}

export interface ScanOptions {
  /** stop after this many distinct numbers (default 200) */
  maxResults?: number
  /** read at most this many characters of the text (default `MAX_SCAN_CHARS`) */
  maxChars?: number
}

/**
 * How much page text is scanned: ~1 MB, the visible text of a 10,000-row table. Scanning it takes
 * tens of milliseconds (bench/phone-scan.ts); anything past it is ignored rather than freezing.
 */
export const MAX_SCAN_CHARS = 1_000_000

/**
 * A run: an optional `+` or `(`, then 7 or more digits in groups joined by one separator
 * (a space, `.`, `-`, `/` or a parenthesis, with a space around it at most). Tabs and line breaks end a
 * candidate, so two table cells never merge into one number.
 */
const CANDIDATE = /[+(]?\d(?:[ \u00A0]?[-./()]?[ \u00A0]?\d){6,60}\)?/g

/** A character that glues a candidate to a word, an id or a decimal number before it. */
const GLUED_BEFORE = /[\p{L}\d#_@/\\.,:=+-]/u
/** …and after it. */
const GLUED_AFTER = /[\p{L}\d_@/\\]/u

/** A date at the start of a candidate: `2024-01-15 …`, `15.01.2024 …`, `1/15/24 …`. */
const DATE = /^\(?(?:\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2\d{2,4})(?!\d)/

/** A neighbouring token mixing letters and digits (an IBAN group, `AB12`, `ORD-2024`): not a phone. */
const MIXED_TOKEN = /^(?=.*\p{L})(?=.*\d)/u

function previousToken(text: string, start: number): string {
  let end = start
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\u00A0'))
    end--
  if (end === start || start - end > 1)
    return ''
  let begin = end
  while (begin > 0 && !/\s/.test(text[begin - 1]!) && end - begin < 40)
    begin--
  return text.slice(begin, end)
}

function nextToken(text: string, end: number): string {
  let begin = end
  while (begin < text.length && (text[begin] === ' ' || text[begin] === '\u00A0'))
    begin++
  if (begin === end || begin - end > 1)
    return ''
  let stop = begin
  while (stop < text.length && !/\s/.test(text[stop]!) && stop - begin < 40)
    stop++
  return text.slice(begin, stop)
}

function isGlued(text: string, start: number, end: number): boolean {
  const before = text[start - 1]
  if (before !== undefined && GLUED_BEFORE.test(before)) {
    // `tel:0722…`, `(+40…` and `„0722…` are fine; `#123…`, `ORD-123…`, `1.234…` are not.
    if (!(before === ':' || (before === '+' && text[start] === '(')))
      return true
  }
  const after = text[end]
  if (after !== undefined) {
    if (GLUED_AFTER.test(after))
      return true
    // A decimal part (`1.234.567,89`), a longer dotted/dashed id, a time (`2024/01/15 10:30`).
    if ((after === ',' || after === '.' || after === '-' || after === ':') && /\d/.test(text[end + 1] ?? ''))
      return true
  }
  if (DATE.test(text.slice(start, end)))
    return true
  return MIXED_TOKEN.test(previousToken(text, start)) || MIXED_TOKEN.test(nextToken(text, end))
}

interface Piece {
  raw: string
  start: number
  key: string
  /** the piece was a phone number: the next piece starts after it */
  accept: () => void
}

/**
 * The ways a run of digit groups can be read as numbers: two numbers side by side
 * (`0722 123 456 0733 123 456`, `… 2673. 0722 …`) form one run, so a run is cut where its
 * separators contain a space, longest piece first; after a valid piece the next starts past it.
 */
function* piecesOf(run: string, runStart: number): Generator<Piece> {
  const groups = [
    ...run.matchAll(/\d+/g),
  ]
  const n = groups.length
  const gapAfter = (i: number) => i === n - 1 || /\s/.test(run.slice(groups[i]!.index + groups[i]![0].length, groups[i + 1]!.index))
  let i = 0
  while (i < n) {
    let next = i + 1
    for (let j = n - 1; j >= i; j--) {
      if (!gapAfter(j))
        continue
      let from = i === 0
        ? 0
        : groups[i]!.index
      if (i > 0 && run[from - 1] === '(')
        from--
      let to = groups[j]!.index + groups[j]![0].length
      if (run[to] === ')' && run.lastIndexOf('(', to) >= from)
        to++
      let raw = run.slice(from, to)
      let start = runStart + from
      // An opening parenthesis that is not closed inside the piece belongs to the prose.
      if (raw.startsWith('(') && !raw.includes(')')) {
        raw = raw.slice(1)
        start++
      }
      let accepted = false
      yield {
        raw,
        start,
        key: normalise(raw),
        accept: () => {
          accepted = true
        },
      }
      if (accepted) {
        next = j + 1
        break
      }
    }
    i = next
    // A piece starts after a separator containing a space only.
    while (i < n && !gapAfter(i - 1))
      i++
  }
}

/** `+40 (0) 722 …`, `0040 722 …`, `(0722) 123-456` → digits with a leading `+` when international. */
function normalise(raw: string): string {
  const digits = raw.replace(/\(0\)/g, '').replace(/\D/g, '')
  if (raw.startsWith('+'))
    return `+${digits}`
  return digits
}

/**
 * The distinct valid phone numbers in `text`, in order of first appearance, as E.164 with the raw
 * text they were found as. National numbers (`0722 123 456`) are read in `defaultCountry`;
 * international ones (`+44 …`, and `00 44 …` where `00` is the country's international prefix)
 * in their own country.
 */
export function scanPhoneNumbers(text: string, defaultCountry?: string | null, options: ScanOptions = {}): FoundPhone[] {
  const maxResults = options.maxResults ?? 200
  const source = text.length > (options.maxChars ?? MAX_SCAN_CHARS)
    ? text.slice(0, options.maxChars ?? MAX_SCAN_CHARS)
    : text
  const country = normaliseCountry(defaultCountry)
  const found = new Map<string, FoundPhone>()
  /** parsed candidates (normalised digits → E.164 or null), so a repeated value parses once */
  const parsed = new Map<string, string | null>()
  for (const match of source.matchAll(CANDIDATE)) {
    // A run glued to an id on its left (`1B31 0075 9384 0000`, `#4000 1234`) is no list of phones.
    const before = match.index > 0
      ? source[match.index - 1]!
      : ''
    if ((before && before !== ':' && GLUED_BEFORE.test(before)) || MIXED_TOKEN.test(previousToken(source, match.index)))
      continue
    for (const piece of piecesOf(match[0], match.index)) {
      const digitCount = piece.key.startsWith('+')
        ? piece.key.length - 1
        : piece.key.length
      if (digitCount < 7 || digitCount > 15 || isGlued(source, piece.start, piece.start + piece.raw.length))
        continue
      let number = parsed.get(piece.key)
      if (number === undefined) {
        number = parseOne(piece.key, country)
        parsed.set(piece.key, number)
      }
      if (!number)
        continue
      piece.accept()
      if (!found.has(number)) {
        found.set(number, { number, raw: piece.raw, index: piece.start })
        if (found.size >= maxResults) {
          return [
            ...found.values(),
          ]
        }
      }
    }
  }
  return [
    ...found.values(),
  ]
}

function parseOne(candidate: string, country: CountryCode | undefined): string | null {
  const phone = parsePhoneNumberFromString(candidate, country
    ? { defaultCountry: country }
    : undefined)
  return phone?.isValid()
    ? phone.number
    : null
}

/** A valid ISO 3166-1 alpha-2 code in upper case, or undefined. */
export function normaliseCountry(country: string | null | undefined): CountryCode | undefined {
  return country && /^[a-z]{2}$/i.test(country)
    ? country.toUpperCase() as CountryCode
    : undefined
}

/** The first phone number in a selection (the context menu's selected text). */
export function phoneInSelection(selection: string, defaultCountry?: string | null): FoundPhone | null {
  return scanPhoneNumbers(selection.slice(0, 500), defaultCountry, { maxResults: 1 })[0] ?? null
}
