import { renderSVG } from 'uqr'
import { link } from '../../auth/links.ts'
import { liveUser } from '../../account/account-guards.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { completeSignInStep } from '../../sessions/complete-sign-in-step.ts'
import type { Session } from '../../sessions/session.ts'
import { parseSessionToken } from '../../sessions/session-token.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'
import { toUser, type User } from '../../users/user.ts'
import { replaceBackupCodes } from './backup-codes.ts'
import { mfaDb, type MfaContext } from './mfa-context.ts'
import { enrolmentGate } from './session-gate.ts'
import { base32Encode, matchTotp, newTotpKey, otpauthUri } from './totp.ts'
import './augment.ts'

export type StartEnrollmentResult =
  | {
      ok: true
      /** The key in base32, for typing into an authenticator app by hand. */
      secret: string
      /** The `otpauth://` URI the QR code carries. */
      uri: string
      /** The QR code, drawn on the server as SVG (no external service). */
      qrSvg: string
      /** The enrolment must be confirmed with a valid code before this. */
      expiresAt: Date
    }
  | Failure<'sudo_required' | 'impersonated' | 'already_enabled' | 'not_found' | PendingStepError>

/**
 * Starts (or restarts) a TOTP enrolment: a new 160-bit key, sealed at rest, waiting for a first
 * valid code. Needs a sudo-fresh session (or the session held at `mfa_enrollment` right after sign-in).
 * The key is shown now and never again; an unconfirmed enrolment expires.
 */
export async function startEnrollment(ctx: MfaContext, user: Pick<User, 'id'>, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<StartEnrollmentResult> {
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const gate = await enrolmentGate(ctx, ctx.db, row.id, options.session, 'mfa.enroll_start')
  if (!gate.ok) return fail(gate.error)
  const existing = await mfaDb(ctx.db).selectFrom('mfa_totp').select('confirmed_at').where('user_id', '=', row.id).executeTakeFirst()
  if (existing?.confirmed_at) return fail('already_enabled')

  const key = newTotpKey()
  const at = ctx.config.clock()
  const expiresAt = addSeconds(at, ctx.mfa.enrollmentTtl)
  const sealed = ctx.mfa.sealer.seal(Buffer.from(key).toString('base64'))
  await ctx.db.transaction().execute(async (trx) => {
    await mfaDb(trx)
      .insertInto('mfa_totp')
      .values({ user_id: row.id, sealed_key: sealed, confirmed_at: null, enrollment_expires_at: expiresAt, last_step: null, locked_until: null, created_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ sealed_key: sealed, enrollment_expires_at: expiresAt, last_step: null, failed_attempts: 0, locked_until: null, created_at: at }))
      .execute()
    await writeAudit(ctx, trx, { action: 'mfa.enroll_start', userId: row.id })
  })
  const uri = otpauthUri({ issuer: ctx.mfa.issuerName, account: row.email, key })
  return { ok: true, secret: base32Encode(key), uri, qrSvg: renderSVG(uri, { border: 2, pixelSize: 6 }), expiresAt }
}

export type ConfirmEnrollmentResult =
  | {
      ok: true
      /** Ten single-use codes, shown once: the only copy. */
      backupCodes: string[]
      /** When the session was held at `mfa_enrollment` and its token was given: the renewed token, signed in. */
      token?: string
      session?: Session
    }
  | Failure<'invalid' | 'invalid_code' | 'no_enrollment' | 'sudo_required' | 'impersonated' | 'already_enabled' | 'not_found' | 'rate_limited' | PendingStepError>

/**
 * Confirms the enrolment with a first valid code: MFA is on from this commit, backup codes are
 * issued, the user is mailed, `mfaEnabled` fires. A session held at `mfa_enrollment` passes that
 * step in the same transaction when its `token` is given (the token is renewed).
 */
export async function confirmEnrollment(
  ctx: MfaContext,
  user: Pick<User, 'id'>,
  code: unknown,
  options: { session?: Pick<Session, 'id'> | null; token?: string | null } = {},
): Promise<ConfirmEnrollmentResult> {
  if (typeof code !== 'string' || code.length > 16) return fail('invalid', { issues: [{ field: 'code', code: 'invalid_format', message: 'Enter the 6-digit code from your app.' }] })
  const row = await liveUser(ctx.db, user)
  if (!row) return fail('not_found')
  const gate = await enrolmentGate(ctx, ctx.db, row.id, options.session, 'mfa.enable')
  if (!gate.ok) return fail(gate.error)
  const limited = await ctx.limiter.consume('mfaVerifyAccount', row.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  class Lost extends Error {}
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<ConfirmEnrollmentResult> => {
      const at = ctx.config.clock()
      const pending = await mfaDb(trx).selectFrom('mfa_totp').selectAll().where('user_id', '=', row.id).forUpdate().executeTakeFirst()
      if (pending?.confirmed_at) return fail('already_enabled')
      if (!pending || !pending.enrollment_expires_at || pending.enrollment_expires_at.getTime() <= at.getTime()) return fail('no_enrollment')
      const key = Buffer.from(ctx.mfa.sealer.open(pending.sealed_key), 'base64')
      const step = matchTotp(key, code.replace(/\s/g, ''), at, null)
      if (step === null) return fail('invalid_code')
      await mfaDb(trx)
        .updateTable('mfa_totp')
        .set({ confirmed_at: at, enrollment_expires_at: null, last_step: String(step), failed_attempts: 0, locked_until: null })
        .where('user_id', '=', row.id)
        .execute()
      const backupCodes = await replaceBackupCodes(ctx, trx, row.id)
      const enabled = toUser(row)
      await writeAudit(ctx, trx, { action: 'mfa.enable', userId: row.id, metadata: { method: 'totp' } })
      await enqueueMail(ctx, trx, { to: row.email, userId: row.id, template: 'mfaEnabled', data: { settingsUrl: link(ctx.config, 'settings'), backupCodes: backupCodes.length } })
      await ctx.events.emit(trx, 'mfaEnabled', { user: enabled }, ctx.request)
      const parsed = parseSessionToken(options.token)
      if (gate.heldForEnrollment && parsed && parsed.id === options.session?.id) {
        const passed = await completeSignInStep(ctx, trx, { sessionId: parsed.id, expectedSecret: parsed.secret, step: 'mfa_enrollment', amr: ['otp'] })
        if (!passed) throw new Lost()
        return { ok: true, backupCodes, token: passed.token, session: passed.session }
      }
      return { ok: true, backupCodes }
    })
  } catch (error) {
    if (error instanceof Lost) return fail('sudo_required')
    throw error
  }
}
