import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { DeletionStrategy } from '../kernel/config.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Trx } from '../kernel/db/database.ts'
import type { UserRow } from '../kernel/db/tables/users.table.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, vetoable, type Failure } from '../kernel/result.ts'
import { toUser, type User } from '../users/user.ts'
import { isDeletionScheduled, lockLiveUser } from './account-guards.ts'

export type ExecuteDeletionResult = { ok: true; strategy: DeletionStrategy } | Failure<'not_scheduled' | 'not_found' | 'vetoed'>

/**
 * Applies the deletion strategy to a scheduled account (the sweep calls it when due; an operator
 * may call it earlier, or, with `immediately`, on an account that was never scheduled). Everything happens in one transaction with the row locked:
 * the `beforeDelete` hook and `userDeleting` subscribers run first (an error aborts it all),
 * a final notice is queued to the address, the audit row is written, then:
 * - every strategy removes credentials: password hash, sessions, email tokens (and through
 *   `userDeleting`, later capabilities' MFA, passkeys, identities, API tokens);
 * - `hard_delete` deletes the row (cascading to what references it);
 * - `soft_delete` keeps the row and its PII with `deleted_at`/`status='deleted'` (login impossible);
 * - `anonymize` keeps the row for referential integrity but replaces the email with a unique
 *   non-routable address and clears username, custom fields and timestamps that profile the person.
 * Audit history stays; see `scrubAuditPii` for what each strategy removes from it.
 */
export async function executeDeletion(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  options: { strategy?: DeletionStrategy; actorId?: string | null; immediately?: boolean } = {},
): Promise<ExecuteDeletionResult> {
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ExecuteDeletionResult> => {
      const row = await lockLiveUser(trx, user)
      if (!row) return fail('not_found')
      // `immediately`: an operator's deletion (the admin feature authorises it), with no grace period.
      if (!isDeletionScheduled(row) && options.immediately !== true) return fail('not_scheduled')
      const strategy = options.strategy ?? ctx.config.deletion.strategy
      await executeLocked(ctx, trx, row, strategy, options.actorId === undefined ? row.id : options.actorId)
      return { ok: true, strategy }
    }),
  )
}

/** The body of a deletion, for a row the caller has locked and checked. */
export async function executeLocked(ctx: SigraContext, trx: Trx, row: UserRow, strategy: DeletionStrategy, actorId: string | null): Promise<void> {
  const at = ctx.config.clock()
  await ctx.events.emit(trx, 'userDeleting', { user: toUser(row), strategy }, ctx.request)
  // Queued while the address is still known; the outbox forgets it when retention runs.
  await enqueueMail(ctx, trx, { to: row.email, userId: null, template: 'accountDeleted', data: {} })
  await writeAudit(ctx, trx, {
    action: 'account.deletion_execute',
    userId: row.id,
    actorId,
    actorType: actorId === null ? 'system' : actorId === row.id ? 'user' : 'admin',
    metadata: { strategy, scheduled_for: row.delete_at?.toISOString() ?? null },
  })
  await trx.deleteFrom('sessions').where('user_id', '=', row.id).execute()
  await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).execute()
  // Mail still waiting for this user (bodies name them) goes; the final notice above has no user_id.
  await trx.deleteFrom('mail_outbox').where('user_id', '=', row.id).execute()

  if (strategy === 'hard_delete') {
    await trx.deleteFrom('users').where('id', '=', row.id).execute()
  } else if (strategy === 'soft_delete') {
    await trx
      .updateTable('users')
      .set({ status: 'deleted', deleted_at: at, hashed_password: null, pending_email: null, pending_email_expires_at: null, locked_until: null, updated_at: at })
      .where('id', '=', row.id)
      .execute()
  } else {
    await trx
      .updateTable('users')
      .set({
        status: 'deleted',
        deleted_at: at,
        email: `deleted-${row.id}@deleted.invalid`,
        pending_email: null,
        pending_email_expires_at: null,
        username: null,
        hashed_password: null,
        custom_fields: '{}',
        confirmed_at: null,
        last_login_at: null,
        password_changed_at: null,
        locked_until: null,
        failed_login_attempts: 0,
        updated_at: at,
      })
      .where('id', '=', row.id)
      .execute()
  }
  await scrubAuditPii(trx, row.id, strategy)
}

/**
 * What the audit log keeps: every row keeps action, outcome, time and the (opaque) user id, so the
 * history of what happened stays. `anonymize` and `hard_delete` clear the IP address and user agent
 * of every row about the user (those identify a person); `soft_delete` keeps the log untouched, as it
 * keeps the account's PII. Sigra never writes email addresses or names into audit metadata.
 */
async function scrubAuditPii(trx: Trx, userId: string, strategy: DeletionStrategy): Promise<void> {
  if (strategy === 'soft_delete') return
  await trx.updateTable('audit_events').set({ ip: null, user_agent: null }).where('user_id', '=', userId).execute()
}

export interface DeletionSweepReport {
  deleted: number
  failed: number
}

/**
 * Executes due deletions, one transaction per account. `FOR UPDATE SKIP LOCKED` lets several
 * workers share the queue without deleting anyone twice; the due condition is re-read under the
 * lock, so an account whose deletion was cancelled a moment before is skipped. A hook that throws
 * leaves that account scheduled (audited as `account.deletion_failure`) and the sweep goes on.
 */
export async function executeDueDeletions(ctx: SigraContext, options: { limit?: number } = {}): Promise<DeletionSweepReport> {
  const report: DeletionSweepReport = { deleted: 0, failed: 0 }
  const failedIds: string[] = []
  for (let i = 0; i < (options.limit ?? 100); i++) {
    const at = ctx.config.clock()
    let attempted: string | null = null
    try {
      const done = await ctx.db.transaction().execute(async (trx) => {
        let query = trx
          .selectFrom('users')
          .selectAll()
          .where('delete_at', '<=', at)
          .where('deleted_at', 'is', null)
          .orderBy('delete_at')
          .limit(1)
          .forUpdate()
          .skipLocked()
        if (failedIds.length) query = query.where('id', 'not in', failedIds)
        const row = await query.executeTakeFirst()
        if (!row) return false
        attempted = row.id
        await executeLocked(ctx, trx, row, ctx.config.deletion.strategy, null)
        return true
      })
      if (!done) break
      report.deleted++
    } catch (error) {
      if (!attempted) throw error
      failedIds.push(attempted)
      report.failed++
      await writeAudit(ctx, ctx.db, {
        action: 'account.deletion_failure',
        outcome: 'failure',
        userId: attempted,
        actorId: null,
        actorType: 'system',
        metadata: { error: (error instanceof Error ? error.message : String(error)).slice(0, 300) },
      })
    }
  }
  return report
}
