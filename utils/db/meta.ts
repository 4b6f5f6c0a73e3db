import type { MetaKey, MetaValues } from './app-db'
import { db } from '.'

/** Reads one `meta` value; `undefined` when it was never written. */
export async function getMeta<K extends MetaKey>(key: K): Promise<MetaValues[K] | undefined> {
  const entry = await db.meta.get(key)
  return entry?.value as MetaValues[K] | undefined
}

/** Writes (replaces) one `meta` value. */
export async function setMeta<K extends MetaKey>(key: K, value: MetaValues[K]): Promise<void> {
  await db.meta.put({ key, value })
}
