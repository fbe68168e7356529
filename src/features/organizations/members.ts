import type { Trx } from '../../kernel/db/database.ts'
import { fail, vetoable, type Failure } from '../../kernel/result.ts'
import type { User } from '../../users/user.ts'
import { authorise, roleInfo, writeOrgAudit } from './authority.ts'
import { isUuid, lockOrganization, orgsDb, type OrgsContext } from './context.ts'
import { otherOwners } from './last-owner.ts'
import { toMembership, toOrganization, type Member, type Membership } from './organization.ts'
import { endOrganizationTokens } from './org-tokens.ts'
import { ORG_PERMISSIONS } from './roles.ts'
import type { OrganizationRow } from './tables.ts'
import './augment.ts'

/** A member named by id, or by an object with one (a `User`). */
export const idOf = (x: unknown): unknown => (x !== null && typeof x === 'object' ? (x as { id?: unknown }).id : x)

/** The organization's members (any member may see them), highest rank first, then by when they joined. */
export async function listMembers(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown): Promise<{ ok: true; members: Member[] } | Failure<'not_found'>> {
  const auth = await authorise(ctx, ctx.db, actor, organizationId, { operation: 'organization.members' })
  if (!auth.ok) return fail('not_found')
  const rows = await orgsDb(ctx.db)
    .selectFrom('organization_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .selectAll('m')
    .select(['u.email', 'u.username'])
    .where('m.organization_id', '=', auth.value.organization.id)
    .orderBy('m.created_at')
    .orderBy('m.user_id')
    .execute()
  const members = rows
    .map((r) => ({ ...toMembership(r), email: r.email, username: r.username }))
    .sort((a, b) => roleInfo(ctx, b.role).rank - roleInfo(ctx, a.role).rank)
  return { ok: true, members }
}

export type MemberChangeFailure = Failure<'not_found' | 'forbidden' | 'invalid' | 'last_owner' | 'vetoed'>

/**
 * Gives a member another role. The role is canonicalised (`" owner"`, `"OWNER"` are Owner) and must
 * exist; nobody grants a role above their own, nobody changes a member of equal or higher rank
 * (owners therefore change other owners only by those owners stepping down themselves), and the
 * last owner cannot be demoted (`last_owner`: make someone else owner first). `members:manage`.
 */
export async function setMemberRole(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, userId: unknown, role: unknown): Promise<{ ok: true; membership: Membership } | MemberChangeFailure> {
  if (!isUuid(organizationId)) return fail('not_found')
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.role_change', permission: ORG_PERMISSIONS.manage, grant: role, target: { id: idOf(userId) } })
      if (!auth.ok) return auth
      const { organization, target, actor: by } = auth.value
      const next = auth.value.role!
      if (target!.role === next) return { ok: true as const, membership: toMembership(target!) }
      if (target!.role === 'owner' && (await otherOwners(trx, organization.id, target!.user_id)) === 0) return fail('last_owner')
      const row = await orgsDb(trx)
        .updateTable('organization_memberships')
        .set({ role: next, updated_at: ctx.config.clock() })
        .where('organization_id', '=', organization.id)
        .where('user_id', '=', target!.user_id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await writeOrgAudit(ctx, trx, organization.id, { action: 'organization.role_change', userId: target!.user_id, actorId: by.id, metadata: { from: target!.role, to: next } })
      await ctx.events.emit(trx, 'organizationRoleChanged', { organization: toOrganization(organization), userId: target!.user_id, from: target!.role, to: next, actorId: by.id }, ctx.request)
      return { ok: true as const, membership: toMembership(row) }
    }),
  )
}

/**
 * Ends one membership inside `trx` (the caller holds the organization's lock and has checked who may):
 * the row, that member's sessions that had this organization active (they have none now), their
 * tokens bound to it; audited, with `organizationMemberRemoved`.
 */
export async function endMembership(
  ctx: OrgsContext,
  trx: Trx,
  organization: OrganizationRow,
  member: { user_id: string; role: string },
  by: { actorId: string | null; reason: 'removed' | 'left' | 'account_deleted' },
): Promise<void> {
  await orgsDb(trx).deleteFrom('organization_memberships').where('organization_id', '=', organization.id).where('user_id', '=', member.user_id).execute()
  await trx.updateTable('sessions').set({ active_organization_id: null }).where('user_id', '=', member.user_id).where('active_organization_id', '=', organization.id).execute()
  const tokens = await endOrganizationTokens(ctx, trx, organization.id, member.user_id)
  await writeOrgAudit(ctx, trx, organization.id, {
    action: by.reason === 'left' ? 'organization.member_leave' : 'organization.member_remove',
    userId: member.user_id,
    actorId: by.actorId,
    actorType: by.actorId === null ? 'system' : 'user',
    metadata: { role: member.role, reason: by.reason, ...(tokens ? { pats_revoked: tokens } : {}) },
  })
  await ctx.events.emit(trx, 'organizationMemberRemoved', { organization: toOrganization(organization), userId: member.user_id, role: member.role, reason: by.reason }, ctx.request)
}

/**
 * Removes a member (`members:manage`, and only a member ranking below the actor). Naming oneself is
 * leaving. The member's sessions lose this organization as their active one at once.
 */
export async function removeMember(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, userId: unknown): Promise<{ ok: true } | MemberChangeFailure> {
  if (!isUuid(organizationId)) return fail('not_found')
  if (isUuid(actor?.id) && idOf(userId) === actor.id) return leaveOrganization(ctx, actor, organizationId)
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.member_remove', permission: ORG_PERMISSIONS.manage, target: { id: idOf(userId) } })
      if (!auth.ok) return auth
      const { organization, target } = auth.value
      if (target!.role === 'owner' && (await otherOwners(trx, organization.id, target!.user_id)) === 0) return fail('last_owner')
      await endMembership(ctx, trx, organization, target!, { actorId: auth.value.actor.id, reason: 'removed' })
      return { ok: true as const }
    }),
  )
}

/** Leaves an organization. The last owner cannot (`last_owner`): make someone else owner, or delete the organization. */
export async function leaveOrganization(ctx: OrgsContext, user: Pick<User, 'id'>, organizationId: unknown): Promise<{ ok: true } | MemberChangeFailure> {
  if (!isUuid(organizationId)) return fail('not_found')
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, user, organizationId, { operation: 'organization.member_leave' })
      if (!auth.ok) return auth
      const { organization, membership } = auth.value
      if (membership.role === 'owner' && (await otherOwners(trx, organization.id, membership.user_id)) === 0) return fail('last_owner')
      await endMembership(ctx, trx, organization, membership, { actorId: membership.user_id, reason: 'left' })
      return { ok: true as const }
    }),
  )
}

/**
 * Hands ownership to another member in one step: they become owner, the actor becomes admin. Only an
 * owner may; the other member must rank below them (a fellow owner already owns it).
 */
export async function transferOwnership(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, userId: unknown): Promise<{ ok: true; membership: Membership } | MemberChangeFailure> {
  if (!isUuid(organizationId)) return fail('not_found')
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx) => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.ownership_transfer', permission: ORG_PERMISSIONS.delete, grant: 'owner', target: { id: idOf(userId) } })
      if (!auth.ok) return auth
      const { organization, target, membership } = auth.value
      if (target!.user_id === membership.user_id) return fail('invalid', { issues: [{ field: 'userId', code: 'self', message: 'Choose another member.' }] })
      const at = ctx.config.clock()
      const db = orgsDb(trx)
      const promoted = await db.updateTable('organization_memberships').set({ role: 'owner', updated_at: at }).where('organization_id', '=', organization.id).where('user_id', '=', target!.user_id).returningAll().executeTakeFirstOrThrow()
      await db.updateTable('organization_memberships').set({ role: 'admin', updated_at: at }).where('organization_id', '=', organization.id).where('user_id', '=', membership.user_id).execute()
      await writeOrgAudit(ctx, trx, organization.id, { action: 'organization.ownership_transfer', userId: target!.user_id, actorId: membership.user_id, metadata: { from_role: target!.role, previous_owner: membership.user_id } })
      const org = toOrganization(organization)
      await ctx.events.emit(trx, 'organizationRoleChanged', { organization: org, userId: target!.user_id, from: target!.role, to: 'owner', actorId: membership.user_id }, ctx.request)
      await ctx.events.emit(trx, 'organizationRoleChanged', { organization: org, userId: membership.user_id, from: 'owner', to: 'admin', actorId: membership.user_id }, ctx.request)
      return { ok: true as const, membership: toMembership(promoted) }
    }),
  )
}
