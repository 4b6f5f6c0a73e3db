import type { EntityTable } from 'dexie'
import type { ServerHealth } from '../api/health'
import Dexie from 'dexie'

/** The values kept in `meta`, by key. Local bookkeeping only: never synced to the server. */
export interface MetaValues {
  /** Last successful `GET /api/health`: which server answered, on which engine, and when. */
  lastHealthCheck: { serverUrl: string, db: ServerHealth['db'], checkedAt: number }
}

export type MetaKey = keyof MetaValues

export interface MetaEntry<K extends MetaKey = MetaKey> {
  key: K
  value: MetaValues[K]
}

/**
 * The extension's IndexedDB database, the single source of truth for every page
 * (ARCHITECTURE.md, section 3). Add tables with a new `version(n)`; never edit an old one.
 */
export class AppDB extends Dexie {
  meta!: EntityTable<MetaEntry, 'key'>

  constructor(name = 'wa-inbox') {
    super(name)
    this.version(1).stores({
      meta: 'key',
    })
  }
}
