import type { Kysely } from 'kysely'
import type { Engine } from '../src/storage/db.ts'
import * as m0001 from './0001_initial.ts'
import * as m0002 from './0002_team.ts'
import * as m0003 from './0003_message_sender.ts'
import * as m0004 from './0004_reports.ts'
import * as m0005 from './0005_report_facts.ts'
import * as m0006 from './0006_bots.ts'

export interface EngineMigration { up: (db: Kysely<any>, engine: Engine) => Promise<void> }

/** Ordered, append-only. Names sort in order; never rename or edit a shipped one. */
export const migrations: Record<string, EngineMigration> = {
  '0001_initial': m0001,
  '0002_team': m0002,
  '0003_message_sender': m0003,
  '0004_reports': m0004,
  '0005_report_facts': m0005,
  '0006_bots': m0006,
}
