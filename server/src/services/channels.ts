/**
 * WhatsApp numbers ("channels") by phone_number_id, and the app secrets that sign their webhooks.
 * Cached in memory because the webhook path needs them on every POST; reloaded when an unknown
 * number or an unmatched signature shows up (at most once per `minReloadMs`, so a flood of bad
 * signatures cannot turn into a flood of queries).
 */
import type { Db } from '../storage/db.ts'
import type { ChannelsTable } from '../storage/schema.ts'

export type ChannelRow = ChannelsTable

export interface ChannelRegistry {
  byPhoneNumberId: (id: string) => ChannelRow | undefined
  secrets: () => string[]
  verifyTokens: () => string[]
  reload: (force?: boolean) => Promise<boolean>
}

export async function createChannelRegistry(db: Db, minReloadMs = 2000): Promise<ChannelRegistry> {
  let byNumber = new Map<string, ChannelRow>()
  let lastReload = 0
  async function load() {
    const rows = await db.selectFrom('channels').selectAll().execute()
    byNumber = new Map(rows.map(r => [r.phone_number_id, r]))
    lastReload = Date.now()
  }
  await load()
  return {
    byPhoneNumberId: id => byNumber.get(id),
    secrets: () => [
      ...new Set([
        ...byNumber.values(),
      ].map(c => c.app_secret)),
    ],
    verifyTokens: () => [
      ...new Set([
        ...byNumber.values(),
      ].map(c => c.verify_token)),
    ],
    async reload(force = false) {
      if (!force && Date.now() - lastReload < minReloadMs)
        return false
      await load()
      return true
    },
  }
}
