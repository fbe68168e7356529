import { sql } from 'kysely'
import type { Trx } from '../../kernel/db/database.ts'
import type { MfaContext } from './mfa-context.ts'

/** Seconds until a locked second factor may be tried again, or null. */
export function lockedFor(row: { locked_until: Date | null }, at: Date): number | null {
  if (!row.locked_until || row.locked_until.getTime() <= at.getTime()) return null
  return Math.ceil((row.locked_until.getTime() - at.getTime()) / 1000)
}

/**
 * Counts one wrong code in a single UPDATE under the row lock (parallel guesses lose no count),
 * with the account lockout's rules: the threshold locks for the duration, an expired lock re-arms
 * (the count restarts at 1). Returns the count and whether this failure locked it.
 */
export async function recordSecondFactorFailure(ctx: MfaContext, trx: Trx, userId: string): Promise<{ attempts: number; locked: boolean; justLocked: boolean }> {
  const at = ctx.config.clock()
  const { threshold, duration } = ctx.mfa.lockout
  const lockedUntil = new Date(at.getTime() + duration * 1000)
  const t = sql.table(`${ctx.config.schema}.mfa_totp`)
  const expired = sql`(locked_until IS NOT NULL AND locked_until <= ${at})`
  const next = sql`(CASE WHEN ${expired} THEN 1 ELSE failed_attempts + 1 END)`
  const { rows } = await sql<{ failed_attempts: number; locked_until: Date | null; was_locked: boolean }>`
    WITH before AS (SELECT locked_until IS NOT NULL AND locked_until > ${at} AS was_locked FROM ${t} WHERE user_id = ${userId} FOR UPDATE)
    UPDATE ${t} SET
      failed_attempts = ${next},
      locked_until = CASE WHEN ${next} >= ${threshold} AND (locked_until IS NULL OR ${expired}) THEN ${lockedUntil}::timestamptz
                          WHEN ${expired} THEN NULL ELSE locked_until END
    WHERE user_id = ${userId}
    RETURNING failed_attempts, locked_until, (SELECT was_locked FROM before) AS was_locked`.execute(trx)
  const row = rows[0]
  if (!row) return { attempts: 0, locked: false, justLocked: false }
  const locked = row.locked_until !== null && new Date(row.locked_until).getTime() > at.getTime()
  return { attempts: row.failed_attempts, locked, justLocked: locked && !row.was_locked }
}
