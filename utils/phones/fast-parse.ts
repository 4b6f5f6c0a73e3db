/**
 * A fast, exact shortcut for `parsePhoneNumberFromString(key, { defaultCountry })?.isValid()` on
 * the keys the page scan produces (`+` and 7–15 digits, or just digits).
 *
 * libphonenumber-js costs 10–25 µs a call, mostly rebuilding its `Metadata` wrapper and compiling
 * the same regular expressions again on every call (`matchesEntirely`). This follows the very same
 * steps with the same 'min' metadata (IDD prefix, country calling code, national prefix for
 * parsing, the national number pattern), each country's expressions compiled once, and answers
 * in well under a microsecond. Whenever a step leaves the simple, common ground — a calling code
 * shared by several countries (+1, +44, +7 …), a country whose metadata carries number types, a
 * national-prefix transform rule or carrier code, a national number that starts with the default
 * country's calling code, a non-geographic calling code — it answers `undefined` and the caller
 * asks libphonenumber itself. utils/phones/__tests__/fast-parse.test.ts checks it against
 * libphonenumber on every country.
 */
import { Metadata } from 'libphonenumber-js/core'
import metadataJson from 'libphonenumber-js/min/metadata'

/** libphonenumber's `MIN_LENGTH_FOR_NSN` / `MAX_LENGTH_FOR_NSN` */
const MIN_NSN = 2
const MAX_NSN = 17
const MAX_CALLING_CODE = 3

interface Plan {
  callingCode: string
  /** `^(?:IDD)` */
  idd: RegExp | null
  /** `^(?:national prefix for parsing)` */
  nationalPrefix: RegExp | null
  /** `^(?:national number pattern)$` */
  pattern: RegExp
  possibleLengths: number[] | undefined
  /** the metadata has a transform rule or number types: leave it to libphonenumber */
  complex: boolean
}

interface NumberingPlanLike {
  callingCode: () => string
  IDDPrefix: () => string | undefined
  nationalPrefixForParsing: () => string | undefined
  nationalPrefixTransformRule: () => string | undefined
  nationalNumberPattern: () => string
  possibleLengths: () => number[] | undefined
  hasTypes: () => boolean
}

/** The parts of libphonenumber's `Metadata` used here (some are missing from its typings). */
interface MetadataLike {
  hasCountry: (country: string) => boolean
  selectNumberingPlan: (country: string) => unknown
  numberingPlan: NumberingPlanLike
  getCountryCodesForCallingCode: (callingCode: string) => string[] | undefined
  isNonGeographicCallingCode: (callingCode: string) => boolean
}

const metadata = new Metadata(metadataJson) as unknown as MetadataLike
const plans = new Map<string, Plan | null>()
/** calling code → the only country using it (null: shared, or non-geographic) */
const soleCountry = new Map<string, string | null>()

function planOf(country: string): Plan | null {
  let plan = plans.get(country)
  if (plan !== undefined)
    return plan
  plan = null
  if (metadata.hasCountry(country)) {
    metadata.selectNumberingPlan(country)
    const numbering = metadata.numberingPlan
    const idd = numbering.IDDPrefix()
    const prefix = numbering.nationalPrefixForParsing()
    plan = {
      callingCode: numbering.callingCode(),
      idd: idd
        ? new RegExp(`^(?:${idd})`)
        : null,
      nationalPrefix: prefix
        ? new RegExp(`^(?:${prefix})`)
        : null,
      pattern: new RegExp(`^(?:${numbering.nationalNumberPattern()})$`),
      possibleLengths: numbering.possibleLengths(),
      complex: !!numbering.nationalPrefixTransformRule() || numbering.hasTypes(),
    }
  }
  plans.set(country, plan)
  return plan
}

function countryOfCallingCode(callingCode: string): string | null | undefined {
  let country = soleCountry.get(callingCode)
  if (country !== undefined)
    return country
  const countries = metadata.getCountryCodesForCallingCode(callingCode)
  if (countries) {
    country = countries.length === 1
      ? countries[0]!
      : null
  }
  else {
    // Non-geographic (+800, +882 …) or unknown.
    country = metadata.isNonGeographicCallingCode(callingCode)
      ? null
      : undefined
  }
  if (country !== undefined)
    soleCountry.set(callingCode, country)
  return country
}

/** libphonenumber's `checkNumberLength` answering TOO_SHORT or INVALID_LENGTH. */
function impossibleLength(length: number, lengths: number[]): boolean {
  const min = lengths[0]!
  if (length === min)
    return false
  if (length < min)
    return true
  if (lengths.at(-1)! < length)
    return false // TOO_LONG counts as possible here
  return !lengths.includes(length, 1)
}

/**
 * The E.164 form of a valid number, null for a number libphonenumber would not parse or not
 * validate, undefined when only libphonenumber can tell. `key`: `+` and digits, or digits.
 * `defaultCountry` must be a supported country (or undefined).
 */
export function fastParse(key: string, defaultCountry: string | undefined): string | null | undefined {
  let number = key
  if (number[0] !== '+') {
    const home = defaultCountry
      ? planOf(defaultCountry)
      : null
    if (!home)
      return null // a national number without a country
    // stripIddPrefix: `00 40 …` (not when a 0 follows the prefix).
    const idd = home.idd?.exec(number)
    if (idd && idd[0].length > 0 && number[idd[0].length] !== '0' && idd[0].length < number.length) {
      number = `+${number.slice(idd[0].length)}`
    }
    else {
      if (home.complex || countryOfCallingCode(home.callingCode) !== defaultCountry)
        return undefined
      return nationalOf(number, home)
    }
  }
  if (number[1] === '0')
    return null
  let callingCode: string | undefined
  for (let i = 2; i - 1 <= MAX_CALLING_CODE && i <= number.length; i++) {
    const candidate = number.slice(1, i)
    const country = countryOfCallingCode(candidate)
    if (country === null)
      return undefined // shared or non-geographic
    if (country !== undefined) {
      callingCode = candidate
      break
    }
  }
  if (!callingCode)
    return null
  const plan = planOf(countryOfCallingCode(callingCode)!)
  if (!plan || plan.complex)
    return undefined
  const rest = number.slice(1 + callingCode.length)
  if (!rest)
    return null
  const national = nationalNumberOf(rest, plan)
  return national === undefined
    ? undefined
    : valid(national, plan)
}

/** extractNationalNumber: the national number without its national prefix; undefined: ask libphonenumber. */
function nationalNumberOf(number: string, plan: Plan): string | undefined {
  const prefix = plan.nationalPrefix?.exec(number)
  if (!prefix)
    return number
  // A captured group is a carrier code or the start of the number: libphonenumber knows.
  if (prefix.length > 1 && prefix[prefix.length - 1])
    return undefined
  const stripped = number.slice(prefix[0].length)
  if (stripped === number)
    return number
  if (plan.pattern.test(number) && !plan.pattern.test(stripped))
    return number
  if (plan.possibleLengths && impossibleLength(stripped.length, plan.possibleLengths))
    return number
  return stripped
}

/** The E.164 form of a national number of `plan` when it is valid. */
function valid(national: string, plan: Plan): string | null {
  if (national.length < MIN_NSN || national.length > MAX_NSN)
    return null
  return plan.pattern.test(national)
    ? `+${plan.callingCode}${national}`
    : null
}

/** A national number (no IDD) in the default country's plan. */
function nationalOf(number: string, plan: Plan): string | null | undefined {
  let national = nationalNumberOf(number, plan)
  if (national === undefined)
    return undefined
  // extractCountryCallingCodeFromInternationalNumberWithoutPlusSign: `40 722 …` without the +.
  if (number.startsWith(plan.callingCode)) {
    const shorter = nationalNumberOf(number.slice(plan.callingCode.length), plan)
    if (shorter === undefined)
      return undefined
    const lengths = plan.possibleLengths
    const tooLong = !!lengths && lengths[0] !== national.length && lengths[0]! <= national.length && lengths.at(-1)! < national.length
    if ((!plan.pattern.test(national) && plan.pattern.test(shorter)) || tooLong)
      national = shorter
  }
  return valid(national, plan)
}
