import { sql, type Kysely } from 'kysely'
import type { SigraContext } from '../context.ts'
import { pendingMigrations } from '../db/migrate.ts'
import type { MigrationSequence } from '../db/migration.ts'
import { isDatabaseUnavailable } from '../db/unavailable.ts'

export interface Readiness {
  /** True when the database answers, the schema is current and the instance is not closing. */
  ok: boolean
  database: 'up' | 'down'
  /** 'current', or the migrations not applied yet (by `<sequence>/<name>`); null when the database is down. */
  migrations: 'current' | readonly string[] | null
  /** The outbox: mail waiting to go, and the age of the oldest (seconds). Informative: never makes `ok` false. */
  mail: { pending: number; oldestSeconds: number | null } | null
  closing: boolean
}

/** Bounds a probe: an unreachable (blackholed) server must not hold a readiness check forever. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timeout exceeded when trying to connect (${ms} ms)`), { code: 'ETIMEDOUT' })), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

/** Whether the database answers a trivial query within `timeoutMs`. */
export async function databaseAnswers(db: Kysely<any>, timeoutMs = 2000): Promise<boolean> {
  try {
    await withTimeout(sql`SELECT 1`.execute(db), timeoutMs)
    return true
  } catch (error) {
    if (isDatabaseUnavailable(error)) return false
    throw error
  }
}

/**
 * What `GET {basePath}/ready` answers (and `sigra.readiness()`): the database reachable, every
 * migration of core and the enabled features applied, and the mail backlog for the operator's eye.
 */
export async function readiness(ctx: SigraContext, rawDb: Kysely<any>, sequences: readonly MigrationSequence[]): Promise<Readiness> {
  const closing = ctx.inflight.closing
  if (!(await databaseAnswers(rawDb))) return { ok: false, database: 'down', migrations: null, mail: null, closing }
  try {
    const pending = await withTimeout(pendingMigrations(rawDb, ctx.config.schema, sequences), 5000)
    if (pending.length) return { ok: false, database: 'up', migrations: pending, mail: null, closing }
    const backlog = await withTimeout(
      ctx.db
        .selectFrom('mail_outbox')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
        .where('status', '=', 'pending')
        .executeTakeFirst(),
      5000,
    )
    const oldest = backlog?.oldest ? new Date(backlog.oldest as Date | string) : null
    const mail = { pending: Number(backlog?.n ?? 0), oldestSeconds: oldest ? Math.max(0, Math.round((ctx.config.clock().getTime() - oldest.getTime()) / 1000)) : null }
    return { ok: !closing, database: 'up', migrations: 'current', mail, closing }
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { ok: false, database: 'down', migrations: null, mail: null, closing }
    throw error
  }
}
