import type { Executor } from '../../kernel/db/database.ts'
import { fail } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { pendingSteps, type PendingStepError } from '../../sessions/sign-in-steps.ts'
import { requireSudoSession } from '../../sessions/sudo.ts'
import { findUserById } from '../../users/user-repository.ts'
import { toUser } from '../../users/user.ts'
import type { MfaContext } from './mfa-context.ts'
import './augment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type EnrolmentGate = { ok: true; heldForEnrollment: boolean } | { ok: false; error: 'sudo_required' | 'impersonated' | PendingStepError }

/**
 * Enrolling needs a sudo-fresh session, or the session a sign-in just created and holds at the
 * `mfa_enrollment` step (the policy requires MFA and the user has none): its first factor was
 * proven a moment ago, which is what sudo stands for.
 */
export async function enrolmentGate(ctx: MfaContext, db: Executor, userId: string, session: Pick<Session, 'id'> | null | undefined, operation: string): Promise<EnrolmentGate> {
  const id = session?.id
  if (typeof id === 'string' && UUID.test(id)) {
    const row = await db.selectFrom('sessions').select(['pending_steps', 'user_id']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
    const user = row ? await findUserById(db, userId) : undefined
    if (row && user && pendingSteps(ctx.pipeline, row.pending_steps, toUser(user))[0] === 'mfa_enrollment') return { ok: true, heldForEnrollment: true }
  }
  const check = await requireSudoSession(ctx, db, userId, session, { operation })
  return check.ok ? { ok: true, heldForEnrollment: false } : fail(check.error)
}
