import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { markSudo } from '../../sessions/sudo.ts'
import { validateSession } from '../../sessions/validate-session.ts'
import type { MfaContext } from './mfa-context.ts'
import { checkSecondFactor, readProof } from './second-factor.ts'
import './augment.ts'

export type MfaSudoResult = { ok: true; session: Session } | Failure<'invalid' | 'invalid_code' | 'locked' | 'invalid_session' | 'impersonated' | 'rate_limited' | 'not_enabled' | 'password_required'>

/**
 * Sudo with a TOTP code (or a backup code), for an account that has no password to re-enter
 * (OAuth or passkey only). An account with a password re-authenticates with it (`sessions.confirmSudo`):
 * a code alone is not accepted where the password would be. Renew the session token afterwards
 * (`sessions.rotate`), as after a password sudo.
 */
export async function confirmSudoWithCode(ctx: MfaContext, token: unknown, proofInput: unknown): Promise<MfaSudoResult> {
  const proof = readProof(proofInput)
  if (!proof) return fail('invalid', { issues: [{ field: 'code', code: 'required', message: 'Enter the code from your app.' }] })
  const current = await validateSession(ctx, token)
  if (!current) return fail('invalid_session')
  if (current.session.impersonatorId) return fail('impersonated')
  if (current.user.hasPassword) return fail('password_required')
  const limited = await ctx.limiter.consume('sudo', current.session.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  return ctx.db.transaction().execute(async (trx): Promise<MfaSudoResult> => {
    const proven = await checkSecondFactor(ctx, trx, current.user, proof, 'sudo')
    if (!proven.ok) return proven
    return { ok: true, session: await markSudo(ctx, trx, { sessionId: current.session.id, userId: current.user.id, method: proven.method === 'totp' ? 'otp' : 'backup_code' }) }
  })
}
