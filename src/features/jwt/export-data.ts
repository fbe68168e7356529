import type { Executor } from '../../kernel/db/database.ts'
import type { User } from '../../users/user.ts'
import { jwtDb } from './jwt-context.ts'

/** The user's part of the data export: their apps' sign-ins (refresh families), when each began, was last used and ends. Never a token or a digest. */
export async function exportFamilies(db: Executor, user: Pick<User, 'id'>) {
  const rows = await jwtDb(db)
    .selectFrom('jwt_refresh_families')
    .select(['created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', user.id)
    .orderBy('created_at')
    .execute()
  return { refreshFamilies: rows.map((r) => ({ createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at })) }
}
