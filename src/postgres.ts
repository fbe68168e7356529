import { PostgresDialect, type PostgresPool } from 'kysely'
import pg from 'pg'
import type { DatabaseDriver } from './kernel/db/driver.ts'
import { PREPARE_MARKER, preparedName } from './kernel/db/prepared.ts'

export type { PostgresPool }

export interface PostgresOptions {
  /** Pool size when Sigra opens the pool from a URL (default 10). */
  max?: number
  /**
   * Run Sigra's hot statements (session validation) as named prepared statements, parsed and
   * planned once per connection (default true). Turn off behind PgBouncer < 1.21 in transaction mode.
   */
  prepare?: boolean
}

/**
 * A real PostgreSQL server through `pg`.
 *
 * @example
 * const sigra = await createSigra({ database: postgres(process.env.DATABASE_URL!), ... })
 * @param urlOrPool a connection string (Sigra opens and ends its own pool) or a pool you own
 *   (Sigra borrows connections and never ends it).
 */
export function postgres(urlOrPool: string | PostgresPool, options: PostgresOptions = {}): DatabaseDriver {
  const base: PostgresPool =
    typeof urlOrPool === 'string'
      ? new pg.Pool({ connectionString: urlOrPool, max: options.max ?? 10 })
      : { connect: () => urlOrPool.connect(), end: async () => {} }
  const pool = options.prepare === false ? base : preparing(base)
  return {
    kind: 'postgres',
    createDialect: () => new PostgresDialect({ pool }),
    // Kysely's destroy() ends the pool it holds: ours for a URL, a no-op wrapper for a host pool.
    close: async () => {},
  }
}

type PoolClient = Awaited<ReturnType<PostgresPool['connect']>>
type QueryFn = (text: unknown, values?: unknown) => Promise<unknown>

/** Marked statements run as named statements (node-pg prepares each once per connection); the rest as given. */
function preparing(pool: PostgresPool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect()
      const query = (client.query as QueryFn).bind(client)
      return {
        query: ((text: unknown, values?: unknown) =>
          typeof text === 'string' && text.startsWith(PREPARE_MARKER) ? query({ name: preparedName(text), text, values }) : query(text, values)) as PoolClient['query'],
        release: () => client.release(),
      }
    },
    end: () => pool.end(),
  }
}
