import { sql, type Kysely } from 'kysely'
import { SigraError } from '../errors.ts'
import { ledgerName, migrationContext, type MigrationSequence } from './migration.ts'

// `Kysely<any>` below: the migrator reads and writes only its ledger and runs hand-written SQL.

/**
 * Sigra's own migrator. One ledger table (`sigra_migrations`, the shape Kysely's migrator used, so
 * older databases keep their history) records every applied migration by name: core's and each
 * feature's. A feature enabled later migrates only its own sequence; a feature removed from the
 * list is simply not consulted: its tables and ledger rows stay (nothing is ever dropped).
 */
const LEDGER = 'sigra_migrations'

export interface MigrateReport {
  /** Ledger names applied by this call, in order (`0002_sign_in_steps`, `mfa/0001_totp`). */
  applied: string[]
}

export interface SequenceStatus {
  owner: string
  applied: string[]
  pending: string[]
}

export interface MigrationStatus {
  /** One entry per enabled sequence (core first, then features in the order listed). */
  sequences: SequenceStatus[]
  /** Ledger rows of features that are not enabled now, by feature: their tables are kept. */
  kept: Array<{ owner: string; applied: string[] }>
}

async function ledgerRows(db: Kysely<any>, schema: string): Promise<Set<string> | null> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass(${`"${schema}".${LEDGER}`}) IS NOT NULL AS present`.execute(db)
  if (!exists.rows[0]?.present) return null
  const rows = await sql<{ name: string }>`SELECT name FROM ${sql.table(`${schema}.${LEDGER}`)}`.execute(db)
  return new Set(rows.rows.map((r) => r.name))
}

/** Which migrations of the enabled sequences are applied or pending, and what the ledger keeps for disabled features. */
export async function migrationStatus(db: Kysely<any>, schema: string, sequences: readonly MigrationSequence[]): Promise<MigrationStatus> {
  const ledger = (await ledgerRows(db, schema)) ?? new Set<string>()
  const status = sequences.map(({ owner, migrations }) => {
    const names = migrations.map((m) => ledgerName(owner, m))
    return { owner, applied: names.filter((n) => ledger.has(n)), pending: names.filter((n) => !ledger.has(n)) }
  })
  const known = new Set(status.flatMap((s) => [...s.applied, ...s.pending]))
  const kept = new Map<string, string[]>()
  for (const name of [...ledger].sort()) {
    if (known.has(name)) continue
    const owner = name.includes('/') ? name.slice(0, name.indexOf('/')) : 'core'
    kept.set(owner, [...(kept.get(owner) ?? []), name])
  }
  return { sequences: status, kept: [...kept].map(([owner, applied]) => ({ owner, applied })) }
}

/** Names of migrations not yet applied, over every enabled sequence, in the order they would run. */
export async function pendingMigrations(db: Kysely<any>, schema: string, sequences: readonly MigrationSequence[]): Promise<string[]> {
  return (await migrationStatus(db, schema, sequences)).sequences.flatMap((s) => s.pending)
}

/**
 * A sequence with some migrations applied and others not is an older release's schema: it must
 * be migrated before use. A sequence with none applied is new (a new database, or a feature just
 * enabled), which `createSigra` accepts so that `sigra.migrate()` can follow.
 */
export function partlyApplied(status: MigrationStatus): string[] {
  return status.sequences.filter((s) => s.applied.length > 0 && s.pending.length > 0).flatMap((s) => s.pending)
}

/**
 * Applies every pending migration of the enabled sequences in one transaction, under a
 * transaction-scoped advisory lock on the schema: instances starting together migrate once, and a
 * failure leaves nothing half-applied.
 */
export async function migrate(db: Kysely<any>, schema: string, sequences: readonly MigrationSequence[]): Promise<MigrateReport> {
  let current = '(setup)'
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`sigra:migrate:${schema}`}))`.execute(trx)
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(trx)
      await sql`CREATE TABLE IF NOT EXISTS ${sql.table(`${schema}.${LEDGER}`)} (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)`.execute(trx)
      const ledger = (await ledgerRows(trx, schema)) ?? new Set<string>()
      const context = migrationContext(trx, schema)
      const applied: string[] = []
      for (const { owner, migrations } of sequences) {
        for (const migration of migrations) {
          const name = ledgerName(owner, migration)
          if (ledger.has(name)) continue
          current = name
          await migration.up(context)
          await sql`INSERT INTO ${sql.table(`${schema}.${LEDGER}`)} (name, timestamp) VALUES (${name}, ${new Date().toISOString()})`.execute(trx)
          applied.push(name)
        }
      }
      return { applied }
    })
  } catch (error) {
    throw new SigraError('migration_failed', `Migration ${current} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

export function pendingMigrationsError(pending: string[]): SigraError {
  return new SigraError(
    'pending_migrations',
    `The database has ${pending.length} pending Sigra migration(s): ${pending.join(', ')}. ` +
      'Run `npx sigra migrate` (or call `await sigra.migrate()`) before using Sigra.',
  )
}
