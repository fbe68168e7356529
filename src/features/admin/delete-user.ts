import { executeDeletion } from '../../account/execute-deletion.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { DeletionStrategy } from '../../kernel/config.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import { requireSudoSession } from '../../sessions/sudo.ts'
import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorise, SYSTEM_ACTOR, type Actor } from './authority.ts'
import './augment.ts'

/**
 * Deletes an account now, with the lifecycle's strategy (anonymize by default; its hooks, events
 * and credentials removal all apply), no grace period. The operator re-authenticates first (sudo);
 * never one's own account, never an equal or higher rank, never the last active Owner.
 */
export async function deleteUser(
  ctx: AdminContext,
  actor: Actor,
  target: Pick<User, 'id'>,
  options: { session?: Pick<Session, 'id'> | null; strategy?: DeletionStrategy } = {},
): Promise<{ ok: true; strategy: DeletionStrategy } | Failure<'forbidden' | 'not_found' | 'last_owner' | 'sudo_required' | 'impersonated' | 'vetoed'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:delete', operation: 'admin.user_delete', target, notSelf: true })
  if (!auth.ok) return auth
  if (actor !== SYSTEM_ACTOR) {
    const sudo = await requireSudoSession(ctx, ctx.db, actor.id, options.session, { operation: 'admin.user_delete' })
    if (!sudo.ok) return fail(sudo.error === 'impersonated' ? 'impersonated' : 'sudo_required')
  }
  const who = auth.value.target!
  const actorId = actor === SYSTEM_ACTOR ? null : actor.id
  const result = await executeDeletion({ ...ctx, request: { ...ctx.request, ...(actorId ? { actorId, actorType: 'admin' } : {}) } }, who, { immediately: true, actorId, ...(options.strategy ? { strategy: options.strategy } : {}) })
  // The last active Owner is refused inside the deletion's transaction (see vetoLastOwnerRemoval).
  if (!result.ok && result.error === 'vetoed' && result.reason === 'last_owner') return fail('last_owner')
  if (!result.ok) return result.error === 'vetoed' ? fail('vetoed', result.reason !== undefined ? { reason: result.reason } : {}) : fail('not_found')
  await writeAudit(ctx, ctx.db, { action: 'admin.user_delete', userId: who.id, actorId, actorType: actorId ? 'admin' : 'system', metadata: { strategy: result.strategy } })
  return { ok: true, strategy: result.strategy }
}
