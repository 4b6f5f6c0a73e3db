/**
 * Dense indexes of the keys a segment refers to (`report_keys`): agents, teams, numbers
 * (channels) and failure reasons, each kind its own 0-based list. A key keeps its index forever,
 * so segments written earlier stay valid.
 */
import type { Db } from '../storage/db.ts'
import { sql } from 'kysely'

export type KeyKind = 'agent' | 'team' | 'channel' | 'reason'

/** `report_keys.kind` as stored (one letter; existing databases hold these). */
const STORED_KIND: Record<KeyKind, string> = {
  agent: 'a',
  team: 't',
  channel: 'h',
  reason: 'r',
}
const KIND_OF_STORED = new Map<string, KeyKind>(Object.entries(STORED_KIND).map(([kind, code]) => [code, kind as KeyKind]))

export class Keys {
  readonly lists: Record<KeyKind, string[]> = {
    agent: [],
    team: [],
    channel: [],
    reason: [],
  }

  private readonly maps: Record<KeyKind, Map<string, number>> = {
    agent: new Map(),
    team: new Map(),
    channel: new Map(),
    reason: new Map(),
  }

  /** keys added since loading (to insert) */
  readonly added: Array<{ kind: KeyKind, key: string, idx: number }> = []

  load(kind: KeyKind, key: string, idx: number) {
    this.lists[kind][idx] = key
    this.maps[kind].set(key, idx)
  }

  /** the index of a key, -1 for none, -2 for a key the facts never saw */
  find(kind: KeyKind, key: string | null | undefined): number {
    if (key === null || key === undefined)
      return -1
    return this.maps[kind].get(key) ?? -2
  }

  /** the index of a key, adding it when new */
  idx(kind: KeyKind, key: string | null | undefined): number {
    if (key === null || key === undefined)
      return -1
    let i = this.maps[kind].get(key)
    if (i === undefined) {
      i = this.lists[kind].length
      this.load(kind, key, i)
      this.added.push({ kind, key, idx: i })
    }
    return i
  }

  name(kind: KeyKind, idx: number): string | null {
    return idx < 0
      ? null
      : (this.lists[kind][idx] ?? null)
  }
}

export async function loadKeys(db: Db, workspaceId: string): Promise<Keys> {
  const keys = new Keys()
  const rows = await sql<{ kind: string, key: string, idx: number }>`SELECT kind, key, idx FROM report_keys WHERE workspace_id = ${workspaceId}`.execute(db)
  for (const r of rows.rows) {
    const kind = KIND_OF_STORED.get(r.kind)
    if (kind)
      keys.load(kind, r.key, Number(r.idx))
  }
  return keys
}

/** Inserts the keys added since loading. */
export async function saveAddedKeys(db: Db, workspaceId: string, keys: Keys): Promise<void> {
  for (let i = 0; i < keys.added.length; i += 500) {
    const rows = keys.added.slice(i, i + 500).map(k => sql`(${workspaceId}, ${STORED_KIND[k.kind]}, ${k.key}, ${k.idx})`)
    await sql`INSERT INTO report_keys (workspace_id, kind, key, idx) VALUES ${sql.join(rows)}`.execute(db)
  }
}

/** WhatsApp error JSON → code and title (unknown: 0). */
export function errorOf(text: string | null): { code: number, title: string } {
  try {
    const e = text
      ? JSON.parse(text)
      : null
    if (e && typeof e === 'object') {
      return {
        code: Number.isInteger(e.code)
          ? e.code
          : 0,
        title: typeof e.title === 'string'
          ? e.title
          : 'Unknown error',
      }
    }
  }
  catch {}
  return { code: 0, title: 'Unknown error' }
}

/** the reason key of a failed message's error: `code<TAB>title` */
export function reasonKey(text: string | null): string {
  const { code, title } = errorOf(text)
  return `${code}\t${title}`
}

export function parseReasonKey(key: string): { code: number, title: string } {
  const tab = key.indexOf('\t')
  return {
    code: Number(key.slice(0, tab)),
    title: key.slice(tab + 1),
  }
}
