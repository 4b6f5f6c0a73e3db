import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { mediaHostAllowed } from '../../src/whatsapp/graph-client.ts'
import { baseEnv, engine, freshDatabase } from '../helper.ts'

describe('bootstrap from the environment', () => {
  // Several instances share one database only on PostgreSQL (SQLite is one server per file), so
  // there they start at once; on SQLite they start one after another over the same file.
  it('creates one workspace, admin and number however many instances start on an empty database', async () => {
    const database = await freshDatabase()
    try {
      const config = loadConfig(baseEnv(database, { OUTBOUND_WORKER: '0' }))
      const start = () => buildApp({ config, logger: false })
      const apps = engine === 'postgres'
        ? await Promise.all(Array.from({ length: 4 }, start))
        : [await start(), await start()]
      try {
        const db = apps[0]!.db
        expect(await db.selectFrom('workspaces').select('id').execute()).toHaveLength(1)
        expect(await db.selectFrom('agents').select('id').execute()).toHaveLength(1)
        expect(await db.selectFrom('channels').select('id').execute()).toHaveLength(1)
      }
      finally {
        await Promise.all(apps.map(a => a.close()))
      }
    }
    finally {
      await database.drop()
    }
  })
})

describe('media downloads send the token only to WhatsApp media hosts', () => {
  const graph = 'https://graph.facebook.com'
  it.each([
    ['https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1', true],
    ['https://scontent.whatsapp.net/v/t61/x.jpg', true],
    ['http://lookaside.fbsbx.com/x', false], // not https
    ['https://fbsbx.com.evil.example/x', false],
    ['https://evil.example/?u=lookaside.fbsbx.com', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(mediaHostAllowed(url, graph)).toBe(allowed)
  })

  it('allows the configured Graph host (the simulator)', () => {
    expect(mediaHostAllowed('http://127.0.0.1:8788/media-download/abc', 'http://127.0.0.1:8788')).toBe(true)
    expect(mediaHostAllowed('http://127.0.0.1:9999/media-download/abc', 'http://127.0.0.1:8788')).toBe(false)
  })
})
