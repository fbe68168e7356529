import type { Executor } from '../../kernel/db/database.ts'
import { adminDb, type AdminContext } from './admin-context.ts'
import { BUILT_IN_ROLES } from './options.ts'

/** Every permission Owner and Admin hold (they hold all); host roles name theirs. */
export const ALL = '*'

/**
 * A role name as checks see it: trimmed, NFKC, lower case. `" owner"`, `"OWNER"` and `"Ｏｗｎｅｒ"`
 * are Owner — so a crafted name can never pass for a different role, nor slip past a guard.
 */
export function canonicalRole(name: unknown): string | null {
  if (typeof name !== 'string' || name.length > 64) return null
  const canonical = name.normalize('NFKC').trim().toLowerCase()
  return canonical === '' ? null : canonical
}

/** Whether a canonical name is a role this instance knows. */
export function knownRole(ctx: AdminContext, role: string): boolean {
  return Object.hasOwn(BUILT_IN_ROLES, role) || Object.hasOwn(ctx.admin.roles, role)
}

export function roleRank(ctx: AdminContext, role: string): number {
  if (Object.hasOwn(BUILT_IN_ROLES, role)) return BUILT_IN_ROLES[role as keyof typeof BUILT_IN_ROLES]
  return ctx.admin.roles[role]?.rank ?? 0
}

/** A user's roles, highest first; `['user']` when none is assigned. */
export async function rolesOf(ctx: AdminContext, db: Executor, userId: string): Promise<string[]> {
  const rows = await adminDb(db).selectFrom('admin_role_assignments').select('role').where('user_id', '=', userId).execute()
  const roles = rows.map((r) => r.role).filter((r) => knownRole(ctx, r))
  return roles.length ? roles.sort((a, b) => roleRank(ctx, b) - roleRank(ctx, a)) : ['user']
}

/** Rank and permissions from roles: the highest rank; Owner and Admin hold every permission. */
export function authorityOf(ctx: AdminContext, roles: readonly string[]): { rank: number; permissions: ReadonlySet<string> } {
  const rank = Math.max(0, ...roles.map((r) => roleRank(ctx, r)))
  const permissions = new Set<string>()
  for (const role of roles) {
    if (role === 'owner' || role === 'admin') permissions.add(ALL)
    for (const p of ctx.admin.roles[role]?.permissions ?? []) permissions.add(p)
  }
  return { rank, permissions }
}

export function holds(permissions: ReadonlySet<string>, permission: string): boolean {
  return permissions.has(ALL) || permissions.has(permission)
}
