import type { CountryCode } from 'libphonenumber-js/min'
import examples from 'libphonenumber-js/examples.mobile.json'
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/min'
import { describe, expect, it } from 'vitest'
import { fastParse } from '~/utils/phones/fast-parse'

/** What scan.ts asked libphonenumber before the shortcut existed. */
function slow(key: string, country: CountryCode | undefined): string | null {
  const phone = parsePhoneNumberFromString(key, country
    ? { defaultCountry: country }
    : undefined)
  return phone?.isValid()
    ? phone.number
    : null
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6D2B79F5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const COUNTRIES = getCountries()
const IDD: Record<string, string> = {
  US: '011',
  CA: '011',
  RU: '810',
  JP: '010',
  AU: '0011',
  BR: '0021',
  KR: '001',
  CO: '009',
  IL: '00',
  RO: '00',
  GB: '00',
}

/** Keys of every shape the scan produces: +cc…, 00cc…, national with and without prefix, noise. */
function keysFor(country: CountryCode, next: () => number): string[] {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('')
  const mutate = (s: string) => {
    const keep = Math.max(1, s.length - 1 - Math.floor(next() * 4))
    return s.slice(0, keep) + digits(s.length - keep)
  }
  const example = (examples as Record<string, string>)[country]
  const cc = getCountryCallingCode(country)
  const keys: string[] = []
  const nationals = example
    ? [
        example,
        mutate(example),
        mutate(example),
        `${example}${digits(1)}`,
        example.slice(0, -1),
      ]
    : []
  nationals.push(digits(6 + Math.floor(next() * 8)))
  for (const n of nationals) {
    keys.push(`+${cc}${n}`, `+${cc}0${n}`, `00${cc}${n}`, `${IDD[country] ?? '00'}${cc}${n}`, `0${n}`, n, `${cc}${n}`, `1${n}`, `8${n}`)
  }
  for (let i = 0; i < 6; i++)
    keys.push(`+${digits(7 + Math.floor(next() * 9))}`, digits(7 + Math.floor(next() * 9)), `00${digits(7 + Math.floor(next() * 8))}`, `0${digits(6 + Math.floor(next() * 9))}`)
  return keys.filter(k => /^\+?\d{7,16}$/.test(k))
}

describe('fastParse', () => {
  it('agrees with libphonenumber wherever it answers, for every default country', () => {
    const next = random(20_240_115)
    let answered = 0
    let validAnswers = 0
    let total = 0
    const disagreements: string[] = []
    for (const defaultCountry of [undefined, ...COUNTRIES]) {
      for (const owner of defaultCountry
        ? [defaultCountry, COUNTRIES[Math.floor(next() * COUNTRIES.length)]!]
        : COUNTRIES) {
        for (const key of keysFor(owner, next)) {
          total++
          const fast = fastParse(key, defaultCountry)
          if (fast === undefined)
            continue
          answered++
          if (fast)
            validAnswers++
          const expected = slow(key, defaultCountry)
          if (fast !== expected)
            disagreements.push(`${defaultCountry ?? '-'} ${key}: fast ${fast}, libphonenumber ${expected}`)
        }
      }
    }
    console.info(`fastParse answered ${answered} of ${total} keys (${validAnswers} valid numbers)`)
    expect(disagreements.slice(0, 20)).toEqual([])
    // Most keys take the shortcut (only shared calling codes and unusual metadata do not).
    expect(answered / total).toBeGreaterThan(0.75)
    expect(validAnswers).toBeGreaterThan(5000)
  })

  it.each([
    ['+40722123456', 'RO', '+40722123456'],
    ['0722123456', 'RO', '+40722123456'],
    ['0040722123456', 'RO', '+40722123456'],
    ['0040722123456', 'DE', '+40722123456'],
    ['0213123456', 'RO', '+40213123456'],
    ['0722123456', undefined, null],
    ['4000000001', 'RO', null],
    ['40722123456', 'RO', '+40722123456'],
    ['+0722123456', 'RO', null],
  ])('reads %s in %s as %s', (key, country, expected) => {
    expect(fastParse(key, country)).toBe(expected)
    expect(slow(key, country as CountryCode | undefined)).toBe(expected)
  })

  it('leaves shared calling codes and countries with number types to libphonenumber', () => {
    expect(fastParse('+14155552671', 'RO')).toBeUndefined()
    expect(fastParse('+442079460958', 'RO')).toBeUndefined()
    expect(fastParse('07911123456', 'GB')).toBeUndefined()
    expect(fastParse('4155552671', 'US')).toBeUndefined()
  })
})
