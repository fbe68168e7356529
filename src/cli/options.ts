import { parseArgs } from 'node:util'
import type { DatabaseDriver } from '../kernel/db/driver.ts'
import { pglite } from '../pglite.ts'
import { postgres } from '../postgres.ts'

export interface CliOptions {
  database: DatabaseDriver
  /** What the database is, for messages. */
  where: string
  schema: string | undefined
  rest: string[]
  values: Record<string, string | boolean | undefined>
}

/**
 * Shared flags: `--database-url URL` (or env DATABASE_URL) for a PostgreSQL server, otherwise the
 * embedded PGlite in `--data DIR` (default ./.sigra). `--schema NAME` (default sigra).
 */
export function cliOptions(args: string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}): CliOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'database-url': { type: 'string' }, data: { type: 'string' }, schema: { type: 'string' }, ...extra },
  })
  const url = (values['database-url'] as string | undefined) ?? process.env.DATABASE_URL
  const dir = (values.data as string | undefined) ?? './.sigra'
  return {
    database: url ? postgres(url, { max: 2 }) : pglite(dir),
    where: url ? `PostgreSQL (${redactUrl(url)})` : `embedded PGlite in ${dir}`,
    schema: values.schema as string | undefined,
    rest: positionals,
    values: values as Record<string, string | boolean | undefined>,
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'unparseable URL'
  }
}
