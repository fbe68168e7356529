import { sql } from 'kysely'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Trx } from '../kernel/db/database.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { link } from './links.ts'

/**
 * Counts one wrong password in a single UPDATE under the row lock, so parallel failures cannot
 * lose a count and exactly one of them is the one that locks. An expired lock re-arms: the count
 * restarts at 1. Reaching the threshold sets `locked_until` (audited as `auth.lockout`, owner
 * notified, once per lock). Returns whether the account is locked after this failure (also true
 * for a parallel failure that lost the race to the one that locked it).
 */
export async function recordLoginFailure(
  ctx: SigraContext,
  trx: Trx,
  userId: string,
  meta: { ip?: string | null; userAgent?: string | null; reason: string },
): Promise<{ locked: boolean }> {
  const at = ctx.config.clock()
  const { enabled, duration } = ctx.config.lockout
  // With lockout off the count still grows (it is audited) but can never reach the threshold.
  const threshold = enabled ? ctx.config.lockout.threshold : 2_147_483_647
  const lockedUntil = new Date(at.getTime() + duration * 1000)
  // Read under the row lock (held until commit): whether the account was already locked decides
  // whether this failure is the one that locked it, even when parallel failures share a millisecond.
  const before = await trx.selectFrom('users').select('locked_until').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow()
  const wasLocked = before.locked_until !== null && before.locked_until.getTime() > at.getTime()
  const lockExpired = sql<boolean>`(locked_until IS NOT NULL AND locked_until <= ${at})`
  const nextCount = sql<number>`(CASE WHEN ${lockExpired} THEN 1 ELSE failed_login_attempts + 1 END)`
  const row = await trx
    .updateTable('users')
    .set({
      failed_login_attempts: nextCount,
      locked_until: sql`CASE WHEN ${nextCount} >= ${threshold} AND (locked_until IS NULL OR ${lockExpired}) THEN ${lockedUntil}::timestamptz
                             WHEN ${lockExpired} THEN NULL ELSE locked_until END`,
    })
    .where('id', '=', userId)
    .returning(['failed_login_attempts', 'locked_until', 'email'])
    .executeTakeFirstOrThrow()

  const justLocked = !wasLocked && row.locked_until !== null && row.locked_until.getTime() === lockedUntil.getTime()
  await writeAudit(ctx, trx, {
    action: 'auth.login.failure',
    outcome: 'failure',
    userId,
    actorId: null,
    actorType: 'user',
    ip: meta.ip,
    userAgent: meta.userAgent,
    metadata: { reason: meta.reason, attempts: row.failed_login_attempts },
  })
  if (justLocked) {
    await writeAudit(ctx, trx, {
      action: 'auth.lockout',
      outcome: 'failure',
      userId,
      actorId: null,
      actorType: 'system',
      ip: meta.ip,
      userAgent: meta.userAgent,
      metadata: { attempts: row.failed_login_attempts, locked_until: lockedUntil.toISOString() },
    })
    await enqueueMail(ctx, trx, {
      to: row.email,
      userId,
      template: 'accountLocked',
      data: { minutes: Math.round(duration / 60), resetUrl: link(ctx.config, 'reset-password') },
    })
  }
  return { locked: row.locked_until !== null && row.locked_until.getTime() > at.getTime() }
}
