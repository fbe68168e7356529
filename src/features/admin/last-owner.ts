import { sql } from 'kysely'
import type { Trx } from '../../kernel/db/database.ts'
import { VetoError } from '../../kernel/errors.ts'
import { adminDb } from './admin-context.ts'

/**
 * Serialises every change that could leave no Owner (demotion, suspension, deletion, scheduling
 * one's deletion) on one
 * transaction-scoped advisory lock, then counts the active Owners other than `userId`: of two
 * parallel "remove an Owner" calls on the last two, the second sees one left and is refused.
 */
export async function otherActiveOwners(trx: Trx, schema: string, userId: string): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`sigra:last-owner:${schema}`}))`.execute(trx)
  const row = await adminDb(trx)
    .selectFrom('admin_role_assignments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('a.role', '=', 'owner')
    .where('u.id', '!=', userId)
    .where('u.status', '=', 'active')
    .where('u.deleted_at', 'is', null)
    // An Owner whose deletion is scheduled is on the way out: they do not keep the site owned.
    .where('u.delete_at', 'is', null)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

export async function isOwner(trx: Trx, userId: string): Promise<boolean> {
  const row = await adminDb(trx).selectFrom('admin_role_assignments').select('role').where('user_id', '=', userId).where('role', '=', 'owner').executeTakeFirst()
  return row !== undefined
}

/**
 * Refuses, inside the deletion's own transaction, a deletion (or a scheduled one) that would leave
 * no active Owner: the account lifecycle's hooks call it, so an operator's delete, the user's own
 * request and the sweep are all covered, and two parallel deletions of the last two Owners cannot
 * both pass (the advisory lock serialises them).
 */
export async function vetoLastOwnerRemoval(trx: Trx, schema: string, userId: string): Promise<void> {
  if ((await isOwner(trx, userId)) && (await otherActiveOwners(trx, schema, userId)) === 0) throw new VetoError('last_owner')
}
