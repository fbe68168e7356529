import { liveUser } from '../../account/account-guards.ts'
import { link } from '../../auth/links.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'
import { requireSudoSession } from '../../sessions/sudo.ts'
import { toUser, type User } from '../../users/user.ts'
import { remainingBackupCodes, replaceBackupCodes } from './backup-codes.ts'
import { mfaDb, type MfaContext } from './mfa-context.ts'
import { checkSecondFactor, readProof } from './second-factor.ts'
import { forgetTrustedDevices, listTrustedDevices, type TrustedDevice } from './trusted-devices.ts'
import './augment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface MfaStatus {
  enabled: boolean
  enabledAt: Date | null
  backupCodesRemaining: number
  /** Whether the policy requires MFA for this user. */
  required: boolean
}

/** Whether MFA is on, since when, and how many backup codes remain. Never a secret. */
export async function status(ctx: MfaContext, user: Pick<User, 'id'>): Promise<MfaStatus> {
  const row = await liveUser(ctx.db, user)
  if (!row) return { enabled: false, enabledAt: null, backupCodesRemaining: 0, required: false }
  const totp = await mfaDb(ctx.db).selectFrom('mfa_totp').select('confirmed_at').where('user_id', '=', row.id).executeTakeFirst()
  const enabledAt = totp?.confirmed_at ?? null
  return { enabled: enabledAt !== null, enabledAt, backupCodesRemaining: enabledAt ? await remainingBackupCodes(ctx.db, row.id) : 0, required: ctx.mfa.required(toUser(row)) }
}

export type RegenerateResult = { ok: true; backupCodes: string[] } | Failure<'sudo_required' | 'impersonated' | 'not_enabled' | 'not_found' | PendingStepError>

/** A new set of ten backup codes (sudo); the old set stops working; the user is mailed. */
export async function regenerateBackupCodes(ctx: MfaContext, user: Pick<User, 'id'>, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<RegenerateResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'mfa.backup_codes_regenerate' })
  if (!check.ok) return fail(check.error)
  return ctx.db.transaction().execute(async (trx): Promise<RegenerateResult> => {
    const totp = await mfaDb(trx).selectFrom('mfa_totp').select('confirmed_at').where('user_id', '=', row.id).forUpdate().executeTakeFirst()
    if (!totp?.confirmed_at) return fail('not_enabled')
    const backupCodes = await replaceBackupCodes(ctx, trx, row.id)
    await writeAudit(ctx, trx, { action: 'mfa.backup_codes_regenerate', userId: row.id })
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'mfaBackupCodesRegenerated', data: { settingsUrl: link(ctx.config, 'settings') } })
    return { ok: true, backupCodes }
  })
}

/** Removes every MFA credential of a user inside `trx`: TOTP, backup codes, trusted devices. */
async function removeAll(trx: Trx, userId: string): Promise<void> {
  await mfaDb(trx).deleteFrom('mfa_totp').where('user_id', '=', userId).execute()
  await mfaDb(trx).deleteFrom('mfa_backup_codes').where('user_id', '=', userId).execute()
  await forgetTrustedDevices(trx, userId)
}

export type DisableResult =
  | { ok: true }
  | Failure<'invalid' | 'invalid_code' | 'locked' | 'sudo_required' | 'impersonated' | 'not_enabled' | 'not_found' | 'required_by_policy' | PendingStepError>

/**
 * Turns MFA off: needs a sudo-fresh session and a current code (or a backup code), so a stolen
 * session alone cannot remove the second factor. Refused while the policy requires MFA.
 */
export async function disable(ctx: MfaContext, user: Pick<User, 'id'>, proofInput: unknown, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<DisableResult> {
  const proof = readProof(proofInput)
  if (!proof) return fail('invalid', { issues: [{ field: 'code', code: 'required', message: 'Enter the code from your app, or a backup code.' }] })
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const check = await requireSudoSession(ctx, ctx.db, row.id, options.session, { operation: 'mfa.disable' })
  if (!check.ok) return fail(check.error)
  if (ctx.mfa.required(toUser(row))) return fail('required_by_policy')
  return ctx.db.transaction().execute(async (trx): Promise<DisableResult> => {
    const proven = await checkSecondFactor(ctx, trx, toUser(row), proof, 'disable')
    if (!proven.ok) return proven
    await removeAll(trx, row.id)
    await writeAudit(ctx, trx, { action: 'mfa.disable', userId: row.id })
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'mfaDisabled', data: { settingsUrl: link(ctx.config, 'settings'), byAdmin: false } })
    await ctx.events.emit(trx, 'mfaDisabled', { user: toUser(row), by: 'user' }, ctx.request)
    return { ok: true }
  })
}

/**
 * An administrator's reset (a user who lost their device): every MFA credential removed, audited
 * with the actor, the user mailed. Authorising the actor is the caller's job (the admin feature's
 * rank rule); no sudo of the user's is involved.
 */
export async function reset(ctx: MfaContext, user: Pick<User, 'id'>, options: { actor?: { id: string } | string | null } = {}): Promise<{ ok: true } | Failure<'not_found'>> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const actorId = typeof options.actor === 'string' ? options.actor : (options.actor?.id ?? null)
  return ctx.db.transaction().execute(async (trx) => {
    await removeAll(trx, row.id)
    await writeAudit(ctx, trx, { action: 'mfa.reset', userId: row.id, actorId: actorId && UUID.test(actorId) ? actorId : null, actorType: 'admin' })
    await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'mfaDisabled', data: { settingsUrl: link(ctx.config, 'settings'), byAdmin: true } })
    await ctx.events.emit(trx, 'mfaDisabled', { user: toUser(row), by: 'admin' }, ctx.request)
    return { ok: true as const }
  })
}

export async function trustedDevices(ctx: MfaContext, user: Pick<User, 'id'>): Promise<TrustedDevice[]> {
  return listTrustedDevices(ctx, user)
}

/** Ends one trusted device of this user (another user's id is `not_found`, and on record). */
export async function revokeTrustedDevice(ctx: MfaContext, user: Pick<User, 'id'>, id: unknown): Promise<{ ok: true } | Failure<'not_found'>> {
  if (typeof user?.id !== 'string' || !UUID.test(user.id) || typeof id !== 'string' || !UUID.test(id)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    const gone = await mfaDb(trx).deleteFrom('mfa_trusted_devices').where('id', '=', id).where('user_id', '=', user.id).returning('id').executeTakeFirst()
    if (!gone) {
      await auditDenied(ctx, trx, { actorId: user.id, resource: 'trusted_device', reason: 'not_found', operation: 'mfa.trusted_device_revoke', resourceId: id })
      return fail('not_found')
    }
    await writeAudit(ctx, trx, { action: 'mfa.trusted_device_revoke', userId: user.id, metadata: { device_id: id } })
    return { ok: true as const }
  })
}

/** For `userDeleting`: every MFA row goes with the account, inside the deletion's transaction. */
export async function removeForDeletion(trx: Trx, userId: string): Promise<void> {
  await removeAll(trx, userId)
}
