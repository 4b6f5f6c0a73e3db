// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

// Every locale must translate exactly the keys of en.yml (the file developers edit): a missing
// key shows English in the middle of Romanian, an extra one is a leftover nobody reads.
const localesDir = fileURLToPath(new URL('../../locales/', import.meta.url))

/** `{ a: { b: 'x' } }` → `Map { 'a.b' => 'x' }`; a non-string leaf is kept as is. */
function flatten(node: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof node !== 'object' || node === null) {
    into.set(prefix, node)
    return into
  }
  for (const [key, child] of Object.entries(node)) {
    flatten(child, prefix
      ? `${prefix}.${key}`
      : key, into)
  }
  return into
}

function readLocale(file: string): Map<string, unknown> {
  return flatten(parse(readFileSync(`${localesDir}${file}`, 'utf8')))
}

function placeholders(message: unknown): string[] {
  return String(message).match(/\$\d/g)?.sort() ?? []
}

const localeFiles = readdirSync(localesDir).filter(file => file.endsWith('.yml'))
const otherLocales = localeFiles.filter(file => file !== 'en.yml')
const english = readLocale('en.yml')

describe('locales', () => {
  it('ship Romanian next to English', () => {
    expect(localeFiles).toEqual(expect.arrayContaining(['en.yml', 'ro.yml']))
  })

  it.each(otherLocales)('%s has exactly the keys of en.yml', (file) => {
    expect([
      ...readLocale(file).keys(),
    ].sort()).toEqual([
      ...english.keys(),
    ].sort())
  })

  it.each(localeFiles)('%s has no empty or non-text message', (file) => {
    for (const [key, message] of readLocale(file)) {
      expect(typeof message, key).toBe('string')
      expect(String(message).trim(), key).not.toBe('')
    }
  })

  it.each(otherLocales)('%s uses the same numbered placeholders as en.yml', (file) => {
    for (const [key, message] of readLocale(file))
      expect(placeholders(message), key).toEqual(placeholders(english.get(key)))
  })
})
