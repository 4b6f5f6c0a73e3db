/**
 * `dexie` for the extension's bundles (aliased in wxt.config.ts): Dexie's own modern build
 * (ES2018+), about 8 KB smaller in every page's first JS than the ES5 build its package entry
 * (import-wrapper.mjs) loads. Same API, and the same guard as that wrapper: one Dexie per
 * JavaScript context, whichever bundle loads it first.
 */
// @ts-expect-error the modern build has no .d.ts of its own (its types are `dexie`'s)
import ModernDexie from 'dexie/dist/modern/dexie.mjs'

type DexieModule = typeof import('dexie')
const loaded = ModernDexie as DexieModule['default']
const key = Symbol.for('Dexie')
const global = globalThis as unknown as Record<symbol, DexieModule['default'] | undefined>
const Dexie = global[key] ?? (global[key] = loaded)
if (loaded.semVer !== Dexie.semVer)
  throw new Error(`Two different versions of Dexie loaded in the same app: ${loaded.semVer} and ${Dexie.semVer}`)

export const { liveQuery, mergeRanges, rangesOverlap, RangeSet, cmp, Entity, PropModification, replacePrefix, add, remove } = Dexie as unknown as DexieModule
export { Dexie }
export default Dexie
