import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { completeSignInStep } from '../../sessions/complete-sign-in-step.ts'
import type { Session } from '../../sessions/session.ts'
import { parseSessionToken } from '../../sessions/session-token.ts'
import { resolveSession } from '../../sessions/validate-session.ts'
import type { MfaContext } from './mfa-context.ts'
import { checkSecondFactor, readProof } from './second-factor.ts'
import { trustDevice } from './trusted-devices.ts'
import './augment.ts'

export type VerifyResult =
  | {
      ok: true
      /** The renewed session token: the session is signed in now; the token held at the step stops working. */
      token: string
      session: Session
      /** With `trustDevice` (and trusted devices on): the device-trust token for the trust cookie, and when it ends. */
      trustToken?: string
      trustExpiresAt?: Date
      /** After a backup code: how many remain. */
      backupCodesRemaining?: number
    }
  | Failure<'invalid' | 'invalid_code' | 'locked' | 'invalid_session' | 'rate_limited' | 'not_enabled'>

/**
 * The MFA challenge: the session held at the `mfa` step passes it with a TOTP code or a backup
 * code. Throttled per pending session and per account before anything is checked; wrong codes
 * count toward the MFA lockout. On success, in one transaction: the proof is spent, the step
 * passes (token renewed), and with `trustDevice` this device skips the second factor for
 * `trustedDeviceDays`.
 */
export async function verify(ctx: MfaContext, pendingToken: unknown, proofInput: unknown, options: { trustDevice?: boolean } = {}): Promise<VerifyResult> {
  const proof = readProof(proofInput)
  if (!proof) return fail('invalid', { issues: [{ field: 'code', code: 'required', message: 'Enter the code from your app, or a backup code.' }] })
  const held = await resolveSession(ctx, pendingToken)
  const parsed = parseSessionToken(pendingToken)
  if (!held || !parsed || held.pending[0] !== 'mfa') return fail('invalid_session')
  const limited = await ctx.limiter.consumeAll([['mfaVerifySession', held.session.id], ['mfaVerifyAccount', held.user.id]])
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })

  class Lost extends Error {}
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<VerifyResult> => {
      const check = await checkSecondFactor(ctx, trx, held.user, proof, 'sign_in')
      if (!check.ok) return check
      const passed = await completeSignInStep(ctx, trx, { sessionId: held.session.id, expectedSecret: parsed.secret, step: 'mfa', amr: ['otp'] })
      if (!passed) throw new Lost() // rolled back: the code or backup code is not spent for nothing
      await writeAudit(ctx, trx, { action: 'mfa.verify', userId: held.user.id, metadata: { method: check.method, session_id: held.session.id } })
      let trust: { token: string; expiresAt: Date } | null = null
      if (options.trustDevice === true && ctx.mfa.trustedDeviceDays !== null) {
        trust = await trustDevice(ctx, trx, held.user, ctx.request?.userAgent ?? held.session.userAgent)
        await writeAudit(ctx, trx, { action: 'mfa.trusted_device_add', userId: held.user.id, metadata: { days: ctx.mfa.trustedDeviceDays } })
      }
      return {
        ok: true,
        token: passed.token,
        session: passed.session,
        ...(trust ? { trustToken: trust.token, trustExpiresAt: trust.expiresAt } : {}),
        ...(check.method === 'backup_code' ? { backupCodesRemaining: check.remaining ?? 0 } : {}),
      }
    })
  } catch (error) {
    if (error instanceof Lost) return fail('invalid_session')
    throw error
  }
}
