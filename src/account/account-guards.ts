import type { Executor } from '../kernel/db/database.ts'
import type { UserRow } from '../kernel/db/tables/users.table.ts'
import { findUserById } from '../users/user-repository.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The user's current row (callers may hold a stale object), or null for a missing or deleted account. */
export async function liveUser(db: Executor, user: { id?: unknown } | null | undefined): Promise<UserRow | null> {
  const id = user?.id
  if (typeof id !== 'string' || !UUID.test(id)) return null
  const row = await findUserById(db, id)
  return row && row.deleted_at === null ? row : null
}

/** Same, locking the row for the rest of the transaction (serialises lifecycle changes of one account). */
export async function lockLiveUser(db: Executor, user: { id?: unknown } | null | undefined): Promise<UserRow | null> {
  const id = user?.id
  if (typeof id !== 'string' || !UUID.test(id)) return null
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  return row && row.deleted_at === null ? row : null
}

export function isDeletionScheduled(row: Pick<UserRow, 'delete_at' | 'deleted_at'>): boolean {
  return row.delete_at !== null && row.deleted_at === null
}

/**
 * Past its deletion deadline an account is due: it counts as deleted for sign-in, session
 * validation and cancelling, whether or not the sweep has run yet (a cron sweep may be hours away).
 */
export function isDeletionDue(row: Pick<UserRow, 'delete_at' | 'deleted_at'>, at: Date): boolean {
  return row.deleted_at === null && row.delete_at !== null && row.delete_at.getTime() <= at.getTime()
}
