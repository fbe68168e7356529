import type { SigraContext } from '../kernel/context.ts'
import { fail, type Failure } from '../kernel/result.ts'
import { revokeAllSessionsIn } from '../sessions/manage-sessions.ts'
import type { Session } from '../sessions/session.ts'
import { requireSudoSession } from '../sessions/sudo.ts'
import type { User } from '../users/user.ts'
import type { PendingStepError } from '../sessions/sign-in-steps.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** "Sign out everywhere else": ends every session but the given one, which must be sudo-fresh. */
export async function revokeOtherSessions(
  ctx: SigraContext,
  user: Pick<User, 'id'>,
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<{ ok: true; count: number } | Failure<'sudo_required' | 'impersonated' | PendingStepError>> {
  // A malformed id can own no session; checked here so it never reaches the uuid column as a query error.
  const userId = typeof user?.id === 'string' && UUID.test(user.id) ? user.id : ''
  return ctx.db.transaction().execute(async (trx) => {
    const check = userId ? await requireSudoSession(ctx, trx, userId, options.session, { operation: 'session.revoke_others' }) : fail('sudo_required')
    if (!check.ok) return fail(check.error)
    const count = await revokeAllSessionsIn(ctx, trx, userId, { except: check.row.id, reason: 'revoke_others' })
    return { ok: true, count } as const
  })
}
