import type { Trx } from '../../kernel/db/database.ts'
import { orgsDb } from './context.ts'

/**
 * The owners other than `userId` who keep the organization owned: live, active accounts whose
 * deletion is not scheduled (an owner on the way out does not count). Call it after
 * `lockOrganization` in the same transaction: every change that can take an owner away (demotion,
 * removal, leaving, an account's deletion or its scheduling) takes that lock first, so two of them
 * racing on the last two owners are serialised and the second sees one left.
 */
export async function otherOwners(trx: Trx, organizationId: string, userId: string): Promise<number> {
  const row = await orgsDb(trx)
    .selectFrom('organization_memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('m.organization_id', '=', organizationId)
    .where('m.role', '=', 'owner')
    .where('m.user_id', '!=', userId)
    .where('u.status', '=', 'active')
    .where('u.deleted_at', 'is', null)
    .where('u.delete_at', 'is', null)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}
