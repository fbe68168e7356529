import { PostgresDialect, type PostgresPool } from 'kysely'
import pg from 'pg'
import type { DatabaseDriver } from './kernel/db/driver.ts'

export type { PostgresPool }

/**
 * A real PostgreSQL server through `pg`.
 *
 * @example
 * const sigra = await createSigra({ database: postgres(process.env.DATABASE_URL!), ... })
 * @param urlOrPool a connection string (Sigra opens and ends its own pool) or a pool you own
 *   (Sigra borrows connections and never ends it).
 */
export function postgres(urlOrPool: string | PostgresPool, options: { max?: number } = {}): DatabaseDriver {
  const pool: PostgresPool =
    typeof urlOrPool === 'string'
      ? new pg.Pool({ connectionString: urlOrPool, max: options.max ?? 10 })
      : { connect: () => urlOrPool.connect(), end: async () => {} }
  return {
    kind: 'postgres',
    createDialect: () => new PostgresDialect({ pool }),
    // Kysely's destroy() ends the pool it holds: ours for a URL, a no-op wrapper for a host pool.
    close: async () => {},
  }
}
