import { link } from '../auth/links.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, vetoable, type Failure } from '../kernel/result.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import type { Session } from '../sessions/session.ts'
import { requireSudoSession } from '../sessions/sudo.ts'
import { findUserById } from '../users/user-repository.ts'
import { toUser, type User } from '../users/user.ts'
import { isDeletionDue, isDeletionScheduled, liveUser, lockLiveUser } from './account-guards.ts'
import type { PendingStepError } from '../sessions/sign-in-steps.ts'

const DAY = 86_400_000

export type ScheduleDeletionResult =
  | { ok: true; user: User; deleteAt: Date }
  | Failure<'sudo_required' | 'impersonated' | 'already_scheduled' | 'not_found' | 'vetoed' | PendingStepError>

/**
 * Starts the grace period (default 14 days). In one transaction: the schedule, a pending email
 * change and every email token dropped, every session revoked, `epoch` bumped, the
 * `deletionScheduled` event (capabilities revoke API tokens, refresh tokens and trusted devices
 * there), a mail with the date and how to cancel (log in and cancel), and the audit row.
 */
export async function scheduleDeletion(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<ScheduleDeletionResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'account.deletion_schedule' })
  if (!check.ok) return fail(check.error)
  const session = check.row
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ScheduleDeletionResult> => {
      const locked = await lockLiveUser(trx, row)
      if (!locked) return fail('not_found')
      if (isDeletionScheduled(locked)) return fail('already_scheduled')
      const at = ctx.config.clock()
      const deleteAt = new Date(at.getTime() + ctx.config.deletion.graceDays * DAY)
      const updated = await trx
        .updateTable('users')
        .set((eb) => ({
          deletion_requested_at: at,
          delete_at: deleteAt,
          pending_email: null,
          pending_email_expires_at: null,
          epoch: eb('epoch', '+', 1),
          updated_at: at,
        }))
        .where('id', '=', locked.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await trx.deleteFrom('user_tokens').where('user_id', '=', locked.id).execute()
      await revokeAllSessionsIn(ctx, trx, locked.id, { reason: 'deletion_scheduled' })
      const scheduled = toUser(updated)
      await ctx.events.emit(trx, 'deletionScheduled', { user: scheduled, deleteAt }, ctx.request)
      await enqueueMail(ctx, trx, { to: locked.email, userId: locked.id, template: 'deletionScheduled', data: { deleteAt, loginUrl: link(ctx.config, 'log-in') } })
      await writeAudit(ctx, trx, {
        action: 'account.deletion_schedule',
        userId: locked.id,
        ip: session.ip,
        userAgent: session.user_agent,
        metadata: { delete_at: deleteAt.toISOString(), grace_days: ctx.config.deletion.graceDays },
      })
      return { ok: true, user: scheduled, deleteAt }
    }),
  )
}

export type CancelDeletionResult = { ok: true; user: User } | Failure<'not_scheduled' | 'not_found'>

/**
 * Reactivates an account in its grace period. Takes the row lock the sweep takes, so a cancel that
 * commits first is never followed by the deletion (the sweep re-reads the row under its lock).
 */
export async function cancelDeletion(ctx: SigraContext, user: Pick<User, 'id'>): Promise<CancelDeletionResult> {
  return ctx.db.transaction().execute(async (trx): Promise<CancelDeletionResult> => {
    const row = await lockLiveUser(trx, user)
    const at = ctx.config.clock()
    // Past the deadline the account is due: as good as deleted, whether or not the sweep has run.
    if (!row || isDeletionDue(row, at)) return fail('not_found')
    if (!isDeletionScheduled(row)) return fail('not_scheduled')
    const updated = await trx
      .updateTable('users')
      .set({ deletion_requested_at: null, delete_at: null, updated_at: at })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const reactivated = toUser(updated)
    await ctx.events.emit(trx, 'deletionCancelled', { user: reactivated }, ctx.request)
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'deletionCancelled', data: {} })
    await writeAudit(ctx, trx, { action: 'account.deletion_cancel', userId: row.id })
    return { ok: true, user: reactivated }
  })
}

export type DeletionStatus = { state: 'scheduled'; daysRemaining: number; deleteAt: Date } | { state: 'not_scheduled' } | { state: 'deleted' }

/** Read afresh. `daysRemaining` counts started days: 14 right after scheduling, 1 on the last day, 0 when due. */
export async function deletionStatus(ctx: SigraContext, user: Pick<User, 'id'>): Promise<DeletionStatus> {
  const id = user?.id
  const row = typeof id === 'string' ? await findUserById(ctx.db, id).catch(() => undefined) : undefined
  // A held user whose row is gone was hard-deleted.
  if (!row || row.deleted_at !== null) return { state: 'deleted' }
  if (!row.delete_at) return { state: 'not_scheduled' }
  const remaining = Math.max(0, Math.ceil((row.delete_at.getTime() - ctx.config.clock().getTime()) / DAY))
  return { state: 'scheduled', daysRemaining: remaining, deleteAt: row.delete_at }
}

export async function deletionScheduled(ctx: SigraContext, user: Pick<User, 'id'>): Promise<boolean> {
  return (await deletionStatus(ctx, user)).state === 'scheduled'
}
