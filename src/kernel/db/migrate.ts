import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely'
import { SigraError } from '../errors.ts'
import type { Database } from './database.ts'
import { sigraMigrations } from './migrations/index.ts'

function migrator(db: Kysely<Database>, schema: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => sigraMigrations(schema) },
    migrationTableSchema: schema,
    migrationTableName: 'sigra_migrations',
    migrationLockTableName: 'sigra_migrations_lock',
  })
}

export interface MigrateReport {
  /** Names applied by this call, in order. */
  applied: string[]
}

/** Applies pending migrations (in a transaction, under Kysely's migration lock). */
export async function migrate(db: Kysely<Database>, schema: string): Promise<MigrateReport> {
  await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db)
  const { error, results } = await migrator(db, schema).migrateToLatest()
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName)
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new SigraError('migration_failed', `Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return { applied }
}

/** Names of migrations not yet applied; every one when the schema is new. */
export async function pendingMigrations(db: Kysely<Database>, schema: string): Promise<string[]> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass(${`"${schema}".sigra_migrations`}) IS NOT NULL AS present`.execute(db)
  if (!exists.rows[0]?.present) return Object.keys(sigraMigrations(schema))
  const migrations = await migrator(db, schema).getMigrations()
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name)
}

/**
 * Whether this schema records any Sigra migration. None: a new database, waiting for its first
 * `migrate()`. Some, with others pending: an older release's schema, which must be migrated first.
 */
export async function anyMigrationRecorded(db: Kysely<Database>, schema: string): Promise<boolean> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass(${`"${schema}".sigra_migrations`}) IS NOT NULL AS present`.execute(db)
  if (!exists.rows[0]?.present) return false
  const rows = await sql`SELECT 1 FROM ${sql.table(`${schema}.sigra_migrations`)} LIMIT 1`.execute(db)
  return rows.rows.length > 0
}

export function pendingMigrationsError(pending: string[]): SigraError {
  return new SigraError(
    'pending_migrations',
    `The database has ${pending.length} pending Sigra migration(s): ${pending.join(', ')}. ` +
      'Run `npx sigra migrate` (or call `await sigra.migrate()`) before using Sigra.',
  )
}
