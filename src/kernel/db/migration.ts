import { sql, type Kysely, type RawBuilder } from 'kysely'

/** What a migration's `up` receives: the database and how to name a table in Sigra's schema. */
export interface MigrationContext {
  db: Kysely<any>
  /** Sigra's PostgreSQL schema (from config). */
  schema: string
  /** `"schema"."name"`, for SQL written by hand. */
  table(name: string): RawBuilder<unknown>
}

/**
 * One schema change, written by hand. Names sort in the order they run (`0001_foundation`) and are
 * permanent once released: the ledger records them. There is no `down`: a release never removes data.
 */
export interface Migration {
  name: string
  up(context: MigrationContext): Promise<void>
}

/**
 * An ordered sequence of migrations with one owner: `core` (always on) or a feature's name. A
 * feature's migrations are recorded as `<feature>/<name>`, core's under their bare names.
 */
export interface MigrationSequence {
  owner: string
  migrations: readonly Migration[]
}

export function ledgerName(owner: string, migration: Pick<Migration, 'name'>): string {
  return owner === 'core' ? migration.name : `${owner}/${migration.name}`
}

export function migrationContext(db: Kysely<any>, schema: string): MigrationContext {
  return { db, schema, table: (name) => sql.raw(`"${schema}"."${name}"`) }
}
