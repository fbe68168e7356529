import type { RateLimitStore, WindowRef } from './rate-limit-store.ts'
import type { WindowCounts } from './sliding-window.ts'

/** What the store needs of a `pg` Pool. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
}

/** One in this many counted attempts (the first included) also deletes old windows of its rule. */
const SWEEP_EVERY = 100
/** At most this many rows per sweep, so a sweep stays a short statement. */
const SWEEP_LIMIT = 1000

/** A PostgreSQL error code, if `error` carries one. */
function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}

/**
 * Counters in PostgreSQL through a `pg` pool you own, in `"<schema>".sigra_rate_windows` (one row
 * per key and window). The table is named apart from `sigra_rate_limits`, which rate-limiter-flexible
 * kept with other columns in older versions (that one can be dropped). It is created on first use,
 * idempotently; a failure to create it (schema missing, database down) is retried on the next call,
 * and meanwhile the limiter counts in a per-process memory store. Old windows are deleted now and then
 * by the attempts themselves (never by a timer): see `SWEEP_EVERY`.
 */
export function postgresStore(pool: unknown, options: { schema?: string } = {}): RateLimitStore {
  const db = pool as Queryable
  const table = `"${(options.schema ?? 'public').replaceAll('"', '""')}".sigra_rate_windows`
  let created: Promise<void> | undefined
  let hits = 0

  const ready = () =>
    (created ??= (async () => {
      try {
        // COLLATE "C": byte order, so a rule's keys are one index range for the sweep.
        await db.query(`CREATE TABLE IF NOT EXISTS ${table} (key text COLLATE "C" NOT NULL, "window" bigint NOT NULL, count integer NOT NULL, PRIMARY KEY (key, "window"))`)
      } catch (error) {
        // Instances starting together race on the catalog: the loser's table exists all the same.
        if (codeOf(error) !== '23505' && codeOf(error) !== '42P07') throw error
      }
    })().catch((error: unknown) => {
      created = undefined
      throw error
    }))

  /** Runs a statement once the table exists; a table dropped behind our back is created again next call. */
  const query = async (text: string, values: unknown[]) => {
    await ready()
    try {
      return (await db.query(text, values)).rows
    } catch (error) {
      if (codeOf(error) === '42P01') created = undefined
      throw error
    }
  }

  /** Deletes windows of `ref`'s rule older than the previous one (so started 2 × duration ago or more). */
  const sweep = async (ref: WindowRef) => {
    const prefix = `sigra:${ref.rule}:`
    const end = `sigra:${ref.rule};` // ';' follows ':' in byte order: the range holds exactly this prefix
    await query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE key >= $1 AND key < $2 AND "window" < $3 LIMIT ${SWEEP_LIMIT})`, [prefix, end, ref.window - 1]).catch(() => {})
  }

  const toCounts = (row: Record<string, unknown> | undefined): WindowCounts => ({ current: Number(row?.current ?? 0), previous: Number(row?.previous ?? 0) })

  return {
    kind: 'postgres',
    async hit(ref) {
      const rows = await query(
        `WITH hit AS (
           INSERT INTO ${table} AS t (key, "window", count) VALUES ($1, $2, 1)
           ON CONFLICT (key, "window") DO UPDATE SET count = t.count + 1
           RETURNING count
         )
         SELECT (SELECT count FROM hit) AS current, (SELECT count FROM ${table} WHERE key = $1 AND "window" = $2 - 1) AS previous`,
        [`sigra:${ref.rule}:${ref.key}`, ref.window],
      )
      if (hits++ % SWEEP_EVERY === 0) await sweep(ref)
      return toCounts(rows[0])
    },
    async read(ref) {
      const rows = await query(
        `SELECT coalesce(sum(count) FILTER (WHERE "window" = $2), 0) AS current, coalesce(sum(count) FILTER (WHERE "window" = $2 - 1), 0) AS previous
         FROM ${table} WHERE key = $1 AND "window" BETWEEN $2 - 1 AND $2`,
        [`sigra:${ref.rule}:${ref.key}`, ref.window],
      )
      return toCounts(rows[0])
    },
  }
}
