import * as v from 'valibot'
import { recordLoginFailure } from '../auth/record-login-failure.ts'
import { auditDenied } from '../kernel/audit/audit-denied.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Executor, Trx } from '../kernel/db/database.ts'
import type { SessionRow } from '../kernel/db/tables/sessions.table.ts'
import { fail, type Failure } from '../kernel/result.ts'
import { PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { normalizePassword } from '../kernel/validation/password-policy.ts'
import { findUserById } from '../users/user-repository.ts'
import { toSession, type Session } from './session.ts'
import { resolveSession, sessionExpiry } from './validate-session.ts'
import { pendingSteps, refusalFor, type PendingStepError } from './sign-in-steps.ts'
import { toUser } from '../users/user.ts'

/**
 * The one sudo rule: a live, non-impersonated session whose `sudo_at` is younger than `sudoTtl`.
 * Pure, on a session object; `requireSudoSession` applies it to the stored row.
 */
export function isSudo(ctx: SigraContext, session: Pick<Session, 'sudoAt' | 'impersonatorId'> | null | undefined): boolean {
  if (!session?.sudoAt || session.impersonatorId) return false
  return ctx.config.clock().getTime() < new Date(session.sudoAt).getTime() + ctx.config.sessions.sudoTtl * 1000
}

/** Why a sudo-gated operation is refused: no fresh sudo, an impersonated session, or a pending sign-in step. */
export type SudoRefusal = 'sudo_required' | 'impersonated' | PendingStepError

export type SudoCheck = { ok: true; row: SessionRow } | { ok: false; error: SudoRefusal }

/**
 * Reads the session afresh (a caller's object may be stale) and answers it only if it belongs to
 * the user, is live, has passed every sign-in step, and is sudo-fresh. Every sudo-gated operation
 * goes through here. A session held at a step gets that step's code (`password_change_required`)
 * before any sudo question; `allowStep` admits the one step the operation completes.
 */
export async function requireSudoSession(
  ctx: SigraContext,
  db: Executor,
  userId: string,
  session: { id?: unknown } | null | undefined,
  options: { allowStep?: string; operation?: string } = {},
): Promise<SudoCheck> {
  const refuse = async (error: SudoRefusal): Promise<SudoCheck> => {
    // A refused action is audited (throttled per actor): who, what, why, from where.
    await auditDenied(ctx, db, { actorId: userId, resource: 'account', reason: error, ...(options.operation ? { operation: options.operation } : {}) })
    return fail(error)
  }
  const id = session?.id
  // The exact UUID shape: anything looser ('-' × 36) would reach PostgreSQL and throw instead of refusing.
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return refuse('sudo_required')
  const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
  if (!row || sessionExpiry(ctx, row, ctx.config.clock())) return refuse('sudo_required')
  const user = await findUserById(db, userId)
  if (!user) return fail('sudo_required')
  const step = pendingSteps(ctx.pipeline, row.pending_steps, toUser(user)).find((name) => name !== options.allowStep)
  if (step) return refuse(refusalFor(ctx.pipeline, step).error)
  // While an operator acts as this user, nothing sensitive happens in the user's name: the one place that says so.
  if (row.impersonator_id) return refuse('impersonated')
  return isSudo(ctx, { sudoAt: row.sudo_at, impersonatorId: row.impersonator_id }) ? { ok: true, row } : refuse('sudo_required')
}

const SudoInput = v.object({ password: PASSWORD_INPUT })

export type ConfirmSudoResult =
  | { ok: true; session: Session }
  | Failure<'invalid' | 'invalid_session' | 'invalid_credentials' | 'locked' | 'rate_limited' | 'impersonated' | 'no_password' | PendingStepError>

/**
 * Re-authenticates the session's user with their password and marks the session sudo-fresh.
 * Wrong passwords count toward the account lockout, as failed logins do. Impersonated sessions
 * can never become sudo.
 */
export async function confirmSudo(ctx: SigraContext, token: unknown, input: { password: unknown }): Promise<ConfirmSudoResult> {
  const parsed = parseInput(SudoInput, input)
  if (!parsed.ok) return parsed
  const current = await resolveSession(ctx, token)
  if (!current) return fail('invalid_session')
  const { session, user } = current
  // A session held at a sign-in step (a forced password change, a second factor) cannot become sudo.
  if (current.pending.length) {
    const error = refusalFor(ctx.pipeline, current.pending[0]!).error
    await auditDenied(ctx, ctx.db, { actorId: user.id, resource: 'session', reason: error, operation: 'session.sudo_enter', resourceId: session.id })
    return fail(error)
  }
  if (session.impersonatorId) return fail('impersonated')
  const limited = await ctx.limiter.consume('sudo', session.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  const row = await findUserById(ctx.db, user.id)
  if (!row?.hashed_password) return fail('no_password')
  const at = ctx.config.clock()
  if (row.locked_until && row.locked_until.getTime() > at.getTime()) {
    return fail('locked', { retryAfter: Math.ceil((row.locked_until.getTime() - at.getTime()) / 1000) })
  }
  if (!(await ctx.config.hasher.verify(row.hashed_password, normalizePassword(parsed.value.password)))) {
    const { locked } = await ctx.db.transaction().execute(async (trx) => {
      await writeAudit(ctx, trx, { action: 'session.sudo_failure', outcome: 'failure', userId: user.id, metadata: { session_id: session.id } })
      return recordLoginFailure(ctx, trx, user.id, { reason: 'sudo_wrong_password' })
    })
    return locked ? fail('locked', { retryAfter: ctx.config.lockout.duration }) : fail('invalid_credentials')
  }
  const updated = await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ failed_login_attempts: 0, locked_until: null }).where('id', '=', user.id).execute()
    return markSudo(ctx, trx, { sessionId: session.id, userId: user.id, method: 'password' })
  })
  return { ok: true, session: updated }
}

/**
 * Makes a session sudo-fresh inside the caller's transaction, after the caller checked a proof
 * (a password here; a TOTP code or a passkey in features), and audits `session.sudo_enter` with
 * the method. The one place `sudo_at` is written.
 */
export async function markSudo(ctx: SigraContext, trx: Trx, input: { sessionId: string; userId: string; method: string }): Promise<Session> {
  const row = await trx
    .updateTable('sessions')
    .set({ sudo_at: ctx.config.clock() })
    .where('id', '=', input.sessionId)
    .where('user_id', '=', input.userId)
    .returningAll()
    .executeTakeFirstOrThrow()
  await writeAudit(ctx, trx, { action: 'session.sudo_enter', userId: input.userId, metadata: { session_id: input.sessionId, method: input.method } })
  return toSession(row, ctx.config.sessions.idleTimeout)
}
