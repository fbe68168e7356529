import type { Failure } from '../../kernel/result.ts'
import { listSessions as liveSessions } from '../../sessions/manage-sessions.ts'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorise, type Actor } from './authority.ts'

/**
 * A user's live sessions, most recently active first (`users:read` and the rank rule: devices and
 * addresses are only shown to an operator who outranks the account, or to its owner). Ending them
 * is `revokeSessions`.
 */
export async function listSessions(ctx: AdminContext, actor: Actor, target: Pick<User, 'id'>): Promise<{ ok: true; sessions: Session[] } | Failure<'forbidden' | 'not_found'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:read', operation: 'admin.list_sessions', target })
  if (!auth.ok) return auth
  return { ok: true, sessions: await liveSessions(ctx, auth.value.target!.id) }
}
