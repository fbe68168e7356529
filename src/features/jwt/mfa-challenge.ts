import type { Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'

/**
 * What the JWT feature uses of the MFA feature's facade (`host.api('mfa')`): its challenge. Named
 * here structurally, so this feature does not depend on MFA's code, only on its published behaviour.
 */
export interface MfaChallenge {
  verify(pendingToken: unknown, proof: unknown, options?: { trustDevice?: boolean }): Promise<{ ok: true; token: string; session: Session } | MfaFailure>
}

/** How the MFA challenge refuses (its codes and statuses are the MFA feature's). */
export type MfaFailure = Failure<'invalid' | 'invalid_code' | 'locked' | 'invalid_session' | 'rate_limited' | 'not_enabled'>
