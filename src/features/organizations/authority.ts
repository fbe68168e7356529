import { auditDenied } from '../../kernel/audit/audit-denied.ts'
import { writeAudit, type AuditEntry } from '../../kernel/audit/audit-log.ts'
import type { Executor } from '../../kernel/db/database.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import { isUuid, orgsDb, type OrgsContext } from './context.ts'
import { canonicalRole, holds } from './roles.ts'
import type { MembershipRow, OrganizationRow } from './tables.ts'

export interface RankedMembership extends MembershipRow {
  rank: number
  permissions: ReadonlySet<string>
}

export interface Authorised {
  organization: OrganizationRow
  actor: UserRow
  membership: RankedMembership
  /** The member acted on, when the operation names one. */
  target: (RankedMembership & { email: string }) | null
  /** The canonical role being granted, when the operation grants one. */
  role: string | null
}

/** A role's rank and permissions; a role the instance no longer knows (a host role removed) ranks 0 and holds nothing. */
export function roleInfo(ctx: OrgsContext, role: string): { rank: number; permissions: ReadonlySet<string>; known: boolean } {
  const known = Object.hasOwn(ctx.orgs.roles, role) ? ctx.orgs.roles[role]! : null
  return known ? { rank: known.rank, permissions: known.permissions, known: true } : { rank: 0, permissions: new Set(), known: false }
}

function ranked(ctx: OrgsContext, row: MembershipRow): RankedMembership {
  const info = roleInfo(ctx, row.role)
  return { ...row, rank: info.rank, permissions: info.permissions }
}

async function liveActor(db: Executor, actor: unknown): Promise<UserRow | null> {
  const id = actor !== null && typeof actor === 'object' ? (actor as { id?: unknown }).id : undefined
  if (!isUuid(id)) return null
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return row && row.status === 'active' ? row : null
}

export type AuthorityRefusal = 'not_found' | 'forbidden' | 'invalid'

/** What an operation needs: its name (for the record), a permission, a role it grants, a member it acts on. */
export interface Need {
  operation: string
  permission?: string
  grant?: unknown
  target?: unknown
}

/**
 * The one authority rule every organization operation goes through, in this order:
 * 1. the actor is a live, active account (anything else — a string, a bare object, a deleted
 *    account — is refused as `not_found`: fail closed, and tell nothing);
 * 2. the organization exists **and the actor is a member of it**; otherwise `not_found`, the same
 *    answer for an organization that does not exist and one the actor is not in, so ids from
 *    another tenant are no existence oracle;
 * 3. the actor's role holds `permission` (owners hold all; admins all but deleting the
 *    organization; members none of the management ones), else `forbidden`;
 * 4. a role being granted (`grant`) is canonicalised first (`" owner"`, `"OWNER"` are Owner) and
 *    must be a known role (`invalid`, `unknown_role`) ranking no higher than the actor's own, else
 *    `forbidden`;
 * 5. a member acted on (`target`) must be a member of *this* organization (else `not_found`) and,
 *    unless it is the actor, rank strictly below the actor: nobody changes an equal or higher member.
 * Refusals are on record (`authz.denied`, throttled per actor). Mutations call it inside their
 * transaction, after `lockOrganization`, so what it read still holds when they write.
 */
export async function authorise(ctx: OrgsContext, db: Executor, actor: unknown, organizationId: unknown, need: Need & { grant?: undefined }): Promise<{ ok: true; value: Authorised } | Failure<'not_found' | 'forbidden'>>
export async function authorise(ctx: OrgsContext, db: Executor, actor: unknown, organizationId: unknown, need: Need): Promise<{ ok: true; value: Authorised } | Failure<AuthorityRefusal>>
export async function authorise(
  ctx: OrgsContext,
  db: Executor,
  actor: unknown,
  organizationId: unknown,
  need: Need,
): Promise<{ ok: true; value: Authorised } | Failure<AuthorityRefusal>> {
  const actorRow = await liveActor(db, actor)
  if (!actorRow) return fail('not_found')
  const refuse = async <E extends 'not_found' | 'forbidden'>(error: E, reason: string, resourceId: string | null = isUuid(organizationId) ? organizationId : null) => {
    await auditDenied(ctx, db, { actorId: actorRow.id, resource: 'organization', reason, operation: need.operation, resourceId })
    return fail(error)
  }
  if (!isUuid(organizationId)) return refuse('not_found', 'not_member')
  const found = await orgsDb(db)
    .selectFrom('organizations as o')
    .innerJoin('organization_memberships as m', 'm.organization_id', 'o.id')
    .selectAll('o')
    .select(['m.role', 'm.created_at as joined_at', 'm.updated_at as membership_updated_at'])
    .where('o.id', '=', organizationId)
    .where('m.user_id', '=', actorRow.id)
    .executeTakeFirst()
  if (!found) return refuse('not_found', 'not_member')
  const { role: actorRole, joined_at, membership_updated_at, ...organization } = found
  const membership = ranked(ctx, { organization_id: organization.id, user_id: actorRow.id, role: actorRole, created_at: joined_at, updated_at: membership_updated_at })

  if (need.permission !== undefined && !holds(membership.permissions, need.permission)) return refuse('forbidden', 'insufficient_permissions')

  let role: string | null = null
  if (need.grant !== undefined) {
    role = canonicalRole(need.grant)
    if (role === null || !roleInfo(ctx, role).known) return invalid([{ field: 'role', code: 'unknown_role', message: 'No such role.' }])
    if (roleInfo(ctx, role).rank > membership.rank) return refuse('forbidden', 'role_above_own')
  }

  let target: Authorised['target'] = null
  if (need.target !== undefined) {
    const targetId = need.target !== null && typeof need.target === 'object' ? (need.target as { id?: unknown }).id : need.target
    if (!isUuid(targetId)) return refuse('not_found', 'target_not_member')
    const row = await orgsDb(db)
      .selectFrom('organization_memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .selectAll('m')
      .select('u.email')
      .where('m.organization_id', '=', organization.id)
      .where('m.user_id', '=', targetId)
      .executeTakeFirst()
    if (!row) return refuse('not_found', 'target_not_member', targetId)
    const { email, ...member } = row
    target = { ...ranked(ctx, member), email }
    if (target.user_id !== actorRow.id && target.rank >= membership.rank) return refuse('forbidden', 'target_outranks', targetId)
  }
  return { ok: true, value: { organization, actor: actorRow, membership, target, role } }
}

/**
 * An audit row about an organization: `metadata.organization_id` names it (its audit log and the
 * admin explorer filter on it). During an impersonation the operator is the actor of what the
 * member does to someone else, and `acting_as` names the member (core already swaps the actor of
 * rows about the member themself).
 */
export async function writeOrgAudit(ctx: OrgsContext, db: Executor, organizationId: string, entry: AuditEntry): Promise<void> {
  const operator = ctx.request?.actorId
  const onBehalf = operator && entry.actorId && entry.actorId !== operator && entry.actorId !== entry.userId ? entry.actorId : null
  await writeAudit(ctx, db, {
    ...entry,
    ...(onBehalf ? { actorId: operator, actorType: ctx.request?.actorType ?? 'admin' } : {}),
    metadata: { organization_id: organizationId, ...entry.metadata, ...(onBehalf ? { acting_as: onBehalf } : {}) },
  })
}
