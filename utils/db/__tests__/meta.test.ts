import { beforeEach, describe, expect, it } from 'vitest'
import { db } from '..'
import { getMeta, setMeta } from '../meta'

// Runs on fake-indexeddb (the extension project's setup file), through the real Dexie schema.
describe('meta table', () => {
  beforeEach(async () => {
    await db.meta.clear()
  })

  it('declares version 3 (drafts), still with `meta` keyed by `key`', () => {
    expect(db.verno).toBe(3)
    expect(db.drafts.schema.primKey.keyPath).toBe('conversationId')
    expect(db.meta.schema.primKey.keyPath).toBe('key')
  })

  it('returns undefined for a key never written', async () => {
    await expect(getMeta('lastHealthCheck')).resolves.toBeUndefined()
  })

  it('stores and replaces a value', async () => {
    await setMeta('lastHealthCheck', { serverUrl: 'http://127.0.0.1:8787', db: 'sqlite', checkedAt: 1 })
    await setMeta('lastHealthCheck', { serverUrl: 'http://127.0.0.1:8787', db: 'postgres', checkedAt: 2 })

    await expect(getMeta('lastHealthCheck')).resolves.toEqual({ serverUrl: 'http://127.0.0.1:8787', db: 'postgres', checkedAt: 2 })
    await expect(db.meta.count()).resolves.toBe(1)
  })
})
