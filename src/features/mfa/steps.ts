import type { SignInStep } from '../../sessions/sign-in-steps.ts'
import type { MfaContext } from './mfa-context.ts'
import { hasMfa } from './second-factor.ts'
import { isTrusted } from './trusted-devices.ts'
import './augment.ts'

/** A first factor that already proves two (a passkey with user verification: something you have, and a PIN or biometric). */
const MULTI_FACTOR = (amr: readonly string[]) => amr.includes('hwk') && amr.includes('user')

/**
 * MFA's two steps of the sign-in pipeline. Every first-factor path (password today; magic link,
 * OAuth, passkey without user verification) goes through `signIn`, which asks them: the gate holds
 * by construction, not by each path remembering to call it.
 */
export function mfaSteps(ctx: MfaContext): SignInStep[] {
  return [
    {
      name: 'mfa',
      error: 'mfa_required',
      page: 'mfa/challenge',
      resultFlag: 'mfaRequired',
      async required(attempt, db) {
        if (MULTI_FACTOR(attempt.amr)) return false
        if (!(await hasMfa(db, attempt.user.id))) return false
        return !(await isTrusted(ctx, db, attempt.user, attempt.trustToken))
      },
    },
    {
      name: 'mfa_enrollment',
      error: 'mfa_enrollment_required',
      page: 'mfa/enroll',
      resultFlag: 'mfaEnrollmentRequired',
      async required(attempt, db) {
        return ctx.mfa.required(attempt.user) && !(await hasMfa(db, attempt.user.id))
      },
    },
  ]
}
