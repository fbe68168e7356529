import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely'
import { PREPARE_MARKER, preparedName } from './prepared.ts'

/**
 * What the dialect needs of an open PGlite instance. Structural on purpose: `@electric-sql/pglite`
 * is an optional peer dependency, and these declarations must not name its types.
 */
export interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>
  close(): Promise<void>
  readonly closed: boolean
}

/**
 * Kysely dialect for PGlite. PGlite is one connection, so the driver hands it to one user at a
 * time: a transaction holds it from BEGIN to COMMIT and concurrent work queues behind it,
 * which is what keeps two interleaved transactions from sharing one session.
 */
export class PGliteDialect implements Dialect {
  readonly #open: () => Promise<PGliteLike>
  constructor(open: () => Promise<PGliteLike>) {
    this.#open = open
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#open)
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }
}

/**
 * One queue per PGlite instance, not per driver: several Sigra instances handed the same PGlite
 * (tests do this, and so may a host) must not interleave their transactions on its one session.
 */
const queues = new WeakMap<PGliteLike, { tail: Promise<void> }>()

class PGliteDriver implements Driver {
  readonly #open: () => Promise<PGliteLike>
  #connection: PGliteConnection | undefined

  constructor(open: () => Promise<PGliteLike>) {
    this.#open = open
  }

  async init(): Promise<void> {
    this.#connection = new PGliteConnection(await this.#open())
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = this.#connection
    if (!connection) throw new Error('PGlite driver used before init')
    let queue = queues.get(connection.db)
    if (!queue) queues.set(connection.db, (queue = { tail: Promise.resolve() }))
    let release!: () => void
    const previous = queue.tail
    queue.tail = new Promise<void>((resolve) => (release = resolve))
    await previous
    connection.release = release
    return connection
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN'))
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'))
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'))
  }
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT "${name}"`))
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO SAVEPOINT "${name}"`))
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`RELEASE SAVEPOINT "${name}"`))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as PGliteConnection
    const release = c.release
    c.release = undefined
    release?.()
  }

  /** The PGlite instance belongs to the `pglite()` driver, which closes it. */
  async destroy(): Promise<void> {
    this.#connection = undefined
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly db: PGliteLike
  release: (() => void) | undefined
  readonly #prepared = new Set<string>()
  constructor(db: PGliteLike) {
    this.db = db
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (compiledQuery.sql.startsWith(PREPARE_MARKER)) return this.#executePrepared<R>(compiledQuery)
    const result = await this.db.query<R>(compiledQuery.sql, [...compiledQuery.parameters])
    const affected = result.affectedRows
    return affected === undefined ? { rows: result.rows } : { rows: result.rows, numAffectedRows: BigInt(affected) }
  }

  /**
   * PGlite has no named extended-protocol statements in its API, so a marked statement is prepared
   * with SQL PREPARE once and run with EXECUTE. Its parameters are inlined as quoted literals
   * (standard_conforming_strings is on: doubling quotes is the complete escape); only strings are
   * accepted here, anything else takes the ordinary path.
   */
  async #executePrepared<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery
    if (!parameters.every((p) => typeof p === 'string' && !p.includes('\0'))) {
      return { rows: (await this.db.query<R>(sql, [...parameters])).rows }
    }
    const name = preparedName(sql)
    if (!this.#prepared.has(name)) {
      try {
        await this.db.query(`PREPARE ${name} AS ${sql}`)
      } catch (error) {
        // Another Sigra on this PGlite prepared the same text already (42P05): use it.
        if ((error as { code?: unknown }).code !== '42P05') throw error
      }
      this.#prepared.add(name)
    }
    const args = (parameters as string[]).map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')
    return { rows: (await this.db.query<R>(`EXECUTE ${name}(${args})`)).rows }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect does not stream')
  }
}
