import { sql } from 'kysely'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import type { EventContext } from '../../kernel/events.ts'
import { adminDb, type AdminContext } from './admin-context.ts'

/**
 * The first account of an empty site becomes Owner, in its registration's transaction. Race-safe:
 * registrations take one advisory lock and then count the accounts, so of two parallel first
 * registrations the second counts two and stays a User. On a site that already has accounts (the
 * feature enabled later) nobody becomes Owner this way: run `sigra users set-role <email> owner`.
 */
export async function firstUserBecomesOwner(ctx: AdminContext, event: EventContext<'userRegistered'>): Promise<void> {
  const { trx, user } = event
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`sigra:first-owner:${ctx.config.schema}`}))`.execute(trx)
  const accounts = await trx.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst()
  if (Number(accounts?.n ?? 0) !== 1) return
  const owners = await adminDb(trx).selectFrom('admin_role_assignments').select('user_id').where('role', '=', 'owner').executeTakeFirst()
  if (owners) return
  await adminDb(trx).insertInto('admin_role_assignments').values({ user_id: user.id, role: 'owner', assigned_by: null, assigned_at: ctx.config.clock() }).execute()
  await writeAudit({ ...ctx, request: event.request }, trx, { action: 'admin.owner_assign', userId: user.id, actorId: null, actorType: 'system', metadata: { reason: 'first_user' } })
}
