import type { Trx } from '../../kernel/db/database.ts'
import { VetoError } from '../../kernel/errors.ts'
import { lockOrganization, orgsDb, type OrgsContext } from './context.ts'
import { otherOwners } from './last-owner.ts'
import { removeOrganizationIn } from './manage.ts'
import { endMembership } from './members.ts'

/**
 * The rule for an account that is the last owner of an organization, checked when its deletion is
 * scheduled and again when it runs (both inside the account's own transaction, after its row lock,
 * under each organization's lock, in id order):
 * - an organization where the account is the **only member** goes with it (nobody else loses anything);
 * - an organization with **other members** and no other owner **vetoes** the deletion with reason
 *   `org_last_owner`: make someone else owner (or delete the organization) first.
 * Other memberships simply end (`organization.member_remove`, reason `account_deleted`).
 */
export async function checkSoleOwnership(ctx: OrgsContext, trx: Trx, userId: string): Promise<Array<{ organizationId: string; soleMember: boolean; role: string }>> {
  const memberships = await orgsDb(trx).selectFrom('organization_memberships').select(['organization_id', 'role']).where('user_id', '=', userId).orderBy('organization_id').execute()
  const plan: Array<{ organizationId: string; soleMember: boolean; role: string }> = []
  for (const m of memberships) {
    await lockOrganization(ctx, trx, m.organization_id)
    const others = await orgsDb(trx).selectFrom('organization_memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', m.organization_id).where('user_id', '!=', userId).executeTakeFirst()
    const soleMember = Number(others?.n ?? 0) === 0
    if (m.role === 'owner' && !soleMember && (await otherOwners(trx, m.organization_id, userId)) === 0) throw new VetoError('org_last_owner')
    plan.push({ organizationId: m.organization_id, soleMember, role: m.role })
  }
  return plan
}

/** `userDeleting`: applies the rule above — sole-member organizations are deleted, other memberships end. */
export async function endMembershipsForDeletion(ctx: OrgsContext, trx: Trx, userId: string): Promise<void> {
  for (const step of await checkSoleOwnership(ctx, trx, userId)) {
    if (step.soleMember) {
      await removeOrganizationIn(ctx, trx, step.organizationId, null)
      continue
    }
    const org = await orgsDb(trx).selectFrom('organizations').selectAll().where('id', '=', step.organizationId).executeTakeFirst()
    if (org) await endMembership(ctx, trx, org, { user_id: userId, role: step.role }, { actorId: null, reason: 'account_deleted' })
  }
}
