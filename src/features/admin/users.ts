import { sql } from 'kysely'
import * as v from 'valibot'
import { fail, type Failure } from '../../kernel/result.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import { toUser, type User } from '../../users/user.ts'
import { adminDb, type AdminContext } from './admin-context.ts'
import { authorise, type Actor } from './authority.ts'
import { openCursor, sealCursor } from './cursor.ts'
import { BUILT_IN_ROLES } from './options.ts'
import { canonicalRole, knownRole, rolesOf } from './roles.ts'

/** A user as an operator sees it: the account, its roles, and nothing secret. */
export type AdminUser = User & { roles: string[] }

const Filter = v.object({
  search: v.optional(v.pipe(v.string(), v.maxLength(200), v.check(isStorableText))),
  role: v.optional(v.pipe(v.string(), v.maxLength(64))),
  status: v.optional(v.picklist(['active', 'disabled', 'suspended', 'banned'])),
  confirmed: v.optional(v.boolean()),
  createdFrom: v.optional(v.date()),
  createdTo: v.optional(v.date()),
  sort: v.optional(v.picklist(['created_at', 'email', 'last_login_at'])),
  direction: v.optional(v.picklist(['asc', 'desc'])),
  cursor: v.optional(v.string()),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
})
export type UserFilter = v.InferInput<typeof Filter>

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/**
 * Users for an operator (`users:read`): search (email, username, first and last name), filters
 * (role, status, confirmed, created range), sorting, and keyset pagination with a sealed cursor bound
 * to the filter. Deleted accounts are not listed.
 */
export async function listUsers(ctx: AdminContext, actor: Actor, filter: UserFilter = {}): Promise<{ ok: true; users: AdminUser[]; nextCursor: string | null } | Failure<'forbidden' | 'invalid'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:read', operation: 'admin.list_users' })
  if (!auth.ok) return fail('forbidden')
  const parsed = v.safeParse(Filter, filter)
  if (!parsed.success) return fail('invalid', { issues: [{ field: String(v.getDotPath(parsed.issues[0]) ?? 'filter'), code: 'invalid', message: 'This filter is not valid.' }] })
  const f = parsed.output
  const { cursor, limit: _limit, ...bound } = f
  const limit = f.limit ?? 25
  const sort = f.sort ?? 'created_at'
  const direction = f.direction ?? 'desc'
  const position = openCursor<{ v: string | null; id: string }>(ctx, bound, cursor)
  if (position === 'invalid') return fail('invalid', { issues: [{ field: 'cursor', code: 'invalid', message: 'This cursor does not belong to this query.' }] })

  // The sort key as fixed-width text (timestamps in UTC, microseconds), so keyset comparison is exact.
  const key = sort === 'email'
    ? sql<string>`users.email`
    : sql<string>`coalesce(to_char(${sql.ref(`users.${sort}`)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '')`
  let query = adminDb(ctx.db).selectFrom('users').selectAll('users').select(key.as('sort_key')).where('users.deleted_at', 'is', null)
  if (f.search) {
    const pattern = like(f.search.trim().toLowerCase())
    query = query.where((eb) => eb.or([
      eb('users.email', 'like', pattern),
      eb(sql`lower(users.username)`, 'like', pattern),
      eb(sql`lower(users.custom_fields->>'first_name')`, 'like', pattern),
      eb(sql`lower(users.custom_fields->>'last_name')`, 'like', pattern),
    ]))
  }
  if (f.role !== undefined) {
    const role = canonicalRole(f.role)
    if (!role || !knownRole(ctx, role)) return fail('invalid', { issues: [{ field: 'role', code: 'unknown_role', message: 'No such role.' }] })
    query = role === 'user'
      ? query.where((eb) => eb.not(eb.exists(eb.selectFrom('admin_role_assignments as a').select('a.user_id').whereRef('a.user_id', '=', 'users.id'))))
      : query.where((eb) => eb.exists(eb.selectFrom('admin_role_assignments as a').select('a.user_id').whereRef('a.user_id', '=', 'users.id').where('a.role', '=', role)))
  }
  if (f.status) query = query.where('users.status', '=', f.status)
  if (f.confirmed !== undefined) query = query.where('users.confirmed_at', f.confirmed ? 'is not' : 'is', null)
  if (f.createdFrom) query = query.where('users.created_at', '>=', f.createdFrom)
  if (f.createdTo) query = query.where('users.created_at', '<', f.createdTo)
  // Keyset: (sort key, id) after the cursor's, in the chosen direction; a missing date sorts as ''.
  if (position) {
    query = direction === 'desc'
      ? query.where(sql<boolean>`(${key}, users.id::text) < (${position.v ?? ''}, ${position.id})`)
      : query.where(sql<boolean>`(${key}, users.id::text) > (${position.v ?? ''}, ${position.id})`)
  }
  const rows = await query.orderBy(key, direction).orderBy(sql`users.id::text`, direction).limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const users: AdminUser[] = []
  for (const { sort_key: _key, ...row } of page) users.push({ ...toUser(row), roles: await rolesOf(ctx, ctx.db, row.id) })
  const last = page.at(-1)
  return { ok: true, users, nextCursor: rows.length > limit && last ? sealCursor(ctx, bound, { v: last.sort_key, id: last.id }) : null }
}

/** One user by id, email or username (`users:read`). */
export async function getUser(ctx: AdminContext, actor: Actor, by: { id?: string; email?: string; username?: string }): Promise<{ ok: true; user: AdminUser } | Failure<'forbidden' | 'not_found'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:read', operation: 'admin.get_user' })
  if (!auth.ok) return fail('forbidden')
  let query = ctx.db.selectFrom('users').selectAll().where('deleted_at', 'is', null)
  if (typeof by?.id === 'string' && /^[0-9a-f-]{36}$/i.test(by.id)) query = query.where('id', '=', by.id)
  else if (typeof by?.email === 'string' && isStorableText(by.email)) query = query.where('email', '=', by.email.trim().toLowerCase())
  else if (typeof by?.username === 'string' && isStorableText(by.username)) query = query.where(sql`lower(username)`, '=', by.username.trim().toLowerCase())
  else return fail('not_found')
  const row = await query.executeTakeFirst()
  if (!row) return fail('not_found')
  return { ok: true, user: { ...toUser(row), roles: await rolesOf(ctx, ctx.db, row.id) } }
}

/** A user's roles (`['owner']`, `['admin']`, `['user']`, or the host's). */
export async function roles(ctx: AdminContext, user: Pick<User, 'id'>): Promise<string[]> {
  if (typeof user?.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(user.id)) return []
  return rolesOf(ctx, ctx.db, user.id)
}

/** How many live accounts hold each role (`users:read`). */
export async function roleStats(ctx: AdminContext, actor: Actor): Promise<{ ok: true; stats: Record<string, number> } | Failure<'forbidden'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:read', operation: 'admin.role_stats' })
  if (!auth.ok) return fail('forbidden')
  const assigned = await adminDb(ctx.db)
    .selectFrom('admin_role_assignments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.role', (eb) => eb.fn.countAll<string>().as('n')])
    .where('u.deleted_at', 'is', null)
    .groupBy('a.role')
    .execute()
  const plain = await adminDb(ctx.db).selectFrom('users as u').select((eb) => eb.fn.countAll<string>().as('n')).where('u.deleted_at', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('admin_role_assignments as a').select('a.user_id').whereRef('a.user_id', '=', 'u.id')))).executeTakeFirst()
  const stats: Record<string, number> = { ...Object.fromEntries(Object.keys(BUILT_IN_ROLES).map((r) => [r, 0])), ...Object.fromEntries(Object.keys(ctx.admin.roles).map((r) => [r, 0])) }
  for (const row of assigned) stats[row.role] = Number(row.n)
  stats.user = Number(plain?.n ?? 0)
  return { ok: true, stats }
}
