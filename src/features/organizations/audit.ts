import { sql } from 'kysely'
import { toAuditEvent, type AuditEvent } from '../../kernel/audit/audit-query.ts'
import { invalid, type Failure } from '../../kernel/result.ts'
import type { User } from '../../users/user.ts'
import { authorise } from './authority.ts'
import type { OrgsContext } from './context.ts'
import { ORG_PERMISSIONS } from './roles.ts'

/**
 * The organization's own audit log (`audit:read`: owners and admins): the rows this feature wrote
 * about it (they carry `metadata.organization_id`), newest first, 50 a page by default. The cursor is
 * a row id; the query is always scoped to this organization, so no cursor reaches another one's rows.
 */
export async function organizationAudit(
  ctx: OrgsContext,
  actor: Pick<User, 'id'>,
  organizationId: unknown,
  options: { cursor?: unknown; limit?: unknown } = {},
): Promise<{ ok: true; events: AuditEvent[]; nextCursor: string | null } | Failure<'not_found' | 'forbidden' | 'invalid'>> {
  const auth = await authorise(ctx, ctx.db, actor, organizationId, { operation: 'organization.audit', permission: ORG_PERMISSIONS.audit })
  if (!auth.ok) return auth
  const cursor = options.cursor === undefined || options.cursor === null || options.cursor === '' ? null : String(options.cursor)
  if (cursor !== null && !/^\d{1,18}$/.test(cursor)) return invalid([{ field: 'cursor', code: 'invalid', message: 'This cursor is not valid.' }])
  const limit = options.limit === undefined ? 50 : Number(options.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalid([{ field: 'limit', code: 'invalid', message: 'Between 1 and 200.' }])
  let q = ctx.db.selectFrom('audit_events').selectAll().where(sql<boolean>`metadata ? 'organization_id'`).where(sql<string>`metadata->>'organization_id'`, '=', auth.value.organization.id)
  if (cursor !== null) q = q.where('id', '<', cursor as never)
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  return { ok: true, events: page.map(toAuditEvent), nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null }
}
