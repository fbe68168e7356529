import pg from 'pg'

type Query = (...args: unknown[]) => Promise<unknown>

/**
 * A pg pool for Sigra whose next statement matching a pattern finds its connection killed: the
 * backend is ended with `pg_terminate_backend` from a second connection just before the statement
 * runs, as a failover or an operator would. So a test chooses the exact point inside a flow where
 * the database goes away.
 */
export function faultPool(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: 4 })
  pool.on('error', () => {})
  const admin = new pg.Pool({ connectionString, max: 1 })
  let armed: RegExp | null = null
  let fired = 0
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient>
  // pg's own pool.query() connects with a callback: that path is left as it is (the test's own queries).
  ;(pool as unknown as { connect: (callback?: unknown) => unknown }).connect = (callback?: unknown) => (callback ? connect(callback) : faulty())
  const faulty = async () => {
    const client = await connect()
    const marked = client as pg.PoolClient & { __faulty?: true }
    if (!marked.__faulty) {
      marked.__faulty = true
      const query = client.query.bind(client) as Query
      client.on('error', () => {})
      ;(client as unknown as { query: Query }).query = async (...args: unknown[]) => {
        const first = args[0]
        const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '')
        if (armed && armed.test(text)) {
          armed = null
          fired++
          await admin.query('SELECT pg_terminate_backend($1)', [(client as unknown as { processID: number }).processID])
        }
        return query(...args)
      }
    }
    return client
  }
  return {
    pool,
    /** The next statement matching `pattern` runs on a connection that has just been killed. */
    killBefore(pattern: RegExp) {
      armed = pattern
    },
    get fired() {
      return fired
    },
    get armed() {
      return armed !== null
    },
    async end() {
      await pool.end()
      await admin.end()
    },
  }
}
