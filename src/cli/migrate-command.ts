import { Kysely } from 'kysely'
import { checkFeatures } from '../features/check-features.ts'
import type { Database } from '../kernel/db/database.ts'
import { migrate, migrationStatus } from '../kernel/db/migrate.ts'
import { CORE_MIGRATIONS } from '../kernel/db/migrations/index.ts'
import { scopedIntrospection } from '../kernel/db/scoped-dialect.ts'
import { loadFeatures } from './load-features.ts'
import { cliOptions } from './options.ts'

/**
 * `sigra migrate [--data DIR | --database-url URL] [--schema NAME] [--config FILE] [--check]`:
 * applies (or, with --check, lists per feature) the pending migrations of core and of the features
 * the config file enables. Features not enabled are listed as kept: their tables stay.
 */
export async function migrateCommand(args: string[]): Promise<number> {
  const options = cliOptions(args, { check: { type: 'boolean' }, config: { type: 'string' } })
  const schema = options.schema ?? 'sigra'
  const { features, from } = await loadFeatures(options.values.config as string | undefined)
  const sequences = [CORE_MIGRATIONS, ...checkFeatures(features).map((f) => ({ owner: f.name, migrations: f.migrations }))]
  const db = new Kysely<Database>({ dialect: scopedIntrospection(options.database.createDialect(), schema) })
  try {
    if (from) console.log(`features from ${from}: ${features.map((f) => f.name).join(', ') || '(none)'}`)
    if (options.values.check) {
      const status = await migrationStatus(db, schema, sequences)
      for (const s of status.sequences) {
        console.log(`${s.owner}: ${s.pending.length ? `pending ${s.pending.join(', ')}` : 'up to date'}${s.applied.length ? ` (${s.applied.length} applied)` : ''}`)
      }
      for (const k of status.kept) console.log(`${k.owner}: not enabled; its ${k.applied.length} migration(s) and tables are kept`)
      const pending = status.sequences.flatMap((s) => s.pending)
      console.log(pending.length ? `${pending.length} pending migration(s) in ${options.where}, schema "${schema}"` : `Schema "${schema}" in ${options.where} is up to date.`)
      return pending.length ? 1 : 0
    }
    const { applied } = await migrate(db, schema, sequences)
    if (applied.length === 0) console.log(`Schema "${schema}" in ${options.where} is up to date; nothing to apply.`)
    else for (const name of applied) console.log(`applied ${name} to schema "${schema}" in ${options.where}`)
    return 0
  } finally {
    await db.destroy()
    await options.database.close()
  }
}
