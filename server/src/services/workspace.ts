/**
 * The caller's workspace and its settings. Changing them is for admins; the change goes through
 * the change log (kind `workspace`), so every agent's sync receives the new settings.
 */
import type { UpdateWorkspace, WorkspaceInfo } from '../../../protocol/workspace.ts'
import type { Db } from '../storage/db.ts'
import type { Committed } from './changes.ts'
import type { SessionAgent } from './sessions.ts'
import { isSupportedCountry } from 'libphonenumber-js/min'
import { AppError, notFound } from '../errors.ts'
import { requireAdmin } from './access.ts'
import { writeTransaction } from './changes.ts'

interface App { db: Db, publish: (c: Committed[]) => void }

export async function getWorkspace(db: Db, agent: SessionAgent): Promise<WorkspaceInfo> {
  const row = await db.selectFrom('workspaces').select(['id', 'name', 'settings']).where('id', '=', agent.workspace_id).executeTakeFirst()
  if (!row)
    throw notFound('workspace')
  return {
    id: row.id,
    name: row.name,
    settings: JSON.parse(row.settings),
  }
}

/** A country phone numbers can be read in: ISO 3166-1 alpha-2 with a calling code (not `ZZ`, not `AQ`). */
function checkCountry(country: string | null | undefined): void {
  if (country && !isSupportedCountry(country))
    throw new AppError(400, 'invalid_request', 'settings.defaultCountry: not a country with phone numbers', { field: 'settings.defaultCountry' })
}

export async function updateWorkspace(app: App, agent: SessionAgent, patch: UpdateWorkspace): Promise<WorkspaceInfo> {
  requireAdmin(agent)
  checkCountry(patch.settings.defaultCountry)
  const ws = agent.workspace_id
  const { committed } = await writeTransaction(app.db, async (trx, changes) => {
    const row = await trx.selectFrom('workspaces').select('settings').where('id', '=', ws).executeTakeFirst()
    if (!row)
      throw notFound('workspace')
    const before = JSON.parse(row.settings) as Record<string, unknown>
    const after: Record<string, unknown> = { ...before }
    for (const [key, value] of Object.entries(patch.settings)) {
      if (value === null)
        delete after[key]
      else if (value !== undefined)
        after[key] = value
    }
    if (JSON.stringify(after) === JSON.stringify(before))
      return
    await trx.updateTable('workspaces').set({
      settings: JSON.stringify(after),
    }).where('id', '=', ws).execute()
    changes.add(ws, { kind: 'workspace', id: ws })
  })
  app.publish(committed)
  return await getWorkspace(app.db, agent)
}
