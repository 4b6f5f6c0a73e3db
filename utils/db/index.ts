import { AppDB } from './app-db'

export type { MetaEntry, MetaKey, MetaValues } from './app-db'
export type * from './types'
export { AppDB }
export { SYNC_TABLES } from './types'

/** The one database instance of this extension context (page or background). */
export const db = new AppDB()
