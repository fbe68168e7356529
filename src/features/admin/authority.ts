import type { Executor } from '../../kernel/db/database.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorityOf, holds, rolesOf } from './roles.ts'

/** The system itself (the CLI, seeds, migrations): not rank-checked. Never reachable from a request. */
export const SYSTEM_ACTOR: unique symbol = Symbol.for('sigra.admin.system')
export type Actor = Pick<User, 'id'> | typeof SYSTEM_ACTOR

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface Authorised {
  /** Null for the system actor. */
  actor: (UserRow & { roles: string[]; rank: number }) | null
  target: (UserRow & { roles: string[]; rank: number }) | null
}

async function liveRow(db: Executor, id: unknown): Promise<UserRow | null> {
  if (typeof id !== 'string' || !UUID.test(id)) return null
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return row ?? null
}

/**
 * The one authority rule every admin operation goes through:
 * 1. the actor is the system, or a live, active account (a malformed actor — a string, a bare
 *    object — is refused: fail closed) that is not being impersonated (a request whose real actor is
 *    someone else, `ctx.request.actorId`, gets none of the account's operator powers);
 * 2. it holds `permission` (Owner and Admin hold all);
 * 3. with a target: the target exists (else `not_found`), is not the actor when `notSelf`, and has
 *    a rank strictly below the actor's — nobody acts on an equal or higher rank (an Admin on the
 *    Owner or another Admin).
 * Refusals are `forbidden` and on record (`authz.denied`, throttled per actor).
 */
export async function authorise(
  ctx: AdminContext,
  db: Executor,
  actor: unknown,
  options: { permission: string; operation: string; target?: unknown; notSelf?: boolean },
): Promise<{ ok: true; value: Authorised } | Failure<'forbidden' | 'not_found'>> {
  const targetRow = options.target === undefined ? null : await liveRow(db, (options.target as { id?: unknown } | null)?.id)
  if (options.target !== undefined && !targetRow) return fail('not_found')
  const withRoles = async (row: UserRow) => {
    const roles = await rolesOf(ctx, db, row.id)
    return { ...row, roles, rank: authorityOf(ctx, roles).rank }
  }
  const target = targetRow ? await withRoles(targetRow) : null
  if (actor === SYSTEM_ACTOR) return { ok: true, value: { actor: null, target } }

  const actorRow = actor !== null && typeof actor === 'object' ? await liveRow(db, (actor as { id?: unknown }).id) : null
  const refuse = async (reason: string) => {
    if (actorRow) await auditDenied(ctx, db, { actorId: actorRow.id, userId: target?.id ?? null, resource: 'user', reason, operation: options.operation, resourceId: target?.id ?? null })
    return fail('forbidden')
  }
  if (!actorRow || actorRow.status !== 'active') return refuse('invalid_actor')
  // Acting as someone else (impersonation: the request names the operator) never lends their powers.
  if (ctx.request?.actorId && ctx.request.actorId !== actorRow.id) return refuse('impersonated')
  const roles = await rolesOf(ctx, db, actorRow.id)
  const authority = authorityOf(ctx, roles)
  if (!holds(authority.permissions, options.permission)) return refuse('insufficient_permissions')
  if (target) {
    if (options.notSelf && target.id === actorRow.id) return refuse('self')
    if (target.id !== actorRow.id && target.rank >= authority.rank) return refuse(target.roles.includes('owner') ? 'target_is_owner' : 'target_is_staff')
  }
  return { ok: true, value: { actor: { ...actorRow, roles, rank: authority.rank }, target } }
}
