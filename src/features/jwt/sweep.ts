import type { JwtContext } from './jwt-context.ts'
import { jwtDb } from './jwt-context.ts'
import { dropRetiredKeys } from './keys.ts'

/** Rows per statement, and statements per sweep: a backlog is worked off over several sweeps, never in one long lock. */
const BATCH = 500
const MAX_BATCHES = 20

export interface JwtSweepReport {
  /** Families past their end (their tokens went with them). */
  families: number
  /** Sessions that existed only for an ended family (token login). */
  sessions: number
  /** Successors sealed for a concurrent-refresh grace that has passed. */
  successorsCleared: number
  /** Retired keys past their overlap. */
  keys: number
}

/**
 * The JWT sweep, safe on many instances at once (`SKIP LOCKED`). A family is deleted once its
 * access tokens have expired too (`expires_at` + `accessTtl` + leeway): until then a verifier with
 * revocation checking still finds it. A token-login session goes with its family.
 */
export async function sweepJwt(ctx: JwtContext): Promise<JwtSweepReport> {
  const at = ctx.config.clock()
  const cutoff = new Date(at.getTime() - (ctx.jwt.accessTtl + ctx.jwt.leeway) * 1000)
  const report: JwtSweepReport = { families: 0, sessions: 0, successorsCleared: 0, keys: 0 }
  const db = jwtDb(ctx.db)

  for (let i = 0; i < MAX_BATCHES; i++) {
    const owned = await db
      .deleteFrom('sessions')
      .where('id', 'in', (eb) =>
        eb.selectFrom('jwt_refresh_families').select('session_id').where('owns_session', '=', true).where('expires_at', '<=', cutoff).limit(BATCH).forUpdate().skipLocked(),
      )
      .executeTakeFirst()
    report.sessions += Number(owned.numDeletedRows)
    if (Number(owned.numDeletedRows) < BATCH) break
  }
  for (let i = 0; i < MAX_BATCHES; i++) {
    const gone = await db
      .deleteFrom('jwt_refresh_families')
      .where('id', 'in', (eb) => eb.selectFrom('jwt_refresh_families').select('id').where('expires_at', '<=', cutoff).limit(BATCH).forUpdate().skipLocked())
      .executeTakeFirst()
    report.families += Number(gone.numDeletedRows)
    if (Number(gone.numDeletedRows) < BATCH) break
  }
  const graceCutoff = new Date(at.getTime() - ctx.jwt.refreshGrace * 1000)
  for (let i = 0; i < MAX_BATCHES; i++) {
    const cleared = await db
      .updateTable('jwt_refresh_tokens')
      .set({ sealed_successor: null })
      .where('id', 'in', (eb) =>
        eb.selectFrom('jwt_refresh_tokens').select('id').where('sealed_successor', 'is not', null).where('spent_at', '<', graceCutoff).limit(BATCH).forUpdate().skipLocked(),
      )
      .executeTakeFirst()
    report.successorsCleared += Number(cleared.numUpdatedRows)
    if (Number(cleared.numUpdatedRows) < BATCH) break
  }
  report.keys = await dropRetiredKeys(ctx)
  return report
}
