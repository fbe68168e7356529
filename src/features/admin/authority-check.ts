import type { User } from '../../users/user.ts'
import type { AdminContext } from './admin-context.ts'
import { authorityOf, canonicalRole, holds, roleRank, rolesOf } from './roles.ts'

/** Whether a user holds a role (or higher) and/or a permission: what the guard rules ask. */
export async function authority(ctx: AdminContext, user: Pick<User, 'id'>, need: { role?: string; permission?: string }): Promise<boolean> {
  if (typeof user?.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(user.id)) return false
  // Impersonated (the request's real actor is an operator): no operator powers, as `authorise` says.
  if (ctx.request?.actorId && ctx.request.actorId !== user.id) return false
  const row = await ctx.db.selectFrom('users').select('status').where('id', '=', user.id).where('deleted_at', 'is', null).executeTakeFirst()
  if (row?.status !== 'active') return false
  const mine = authorityOf(ctx, await rolesOf(ctx, ctx.db, user.id))
  if (need.role !== undefined) {
    const role = canonicalRole(need.role)
    if (!role || mine.rank < roleRank(ctx, role) || (roleRank(ctx, role) === 0 && role !== 'user')) return false
  }
  return need.permission === undefined || holds(mine.permissions, need.permission)
}
