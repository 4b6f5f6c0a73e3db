import type { Kysely } from 'kysely'
/**
 * Until the team API manages them, the first workspace, admin and WhatsApp number come from the
 * environment. Idempotent: safe on every start; a changed token or secret in the environment
 * updates the stored number.
 */
import type { Config } from '../config.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import { sql } from 'kysely'
import { newId } from '../ids.ts'
import { hashPassword } from './passwords.ts'

export interface BootstrapResult { workspaceId: string | null, createdAdmin: boolean, channelId: string | null }

export async function bootstrap(db: Db, config: Config, now = Date.now(), engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<BootstrapResult> {
  if (engine === 'sqlite') {
    // BEGIN IMMEDIATE takes the write lock up front: a second process waits instead of also
    // finding the database empty.
    return await db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn)
      try {
        const result = await bootstrapIn(conn, config, now)
        await sql`COMMIT`.execute(conn)
        return result
      }
      catch (error) {
        await sql`ROLLBACK`.execute(conn)
        throw error
      }
    })
  }
  // Several instances starting on an empty PostgreSQL database must not create two workspaces.
  return await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(727274001)`.execute(trx)
    return await bootstrapIn(trx, config, now)
  })
}

async function bootstrapIn(db: Kysely<Database>, config: Config, now: number): Promise<BootstrapResult> {
  let workspace = await db.selectFrom('workspaces').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst()
  if (!workspace && (config.adminEmail || config.whatsapp)) {
    workspace = {
      id: newId(),
    }
    await db.insertInto('workspaces').values({ id: workspace.id, name: config.workspaceName, created_at: now }).execute()
  }
  if (!workspace)
    return { workspaceId: null, createdAdmin: false, channelId: null }

  let createdAdmin = false
  if (config.adminEmail && config.adminPassword) {
    const email = config.adminEmail.trim().toLowerCase()
    const existing = await db.selectFrom('agents').select('id').where('email', '=', email).executeTakeFirst()
    if (!existing) {
      await db.insertInto('agents').values({
        id: newId(),
        workspace_id: workspace.id,
        email,
        name: config.adminName,
        role: 'admin',
        password_hash: await hashPassword(config.adminPassword),
        active: 1,
        created_at: now,
        updated_at: now,
      }).onConflict(oc => oc.doNothing()).execute()
      createdAdmin = true
    }
  }

  let channelId: string | null = null
  if (config.whatsapp) {
    const w = config.whatsapp
    const values = {
      waba_id: w.businessAccountId,
      display_phone_number: w.displayPhoneNumber,
      access_token: w.accessToken,
      app_secret: w.appSecret,
      verify_token: w.verifyToken,
      throughput_per_second: config.throughputPerSecond,
      updated_at: now,
    }
    const existing = await db.selectFrom('channels').select(['id', 'workspace_id']).where('phone_number_id', '=', w.phoneNumberId).executeTakeFirst()
    if (existing) {
      await db.updateTable('channels').set(values).where('id', '=', existing.id).execute()
      channelId = existing.id
    }
    else {
      channelId = newId()
      await db.insertInto('channels').values({
        id: channelId,
        workspace_id: workspace.id,
        phone_number_id: w.phoneNumberId,
        created_at: now,
        ...values,
      }).onConflict(oc => oc.column('phone_number_id').doNothing()).execute()
    }
  }
  return { workspaceId: workspace.id, createdAdmin, channelId }
}
