import { Kysely } from 'kysely'
import type { Database } from '../kernel/db/database.ts'
import { migrate, pendingMigrations } from '../kernel/db/migrate.ts'
import { cliOptions } from './options.ts'
import { scopedIntrospection } from '../kernel/db/scoped-dialect.ts'

/** `sigra migrate [--data DIR | --database-url URL] [--schema NAME] [--check]`: applies (or lists) pending migrations. */
export async function migrateCommand(args: string[]): Promise<number> {
  const options = cliOptions(args, { check: { type: 'boolean' } })
  const schema = options.schema ?? 'sigra'
  const db = new Kysely<Database>({ dialect: scopedIntrospection(options.database.createDialect(), schema) })
  try {
    if (options.values.check) {
      const pending = await pendingMigrations(db, schema)
      console.log(pending.length ? `Pending migrations in ${options.where}, schema "${schema}": ${pending.join(', ')}` : `Schema "${schema}" in ${options.where} is up to date.`)
      return pending.length ? 1 : 0
    }
    const { applied } = await migrate(db, schema)
    if (applied.length === 0) console.log(`Schema "${schema}" in ${options.where} is up to date; nothing to apply.`)
    else for (const name of applied) console.log(`applied ${name} to schema "${schema}" in ${options.where}`)
    return 0
  } finally {
    await db.destroy()
    await options.database.close()
  }
}
