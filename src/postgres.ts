import { PostgresDialect, type PostgresPool } from 'kysely'
import pg from 'pg'
import type { DatabaseDriver } from './kernel/db/driver.ts'
import { PREPARE_MARKER, preparedName } from './kernel/db/prepared.ts'
import { isDatabaseUnavailable } from './kernel/db/unavailable.ts'
import { describeError } from './kernel/safe-error-log.ts'

export type { PostgresPool }

export interface PostgresOptions {
  /** Pool size when Sigra opens the pool from a URL (default 10). */
  max?: number
  /**
   * Run Sigra's hot statements (session validation) as named prepared statements, parsed and
   * planned once per connection (default true). Turn off behind PgBouncer < 1.21 in transaction mode.
   */
  prepare?: boolean
  /**
   * Seconds to wait for a connection when Sigra opens the pool from a URL (default 5): an
   * unreachable server then fails the call (503 over HTTP) instead of holding it forever.
   */
  connectionTimeout?: number
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
  const listeners: Array<(error: unknown) => void> = []
  const lost = (error: unknown) => {
    for (const listener of listeners) listener(error)
  }
  let base: PostgresPool
  if (typeof urlOrPool === 'string') {
    const own = new pg.Pool({ connectionString: urlOrPool, max: options.max ?? 10, connectionTimeoutMillis: (options.connectionTimeout ?? 5) * 1000 })
    // An idle connection the server ends (pg_terminate_backend, a failover, a proxy's idle timeout)
    // is reported on the pool: without a listener, Node would throw it and end the host's process.
    own.on('error', (error) => {
      console.error(`sigra: idle PostgreSQL connection lost: ${describeError(error)}`)
      lost(error)
    })
    base = own
  } else {
    base = { connect: () => urlOrPool.connect(), end: async () => {} }
  }
  const pool = listening(options.prepare === false ? base : preparing(base), lost)
  return {
    kind: 'postgres',
    createDialect: () => new PostgresDialect({ pool }),
    // Kysely's destroy() ends the pool it holds: ours for a URL, a no-op wrapper for a host pool.
    close: async () => {},
    onConnectionLost: (listener) => {
      listeners.push(listener)
    },
  }
}

type PoolClient = Awaited<ReturnType<PostgresPool['connect']>>

/**
 * Every client handed out gets an `error` listener (once): a connection ended while checked out
 * reports there as well as failing its query, and an unheard `error` event would crash the process.
 * The query's own rejection is what the caller sees.
 */
/**
 * Who hears each client's connection loss. One `error` listener per client, whatever the number of
 * Sigra instances sharing a host's pool (one each would pile up listeners on the same clients).
 */
const hearers = new WeakMap<object, Set<(error: unknown) => void>>()

function listening(pool: PostgresPool, lost: (error: unknown) => void): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect()
      const raw = (client as { raw?: unknown }).raw ?? client
      const emitter = raw as { on?: (event: string, listener: (error: unknown) => void) => void }
      if (typeof emitter.on === 'function') {
        let set = hearers.get(raw as object)
        if (!set) {
          const created = new Set<(error: unknown) => void>()
          set = created
          hearers.set(raw as object, created)
          emitter.on('error', (error) => {
            console.error(`sigra: PostgreSQL connection lost: ${describeError(error)}`)
            for (const hear of created) hear(error)
          })
        }
        set.add(lost)
      }
      // A connection whose server side is gone (57P01 came back as a query error, the socket closes
      // a moment later) must not go back to the pool: released with the error, the pool discards it
      // instead of handing a dead connection to the next caller.
      let broken: unknown = null
      const query = (client.query as QueryFn).bind(client)
      return {
        query: (async (text: unknown, values?: unknown) => {
          try {
            return await query(text, values)
          } catch (error) {
            if (isDatabaseUnavailable(error)) broken = error
            throw error
          }
        }) as PoolClient['query'],
        release: () => (broken ? (client.release as (error?: unknown) => void)(broken) : client.release()),
        raw,
      } as PoolClient
    },
    end: () => pool.end(),
  }
}
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
        release: (error?: unknown) => (client.release as (error?: unknown) => void)(error),
        // The underlying client, so `listening` can attach its error listener.
        raw: client,
      } as PoolClient
    },
    end: () => pool.end(),
  }
}
