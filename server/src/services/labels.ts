/**
 * Labels: workspace-wide names with a colour, put on contacts. Any agent may create one (also on
 * the fly, by name, when labelling a contact); renaming and deleting are for admins. Names are
 * unique per workspace case-insensitively (`name_key`).
 */
import type { Transaction } from 'kysely'
import type { CreateLabel, Label, LabelColor, UpdateLabel } from '../../../protocol/contacts.ts'
import type { Db } from '../storage/db.ts'
import type { Database } from '../storage/schema.ts'
import type { ChangeSet, Committed } from './changes.ts'
import type { SessionAgent } from './sessions.ts'
import { AppError, notFound } from '../errors.ts'
import { newId } from '../ids.ts'
import { lockForUpdate } from '../storage/db.ts'
import { requireAdmin } from './access.ts'
import { writeTransaction } from './changes.ts'
import { loadLabels } from './entities.ts'

type Trx = Transaction<Database>
interface App { db: Db, publish: (c: Committed[]) => void }

export const DEFAULT_LABEL_COLOR: LabelColor = 'gray'

/** What makes two label names the same: case and surrounding spaces do not count. */
export function labelKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase()
}

/** The name as stored: as typed, without surrounding spaces (refused when nothing else is left). */
function labelName(name: string, field = 'name'): string {
  const trimmed = name.trim()
  if (!trimmed)
    throw new AppError(400, 'invalid_request', `${field}: must not be blank`, { field })
  return trimmed
}

export async function listLabels(db: Db, agent: SessionAgent): Promise<Label[]> {
  return await loadLabels(db, agent.workspace_id)
}

async function labelRow(trx: Trx | Db, workspaceId: string, id: string) {
  return await trx.selectFrom('labels').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst()
}

async function labelByKey(trx: Trx | Db, workspaceId: string, key: string) {
  return await trx.selectFrom('labels').selectAll().where('workspace_id', '=', workspaceId).where('name_key', '=', key).executeTakeFirst()
}

/**
 * The label with this name (case-insensitively), created when there is none. With `id`, a retried
 * create answers the label it made the first time. `created` says whether this call made it.
 */
export async function findOrCreateLabel(trx: Trx, agent: SessionAgent, input: { id?: string, name: string, color?: LabelColor }, changes: ChangeSet, now: number, field = 'name'): Promise<{ id: string, created: boolean }> {
  const ws = agent.workspace_id
  let clientId = input.id
  if (clientId) {
    const byId = await trx.selectFrom('labels').select(['id', 'workspace_id']).where('id', '=', clientId).executeTakeFirst()
    if (byId && byId.workspace_id === ws)
      return { id: byId.id, created: false }
    // Taken in another workspace: answer like any create (never confirm another team's id exists).
    if (byId)
      clientId = undefined
  }
  const name = labelName(input.name, field)
  const key = labelKey(name)
  const existing = await labelByKey(trx, ws, key)
  if (existing)
    return { id: existing.id, created: false }
  const id = clientId ?? newId()
  const inserted = await trx.insertInto('labels').values({
    id,
    workspace_id: ws,
    name,
    name_key: key,
    color: input.color ?? DEFAULT_LABEL_COLOR,
    created_at: now,
    updated_at: now,
  }).onConflict(oc => oc.doNothing()).returning('id').executeTakeFirst()
  if (!inserted) {
    // A concurrent create of the same name (or id) committed first: answer that one.
    const raced = await labelByKey(trx, ws, key) ?? await labelRow(trx, ws, id)
    if (!raced) // the id was taken in another workspace meanwhile: create it under a fresh one
      return await findOrCreateLabel(trx, agent, { ...input, id: undefined }, changes, now, field)
    return { id: raced.id, created: false }
  }
  changes.add(ws, { kind: 'label', id })
  return { id, created: true }
}

/** `POST /api/labels`: any agent; an existing name (or a retried id) answers that label. */
export async function createLabel(app: App, agent: SessionAgent, body: CreateLabel): Promise<{ label: Label, created: boolean }> {
  const { value, committed } = await writeTransaction(app.db, async (trx, changes, now) => await findOrCreateLabel(trx, agent, body, changes, now))
  app.publish(committed)
  return { label: (await loadLabels(app.db, agent.workspace_id, [value.id]))[0]!, created: value.created }
}

/** Admins only; a name another label has is refused with `name_taken`. */
export async function updateLabel(app: App, agent: SessionAgent, id: string, patch: UpdateLabel): Promise<Label> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await trx.selectFrom('labels').selectAll().where('workspace_id', '=', agent.workspace_id).where('id', '=', id).$call(lockForUpdate(trx)).executeTakeFirst()
    if (!row)
      throw notFound('label')
    requireAdmin(agent)
    const set: { name?: string, name_key?: string, color?: string } = {}
    if (patch.name !== undefined) {
      const name = labelName(patch.name)
      const key = labelKey(name)
      if (key !== row.name_key) {
        const clash = await labelByKey(trx, agent.workspace_id, key)
        if (clash) {
          throw new AppError(409, 'name_taken', `name: another label is called ${clash.name}`, {
            field: 'name',
            details: { labelId: clash.id },
          })
        }
      }
      if (name !== row.name) {
        set.name = name
        set.name_key = key
      }
    }
    if (patch.color !== undefined && patch.color !== row.color)
      set.color = patch.color
    if (Object.keys(set).length === 0)
      return
    await trx.updateTable('labels').set({ ...set, updated_at: now }).where('id', '=', id).execute()
    changes.add(agent.workspace_id, { kind: 'label', id })
  }).catch((error: unknown) => {
    // Two renames to the same name at once: the unique index refuses the second.
    if (isUniqueViolation(error))
      throw new AppError(409, 'name_taken', 'name: another label has this name', { field: 'name' })
    throw error
  })
  app.publish(committed)
  return (await loadLabels(app.db, agent.workspace_id, [id]))[0]!
}

/** Admins only: the label goes, and with it from every contact that had it. */
export async function deleteLabel(app: App, agent: SessionAgent, id: string): Promise<void> {
  const { committed } = await writeTransaction(app.db, async (trx, changes, now) => {
    const row = await labelRow(trx, agent.workspace_id, id)
    if (!row)
      throw notFound('label')
    requireAdmin(agent)
    const removed = await trx.deleteFrom('contact_labels').where('workspace_id', '=', agent.workspace_id).where('label_id', '=', id).returning('contact_id').execute()
    await trx.deleteFrom('labels').where('id', '=', id).execute()
    const contactIds = [
      ...new Set(removed.map(r => r.contact_id)),
    ]
    for (let i = 0; i < contactIds.length; i += 200)
      await trx.updateTable('contacts').set({ updated_at: now }).where('id', 'in', contactIds.slice(i, i + 200)).execute()
    changes.add(agent.workspace_id, { kind: 'label', id })
    for (const contactId of contactIds)
      changes.add(agent.workspace_id, { kind: 'contact', id: contactId, contactId })
  })
  app.publish(committed)
}

/** A unique index refused the write (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
