import type { Trx } from '../../kernel/db/database.ts'
import type { User } from '../../users/user.ts'
import { orgsDb, uniqueViolation, type OrgsContext } from './context.ts'
import { allocateSlug, insertOrganization } from './manage.ts'

/** The name a personal organization starts with: the address's local part (renamable). */
function personalName(email: string): string {
  const local = email.split('@')[0] ?? ''
  const name = local.replace(/\p{Cc}/gu, '').slice(0, 90)
  return name.length ? name : 'Personal'
}

/** Creates the account's personal organization inside `trx` (registration, backfill); none when it has one. */
export async function createPersonalIn(ctx: OrgsContext, trx: Trx, user: Pick<User, 'id' | 'email'>): Promise<boolean> {
  const has = await orgsDb(trx).selectFrom('organizations').select('id').where('personal_owner_id', '=', user.id).executeTakeFirst()
  if (has) return false
  const name = personalName(user.email)
  const slug = await allocateSlug(ctx, trx, null, name)
  if (!slug.ok) throw new Error('organizations: no free slug for a personal organization')
  await insertOrganization(ctx, trx, { name, slug: slug.slug, ownerId: user.id, personal: true })
  return true
}

/**
 * Gives every live account without a personal organization one (`sigra orgs backfill-personal`):
 * in batches, one transaction per account, safe to run again or on several machines at once (an
 * account that got one meanwhile is skipped). Answers how many were created.
 */
export async function backfillPersonal(ctx: OrgsContext, options: { batchSize?: number } = {}): Promise<{ ok: true; created: number }> {
  const batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? 200), 1), 1000)
  let created = 0
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const users = await orgsDb(ctx.db)
      .selectFrom('users as u')
      .select(['u.id', 'u.email'])
      .where('u.deleted_at', 'is', null)
      .where('u.id', '>', after)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('organizations as o').select('o.id').whereRef('o.personal_owner_id', '=', 'u.id'))))
      .orderBy('u.id')
      .limit(batchSize)
      .execute()
    for (const user of users) {
      try {
        if (await ctx.db.transaction().execute(async (trx) => {
          // The account's row first (the lock order of every lifecycle change), so a deletion in flight finishes first.
          const live = await trx.selectFrom('users').select(['id', 'email']).where('id', '=', user.id).where('deleted_at', 'is', null).forShare().executeTakeFirst()
          return live ? createPersonalIn(ctx, trx, live) : false
        })) created++
      } catch (error) {
        if (!uniqueViolation(error, 'organizations_personal_key')) throw error
      }
    }
    if (users.length < batchSize) return { ok: true, created }
    after = users.at(-1)!.id
  }
}
