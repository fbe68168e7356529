import { link } from '../../auth/links.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import { parseInput, PASSWORD_INPUT } from '../../kernel/validation/parse-input.ts'
import { checkPassword, normalizePassword } from '../../kernel/validation/password-policy.ts'
import { revokeAllSessionsIn } from '../../sessions/manage-sessions.ts'
import { newPasswordColumns } from '../../users/new-password-columns.ts'
import { toUser, type User } from '../../users/user.ts'
import * as v from 'valibot'
import { adminDb, type AdminContext } from './admin-context.ts'
import { authorise, SYSTEM_ACTOR, type Actor } from './authority.ts'
import { isOwner, otherActiveOwners } from './last-owner.ts'
import { canonicalRole, knownRole, roleRank, rolesOf } from './roles.ts'
import './augment.ts'

type Target = Pick<User, 'id'>
export type AdminFailure = 'forbidden' | 'not_found' | 'last_owner' | 'invalid'

const actorIdOf = (actor: Actor) => (actor === SYSTEM_ACTOR ? null : actor.id)

/**
 * Gives the target exactly this role (`user` removes every role). The actor must outrank the target
 * and the role (only an Owner grants Owner); the last active Owner cannot lose the role. Role names
 * are canonicalised first (`" OWNER"` is `owner`); an unknown name is `invalid`.
 */
export async function setRole(ctx: AdminContext, actor: Actor, target: Target, role: unknown): Promise<{ ok: true; roles: string[] } | Failure<AdminFailure>> {
  const name = canonicalRole(role)
  if (!name || !knownRole(ctx, name)) return invalid([{ field: 'role', code: 'unknown_role', message: 'No such role.' }])
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; roles: string[] } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'roles:assign', operation: 'admin.role_change', target })
    if (!auth.ok) return auth
    const { actor: by, target: who } = auth.value
    if (by && roleRank(ctx, name) >= by.rank && !(name === 'owner' && by.roles.includes('owner'))) return fail('forbidden')
    const before = who!.roles
    if (before.includes('owner') && name !== 'owner' && (await otherActiveOwners(trx, ctx.config.schema, who!.id)) === 0) return fail('last_owner')
    await adminDb(trx).deleteFrom('admin_role_assignments').where('user_id', '=', who!.id).execute()
    if (name !== 'user') await adminDb(trx).insertInto('admin_role_assignments').values({ user_id: who!.id, role: name, assigned_by: by?.id ?? null, assigned_at: ctx.config.clock() }).execute()
    const after = await rolesOf(ctx, trx, who!.id)
    // A role change ends any impersonation the account is running: it was allowed by the old rank.
    await trx.deleteFrom('sessions').where('impersonator_id', '=', who!.id).execute()
    await writeAudit(ctx, trx, { action: 'admin.role_change', userId: who!.id, actorId: actorIdOf(actor), actorType: by ? 'admin' : 'system', metadata: { before, after } })
    return { ok: true, roles: after }
  })
}

const STATUSES = ['active', 'suspended', 'banned'] as const
export type AdminStatus = (typeof STATUSES)[number]

/**
 * Active, suspended (for now) or banned (for good). Never one's own; never an equal or higher rank;
 * never the last active Owner. Suspending or banning ends every session at once (and with them
 * refresh tokens and trusted devices); API tokens stop at their next use (they read the account).
 */
export async function setStatus(ctx: AdminContext, actor: Actor, target: Target, status: unknown): Promise<{ ok: true; user: User } | Failure<AdminFailure>> {
  if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) return invalid([{ field: 'status', code: 'invalid', message: 'Status is active, suspended or banned.' }])
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; user: User } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.status_change', target, notSelf: true })
    if (!auth.ok) return auth
    const who = auth.value.target!
    if (status !== 'active' && (await isOwner(trx, who.id)) && (await otherActiveOwners(trx, ctx.config.schema, who.id)) === 0) return fail('last_owner')
    const updated = await trx.updateTable('users').set({ status: status as AdminStatus, updated_at: ctx.config.clock() }).where('id', '=', who.id).returningAll().executeTakeFirstOrThrow()
    if (status !== 'active') await revokeAllSessionsIn(ctx, trx, who.id, { reason: status, actorId: actorIdOf(actor) })
    await writeAudit(ctx, trx, { action: 'admin.status_change', userId: who.id, actorId: actorIdOf(actor), actorType: auth.value.actor ? 'admin' : 'system', metadata: { from: who.status, to: status } })
    return { ok: true, user: toUser(updated) }
  })
}

const PasswordInput = v.object({ password: PASSWORD_INPUT, mustChange: v.optional(v.boolean()) })

/**
 * Sets a password without the current one (the policy still applies), ends every session of the
 * target, and optionally requires a change at the next sign-in. Not for one's own account (use the
 * account's own flows, which ask for the current password).
 */
export async function setPassword(ctx: AdminContext, actor: Actor, target: Target, input: { password: unknown; mustChange?: unknown }): Promise<{ ok: true; user: User } | Failure<AdminFailure>> {
  const parsed = parseInput(PasswordInput, input)
  if (!parsed.ok) return parsed
  // The policy needs the account's address and username (context words); authorisation comes below.
  const targetId = typeof target?.id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(target.id) ? target.id : null
  const row = targetId ? await ctx.db.selectFrom('users').select(['email', 'username']).where('id', '=', targetId).executeTakeFirst() : undefined
  const issues = checkPassword(parsed.value.password, ctx.config.password, { email: row?.email ?? null, username: row?.username ?? null, appName: ctx.config.appName })
  if (issues.length) return invalid(issues)
  const hashed = await ctx.config.hasher.hash(normalizePassword(parsed.value.password))
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; user: User } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.password_set', target, notSelf: true })
    if (!auth.ok) return auth
    const who = auth.value.target!
    const at = ctx.config.clock()
    const updated = await trx
      .updateTable('users')
      .set((eb) => ({ ...newPasswordColumns(eb, hashed, at), must_change_password: parsed.value.mustChange === true }))
      .where('id', '=', who.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx.deleteFrom('user_tokens').where('user_id', '=', who.id).where('context', '=', 'reset_password').execute()
    await revokeAllSessionsIn(ctx, trx, who.id, { reason: 'admin_password_set', actorId: actorIdOf(actor) })
    await enqueueMail(ctx, trx, { to: who.email, userId: who.id, template: 'passwordChanged', data: { resetUrl: link(ctx.config, 'reset-password'), source: 'admin' } })
    const user = toUser(updated)
    await writeAudit(ctx, trx, { action: 'admin.password_set', userId: who.id, actorId: actorIdOf(actor), actorType: auth.value.actor ? 'admin' : 'system', metadata: { must_change: user.mustChangePassword } })
    await ctx.events.emit(trx, 'passwordChanged', { user, source: 'admin' }, ctx.request)
    return { ok: true, user }
  })
}

async function setConfirmed(ctx: AdminContext, actor: Actor, target: Target, confirmed: boolean): Promise<{ ok: true; user: User } | Failure<AdminFailure>> {
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; user: User } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: confirmed ? 'admin.confirm' : 'admin.unconfirm', target, notSelf: true })
    if (!auth.ok) return auth
    const at = ctx.config.clock()
    const updated = await trx
      .updateTable('users')
      .set((eb) => ({ confirmed_at: confirmed ? eb.fn.coalesce('confirmed_at', eb.val(at)) : null, updated_at: at }))
      .where('id', '=', auth.value.target!.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await writeAudit(ctx, trx, { action: confirmed ? 'admin.confirm' : 'admin.unconfirm', userId: updated.id, actorId: actorIdOf(actor), actorType: auth.value.actor ? 'admin' : 'system' })
    return { ok: true, user: toUser(updated) }
  })
}

/** Marks the address confirmed, as if the link had been opened. */
export const confirm = (ctx: AdminContext, actor: Actor, target: Target) => setConfirmed(ctx, actor, target, true)
/** Marks the address unconfirmed (with `requireConfirmation`, the account cannot sign in until it confirms again). */
export const unconfirm = (ctx: AdminContext, actor: Actor, target: Target) => setConfirmed(ctx, actor, target, false)

/** Requires a password change at the target's next step: every session of theirs is held at it (see the sign-in pipeline). */
export async function forcePasswordChange(ctx: AdminContext, actor: Actor, target: Target): Promise<{ ok: true } | Failure<AdminFailure>> {
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.password_change_required', target, notSelf: true })
    if (!auth.ok) return auth
    await trx.updateTable('users').set({ must_change_password: true, updated_at: ctx.config.clock() }).where('id', '=', auth.value.target!.id).execute()
    await writeAudit(ctx, trx, { action: 'admin.password_change_required', userId: auth.value.target!.id, actorId: actorIdOf(actor), actorType: auth.value.actor ? 'admin' : 'system' })
    return { ok: true as const }
  })
}

/** Ends every session of the target (they sign in again). */
export async function revokeSessions(ctx: AdminContext, actor: Actor, target: Target): Promise<{ ok: true; count: number } | Failure<AdminFailure>> {
  return ctx.db.transaction().execute(async (trx): Promise<{ ok: true; count: number } | Failure<AdminFailure>> => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.sessions_revoke', target, notSelf: true })
    if (!auth.ok) return auth
    const count = await revokeAllSessionsIn(ctx, trx, auth.value.target!.id, { reason: 'admin', actorId: actorIdOf(actor) })
    await writeAudit(ctx, trx, { action: 'admin.sessions_revoke', userId: auth.value.target!.id, actorId: actorIdOf(actor), actorType: auth.value.actor ? 'admin' : 'system', metadata: { count } })
    return { ok: true as const, count }
  })
}

/** Removes the target's MFA (lost device), through the MFA feature's `reset`; `not_found` when MFA is not enabled here. */
export async function resetMfa(ctx: AdminContext, actor: Actor, target: Target): Promise<{ ok: true } | Failure<AdminFailure>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:update', operation: 'admin.mfa_reset', target, notSelf: true })
  if (!auth.ok) return auth
  const mfa = ctx.admin.feature<{ reset(user: Target, options: { actor?: { id: string } | null }): Promise<{ ok: boolean }> }>('mfa')
  if (!mfa) return fail('not_found')
  const result = await mfa.reset(auth.value.target!, { actor: auth.value.actor ? { id: auth.value.actor.id } : null })
  return result.ok ? { ok: true } : fail('not_found')
}

/**
 * The same change on several users (status or role), each checked by the rank rule on its own:
 * one refusal does not stop the others. Answers per user.
 */
export async function bulkUpdate(
  ctx: AdminContext,
  actor: Actor,
  targets: readonly Target[],
  change: { status?: unknown; role?: unknown },
): Promise<{ ok: true; results: Array<{ id: string; ok: boolean; error?: string }> } | Failure<'invalid' | 'forbidden'>> {
  if (!Array.isArray(targets) || targets.length > 500) return invalid([{ field: 'targets', code: 'invalid', message: 'Up to 500 users at once.' }])
  if (change.status === undefined && change.role === undefined) return invalid([{ field: 'change', code: 'required', message: 'Say what to change.' }])
  // Someone who may change nobody is refused outright (one record), not once per user.
  const may = await authorise(ctx, ctx.db, actor, { permission: change.role === undefined ? 'users:update' : 'roles:assign', operation: 'admin.bulk_update' })
  if (!may.ok) return fail('forbidden')
  const results: Array<{ id: string; ok: boolean; error?: string }> = []
  for (const target of targets) {
    const id = String(target?.id ?? '')
    const statusResult = change.status === undefined ? { ok: true as const } : await setStatus(ctx, actor, target, change.status)
    const roleResult = !statusResult.ok || change.role === undefined ? statusResult : await setRole(ctx, actor, target, change.role)
    results.push(roleResult.ok ? { id, ok: true } : { id, ok: false, error: roleResult.error })
  }
  return { ok: true, results }
}
