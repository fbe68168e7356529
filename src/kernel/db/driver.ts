import type { Dialect } from 'kysely'

/**
 * What `database:` accepts: a factory for a Kysely dialect plus what to close at shutdown.
 * Build one with `pglite()` from 'sigra/pglite' or `postgres()` from 'sigra/postgres'.
 */
export interface DatabaseDriver {
  readonly kind: 'pglite' | 'postgres'
  /** Called once per Sigra instance. */
  createDialect(): Dialect
  /** Closes what the driver opened itself (never a pool the host passed in). */
  close(): Promise<void>
  /**
   * Tells when a connection is lost outside a query (the server ended it: shutdown, failover,
   * `pg_terminate_backend`): the HTTP handler then answers 503 until the database answers again.
   */
  onConnectionLost?(listener: (error: unknown) => void): void
}
