import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import { newSession } from '../../sessions/create-session.ts'
import type { Session } from '../../sessions/session.ts'
import { isSudo } from '../../sessions/sudo.ts'
import { validateSession } from '../../sessions/validate-session.ts'
import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorise } from './authority.ts'
import './augment.ts'

export type ImpersonateResult = { ok: true; token: string; session: Session } | Failure<'forbidden' | 'not_found' | 'sudo_required' | 'invalid' | 'impersonated' | 'invalid_session'>

/**
 * Acts as another user through a real session of theirs marked with the operator: only an
 * outranking operator (`users:impersonate`), sudo-fresh, with a reason, never while already
 * impersonating, never on an inactive account. The session ends after `impersonationTtl` (30
 * minutes) or when stopped (`sessions.endImpersonation`, which hands the operator's own session
 * back); meanwhile the one enforcement point refuses every sensitive change (`impersonated`), and
 * every audit row written by it names the operator as actor and the user as subject.
 */
export async function impersonate(ctx: AdminContext, actorSessionToken: unknown, target: Pick<User, 'id'>, input: { reason?: unknown } = {}): Promise<ImpersonateResult> {
  const reason = typeof input?.reason === 'string' ? input.reason.trim() : ''
  if (!reason || reason.length > 500 || !isStorableText(reason)) return invalid([{ field: 'reason', code: 'required', message: 'Say why (at most 500 characters): it is recorded.' }])
  const current = await validateSession(ctx, actorSessionToken)
  if (!current) return fail('invalid_session')
  if (current.session.impersonatorId) return fail('impersonated')
  return ctx.db.transaction().execute(async (trx): Promise<ImpersonateResult> => {
    const auth = await authorise(ctx, trx, current.user, { permission: 'users:impersonate', operation: 'admin.impersonation_start', target, notSelf: true })
    if (!auth.ok) return auth
    if (!isSudo(ctx, current.session)) return fail('sudo_required')
    const who = auth.value.target!
    if (who.status !== 'active') return fail('forbidden')
    const at = ctx.config.clock()
    const created = newSession(ctx, { userId: who.id, ip: ctx.request?.ip ?? current.session.ip, userAgent: ctx.request?.userAgent ?? current.session.userAgent, impersonatorId: current.user.id, impersonatorSessionId: current.session.id })
    const row = { ...created.row, expires_at: addSeconds(at, ctx.admin.impersonationTtl), amr: ['imp'] }
    await trx.insertInto('sessions').values(row).execute()
    await writeAudit(ctx, trx, { action: 'admin.impersonation_start', userId: who.id, actorId: current.user.id, actorType: 'admin', metadata: { reason, session_id: row.id, until: row.expires_at.toISOString() } })
    return { ok: true, token: created.token, session: { ...created.session, expiresAt: row.expires_at, amr: ['imp'] } }
  })
}
