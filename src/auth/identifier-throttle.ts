import { createHmac, hkdfSync } from 'node:crypto'
import { sql } from 'kysely'
import type { SigraContext } from '../kernel/context.ts'
import type { Trx } from '../kernel/db/database.ts'

/**
 * The key of a login identifier in `login_throttles`: an HMAC under a key derived from the secret,
 * so the table never holds what someone typed, and nobody without the secret can test guesses against it.
 */
export function identifierKey(ctx: SigraContext, identifier: string): Uint8Array {
  const key = Buffer.from(hkdfSync('sha256', ctx.config.secret, 'sigra', 'sigra:login-throttle', 32))
  return createHmac('sha256', key).update(identifier, 'utf8').digest()
}

/** Seconds until a locked identifier may try again, or null when it is not locked. */
export async function identifierLockedFor(ctx: SigraContext, key: Uint8Array, at: Date): Promise<number | null> {
  const row = await ctx.db.selectFrom('login_throttles').select('locked_until').where('key', '=', key).executeTakeFirst()
  if (!row?.locked_until || row.locked_until.getTime() <= at.getTime()) return null
  return Math.ceil((row.locked_until.getTime() - at.getTime()) / 1000)
}

/**
 * Counts one failed sign-in for an identifier no usable account answers to, with the account
 * lockout's rules (threshold, duration, re-armed after expiry), in one upsert so parallel failures
 * lose no count. Returns whether the identifier is locked now.
 */
export async function recordIdentifierFailure(ctx: SigraContext, trx: Trx, key: Uint8Array): Promise<{ locked: boolean }> {
  const at = ctx.config.clock()
  const { enabled, duration } = ctx.config.lockout
  const threshold = enabled ? ctx.config.lockout.threshold : 2_147_483_647
  const lockedUntil = new Date(at.getTime() + duration * 1000)
  const t = sql.table(`${ctx.config.schema}.login_throttles`)
  // `lt`: the existing row (the upsert's target, aliased).
  const expired = sql`(lt.locked_until IS NOT NULL AND lt.locked_until <= ${at})`
  const next = sql`(CASE WHEN ${expired} THEN 1 ELSE lt.failures + 1 END)`
  const { rows } = await sql<{ failures: number; locked_until: Date | null }>`
    INSERT INTO ${t} AS lt (key, failures, locked_until, updated_at)
    VALUES (${key}, 1, ${threshold <= 1 ? lockedUntil : null}::timestamptz, ${at})
    ON CONFLICT (key) DO UPDATE SET
      failures = ${next},
      locked_until = CASE WHEN ${next} >= ${threshold} AND (lt.locked_until IS NULL OR ${expired}) THEN ${lockedUntil}::timestamptz
                          WHEN ${expired} THEN NULL ELSE lt.locked_until END,
      updated_at = ${at}
    RETURNING failures, locked_until`.execute(trx)
  const row = rows[0]!
  return { locked: row.locked_until !== null && new Date(row.locked_until).getTime() > at.getTime() }
}
