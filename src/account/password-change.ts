import * as v from 'valibot'
import { link } from '../auth/links.ts'
import { recordLoginFailure } from '../auth/record-login-failure.ts'
import { auditDenied } from '../kernel/audit/audit-denied.ts'
import { writeAudit } from '../kernel/audit/audit-log.ts'
import type { SigraContext } from '../kernel/context.ts'
import type { Trx } from '../kernel/db/database.ts'
import type { UserRow } from '../kernel/db/tables/users.table.ts'
import { enqueueMail } from '../kernel/mail/outbox.ts'
import { fail, invalid, vetoable, type Failure } from '../kernel/result.ts'
import { PASSWORD_INPUT, parseInput } from '../kernel/validation/parse-input.ts'
import { checkPassword, normalizePassword } from '../kernel/validation/password-policy.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import type { Session } from '../sessions/session.ts'
import { requireSudoSession } from '../sessions/sudo.ts'
import { toUser, type User } from '../users/user.ts'
import { isDeletionScheduled, liveUser, lockLiveUser } from './account-guards.ts'
import { newPasswordColumns } from '../users/new-password-columns.ts'
import type { PendingStepError } from '../sessions/sign-in-steps.ts'

const ChangeInput = v.object({ current: PASSWORD_INPUT, password: PASSWORD_INPUT })

export type ChangePasswordResult =
  | { ok: true; user: User }
  | Failure<'invalid' | 'invalid_current_password' | 'locked' | 'no_password' | 'not_found' | 'deletion_scheduled' | 'vetoed' | 'impersonated'>

/**
 * Changes the password after verifying the current one (a wrong one counts like a failed login).
 * The given session survives, every other one is revoked, `epoch` is bumped, the user is told by
 * mail. API tokens survive on purpose (CI keys keep working); revoke them separately if wanted.
 */
export async function changePassword(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  currentPassword: unknown,
  input: { password: unknown },
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<ChangePasswordResult> {
  const parsed = parseInput(ChangeInput, { current: currentPassword, password: input?.password })
  if (!parsed.ok) return parsed
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  if (await impersonatedSession(ctx, options.session)) {
    await auditDenied(ctx, ctx.db, { actorId: row.id, resource: 'account', reason: 'impersonated', operation: 'account.password_change' })
    return fail('impersonated')
  }
  if (isDeletionScheduled(row)) return fail('deletion_scheduled')
  if (!row.hashed_password) return fail('no_password')
  const at = ctx.config.clock()
  if (row.locked_until && row.locked_until.getTime() > at.getTime()) {
    return fail('locked', { retryAfter: Math.ceil((row.locked_until.getTime() - at.getTime()) / 1000) })
  }
  const current = normalizePassword(parsed.value.current)
  if (!(await ctx.config.hasher.verify(row.hashed_password, current))) {
    const { locked } = await ctx.db.transaction().execute((trx) => recordLoginFailure(ctx, trx, row.id, { reason: 'wrong_current_password' }))
    return locked ? fail('locked', { retryAfter: ctx.config.lockout.duration }) : fail('invalid_current_password')
  }
  const issues = checkPassword(parsed.value.password, ctx.config.password, { email: row.email, username: row.username, appName: ctx.config.appName })
  if (issues.length) return invalid(issues)
  const next = normalizePassword(parsed.value.password)
  if (next === current) return invalid([{ field: 'password', code: 'same_as_current', message: 'Choose a password different from the current one.' }])
  const hashed = await ctx.config.hasher.hash(next)

  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<ChangePasswordResult> => {
      const locked = await lockLiveUser(trx, row)
      if (!locked) return fail('not_found')
      const user = await storePassword(ctx, trx, locked, hashed, { source: 'change', keepSession: options.session?.id ?? null })
      return { ok: true, user }
    }),
  )
}

export type SetPasswordResult =
  | { ok: true; user: User }
  | Failure<'invalid' | 'sudo_required' | 'impersonated' | 'password_already_set' | 'not_found' | 'deletion_scheduled' | 'vetoed' | PendingStepError>

/** Adds a password to an account that has none (OAuth-only). Needs a sudo-fresh session. */
export async function setPassword(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  input: { password: unknown },
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<SetPasswordResult> {
  const parsed = parseInput(v.object({ password: PASSWORD_INPUT }), { password: input?.password })
  if (!parsed.ok) return parsed
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  if (isDeletionScheduled(row)) return fail('deletion_scheduled')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { allowStep: 'password_change', operation: 'account.password_set' })
  if (!check.ok) return fail(check.error)
  if (row.hashed_password) return fail('password_already_set')
  const issues = checkPassword(parsed.value.password, ctx.config.password, { email: row.email, username: row.username, appName: ctx.config.appName })
  if (issues.length) return invalid(issues)
  const hashed = await ctx.config.hasher.hash(normalizePassword(parsed.value.password))

  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<SetPasswordResult> => {
      const locked = await lockLiveUser(trx, row)
      if (!locked) return fail('not_found')
      if (locked.hashed_password) return fail('password_already_set')
      const user = await storePassword(ctx, trx, locked, hashed, { source: 'set', keepSession: options.session?.id ?? null })
      return { ok: true, user }
    }),
  )
}

/** The shared tail of change and set: one transaction, one audit row, one mail, one event. */
async function storePassword(
  ctx: SigraContext,
  trx: Trx,
  row: UserRow,
  hashed: string,
  options: { source: 'change' | 'set'; keepSession: string | null },
): Promise<User> {
  const at = ctx.config.clock()
  const updated = await trx
    .updateTable('users')
    .set((eb) => newPasswordColumns(eb, hashed, at))
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('context', '=', 'reset_password').execute()
  await revokeAllSessionsIn(ctx, trx, row.id, { except: options.keepSession, reason: `password_${options.source}` })
  await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'passwordChanged', data: { resetUrl: link(ctx.config, 'reset-password'), source: options.source } })
  const user = toUser(updated)
  await writeAudit(ctx, trx, {
    action: 'account.password_change',
    userId: user.id,
    metadata: { forced: row.must_change_password, ...(options.source === 'set' ? { source: 'set' } : {}) },
  })
  await ctx.events.emit(trx, 'passwordChanged', { user, source: options.source }, ctx.request)
  return user
}

type Actor = { actorId?: string | null }

/** Admin API: the user must choose a new password before doing anything else. */
export async function requirePasswordChange(ctx: SigraContext, user: Pick<User, 'id'>, options: Actor = {}): Promise<{ ok: true; user: User } | Failure<'not_found'>> {
  return setRequirement(ctx, user, true, options)
}

/** Clears the requirement; the update and its `account.password_change` (forced) row share one transaction. */
export async function clearPasswordChangeRequirement(ctx: SigraContext, user: Pick<User, 'id'>, options: Actor = {}): Promise<{ ok: true; user: User } | Failure<'not_found'>> {
  return setRequirement(ctx, user, false, options)
}

async function setRequirement(ctx: SigraContext, user: Pick<User, 'id'>, required: boolean, options: Actor) {
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; user: User } | Failure<'not_found'>> => {
    const row = await lockLiveUser(trx, user)
    if (!row) return fail('not_found')
    // Already satisfied (changePassword clears it and audits `forced: true` itself): no duplicate row.
    if (!required && !row.must_change_password) return { ok: true, user: toUser(row) }
    const updated = await trx
      .updateTable('users')
      .set({ must_change_password: required, updated_at: ctx.config.clock() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const actor = options.actorId === undefined ? {} : { actorId: options.actorId, actorType: options.actorId === null ? ('system' as const) : ('admin' as const) }
    await writeAudit(ctx, trx, required
      ? { action: 'account.password_change_required', userId: row.id, ...actor }
      : { action: 'account.password_change', userId: row.id, ...actor, metadata: { forced: true } })
    return { ok: true, user: toUser(updated) }
  })
}

/** Reads the flag afresh (a held user object may be stale). */
export async function mustChangePassword(ctx: SigraContext, user: Pick<User, 'id'>): Promise<boolean> {
  return (await liveUser(ctx.db, user))?.must_change_password ?? false
}

/** Whether the given session is an operator acting as the user (nothing sensitive happens in the user's name then). */
async function impersonatedSession(ctx: SigraContext, session: { id?: unknown } | null | undefined): Promise<boolean> {
  const id = session?.id
  if (typeof id !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false
  const row = await ctx.db.selectFrom('sessions').select('impersonator_id').where('id', '=', id).executeTakeFirst()
  return row?.impersonator_id != null
}
