/**
 * Finds phone numbers in a page's text (the "On this page" section and the context menu).
 *
 * libphonenumber-js's own `findPhoneNumbersInText` is too slow for a 10,000-row table and too
 * eager with decoys (it reads IBAN groups and `#order` numbers as phones), so a hand-written
 * single pass picks candidates — digits with single separators, bounded by something that is not
 * a letter, digit, `#` or decimal mark — and only those are parsed and validated, each distinct
 * candidate once. The 'min' metadata is enough: it validates lengths and leading digits per
 * country, which is what separates phones from order numbers and dates (bundle: see README).
 * Parsing goes through `fastParse` (fast-parse.ts: libphonenumber's own steps and metadata with
 * each country's expressions compiled once, < 1 µs) and falls back to libphonenumber itself for
 * the shapes it leaves alone. All the numbers of a 10,000-row table (~8,200 in the first 1 MB) take
 * ~30 ms in Node and in Chromium (bench/phone-scan.ts).
 */
import type { CountryCode } from 'libphonenumber-js/min'
import { parsePhoneNumberFromString } from 'libphonenumber-js/min'
import { fastParse } from './fast-parse.ts'

export interface FoundPhone {
  /** E.164, e.g. `+40722123456` */
  number: string
  /** the text as written on the page (the first occurrence) */
  raw: string
  /** where `raw` starts in the scanned text */
  index: number
}

export interface ScanOptions {
  /** stop after this many distinct numbers (default: no limit, every number in `maxChars`) */
  maxResults?: number
  /** read at most this many characters of the text (default `MAX_SCAN_CHARS`) */
  maxChars?: number
}

/**
 * How much page text is scanned: ~1 MB, the visible text of a 10,000-row table. Scanning it takes
 * a few tens of milliseconds (bench/phone-scan.ts); anything past it is ignored rather than freezing.
 */
export const MAX_SCAN_CHARS = 1_000_000

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

/** Digit groups of the current run (absolute indices): at most 61 digits, so 61 groups. */
const MAX_RUN_DIGITS = 61
const groupStart = new Int32Array(MAX_RUN_DIGITS + 1)
const groupEnd = new Int32Array(MAX_RUN_DIGITS + 1)
/** the separator after group i contains a space (or i is the last group) */
const spaceAfter = new Uint8Array(MAX_RUN_DIGITS + 1)

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

function isSpace(code: number): boolean {
  return code === 32 || code === 0xA0
}

/** `-`, `.`, `/`, `(`, `)` */
function isSeparator(code: number): boolean {
  return code === 45 || code === 46 || code === 47 || code === 40 || code === 41
}

/**
 * The next run at or after `from`: an optional `+` or `(`, then 7 to 61 digits joined by gaps of
 * at most a space, one of `-./()` and a space (the same matches, leftmost and greedy, as
 * `/[+(]?\d(?:[ \u00A0]?[-./()]?[ \u00A0]?\d){6,60}\)?/g`), written out by hand: one pass over
 * the text, no backtracking, no match objects. Fills `groupStart`/`groupEnd`/`spaceAfter` and
 * answers the group count (0: no more runs); `runBounds` receives the run's start and end.
 */
const runBounds = new Int32Array(2)
function nextRun(text: string, from: number, length: number): number {
  let i = from
  while (i < length) {
    const c = text.charCodeAt(i)
    let start: number
    let digit: number
    if (isDigit(c)) {
      start = i
      digit = i
    }
    else if ((c === 43 || c === 40) && i + 1 < length && isDigit(text.charCodeAt(i + 1))) {
      start = i
      digit = i + 1
    }
    else {
      i++
      continue
    }
    let n = 0
    let digits = 1
    groupStart[0] = digit
    let p = digit + 1
    for (;;) {
      // The rest of this group.
      while (p < length && digits < MAX_RUN_DIGITS && isDigit(text.charCodeAt(p))) {
        p++
        digits++
      }
      groupEnd[n] = p
      if (digits >= MAX_RUN_DIGITS)
        break
      // A gap: [space] [separator] [space], then a digit.
      let q = p
      let spaced = false
      if (q < length && isSpace(text.charCodeAt(q))) {
        q++
        spaced = true
      }
      if (q < length && isSeparator(text.charCodeAt(q)))
        q++
      if (q < length && isSpace(text.charCodeAt(q))) {
        q++
        spaced = true
      }
      if (q >= length || !isDigit(text.charCodeAt(q)))
        break
      spaceAfter[n] = spaced
        ? 1
        : 0
      n++
      groupStart[n] = q
      p = q + 1
      digits++
    }
    if (digits < 7) {
      // No run starts anywhere in here (a later start only sees fewer digits).
      i = p
      continue
    }
    spaceAfter[n] = 1
    runBounds[0] = start
    runBounds[1] = p < length && text.charCodeAt(p) === 41
      ? p + 1
      : p
    return n + 1
  }
  return 0
}

/** The candidate runs of `text` as `[start, end]` (what `nextRun` finds; for tests). */
export function candidateRuns(text: string): Array<[number, number]> {
  const runs: Array<[number, number]> = []
  for (let at = 0; nextRun(text, at, text.length) > 0; at = runBounds[1]!)
    runs.push([runBounds[0]!, runBounds[1]!])
  return runs
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
  const maxResults = options.maxResults ?? Number.POSITIVE_INFINITY
  const source = text.length > (options.maxChars ?? MAX_SCAN_CHARS)
    ? text.slice(0, options.maxChars ?? MAX_SCAN_CHARS)
    : text
  const country = normaliseCountry(defaultCountry)
  const found = new Map<string, FoundPhone>()
  /** parsed candidates (normalised digits → E.164 or null), so a repeated value parses once */
  const parsed = new Map<string, string | null>()
  const length = source.length
  let at = 0
  for (;;) {
    const n = nextRun(source, at, length)
    if (n === 0)
      break
    const runStart = runBounds[0]!
    const runEnd = runBounds[1]!
    at = runEnd
    // A run glued to an id on its left (`1B31 0075 9384 0000`, `#4000 1234`) is no list of phones.
    const before = runStart > 0
      ? source[runStart - 1]!
      : ''
    if ((before && before !== ':' && GLUED_BEFORE.test(before)) || MIXED_TOKEN.test(previousToken(source, runStart)))
      continue
    // The ways the run can be read as numbers: two numbers side by side (`0722 123 456 0733 123
    // 456`, `… 2673. 0722 …`) form one run, so it is cut where its separators contain a space,
    // longest piece first; after a valid piece the next one starts past it.
    let i = 0
    while (i < n) {
      let next = i + 1
      for (let j = n - 1; j >= i; j--) {
        if (!spaceAfter[j])
          continue
        let from = i === 0
          ? runStart
          : groupStart[i]!
        if (i > 0 && source.charCodeAt(from - 1) === 40)
          from--
        let to = groupEnd[j]!
        if (to < runEnd && source.charCodeAt(to) === 41) {
          let open = to - 1
          while (open >= from && source.charCodeAt(open) !== 40)
            open--
          if (open >= from)
            to++
        }
        let raw = source.slice(from, to)
        // An opening parenthesis that is not closed inside the piece belongs to the prose.
        if (raw.charCodeAt(0) === 40 && !raw.includes(')')) {
          raw = raw.slice(1)
          from++
        }
        const key = normalise(raw)
        const digitCount = key.charCodeAt(0) === 43
          ? key.length - 1
          : key.length
        if (digitCount < 7 || digitCount > 15 || isGlued(source, from, from + raw.length))
          continue
        let number = parsed.get(key)
        if (number === undefined) {
          number = parseOne(key, country)
          parsed.set(key, number)
        }
        if (!number)
          continue
        next = j + 1
        if (!found.has(number)) {
          found.set(number, { number, raw, index: from })
          if (found.size >= maxResults) {
            return [
              ...found.values(),
            ]
          }
        }
        break
      }
      i = next
      // A piece starts after a separator containing a space only.
      while (i < n && !spaceAfter[i - 1])
        i++
    }
  }
  return [
    ...found.values(),
  ]
}

function parseOne(candidate: string, country: CountryCode | undefined): string | null {
  const fast = fastParse(candidate, country)
  if (fast !== undefined)
    return fast
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
