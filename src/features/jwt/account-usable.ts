import { isDeletionDue } from '../../account/account-guards.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'

/** The account can hold credentials: active, not deleted, not past its deletion date (whether or not the sweep has run). */
export function accountUsable(row: Pick<UserRow, 'status' | 'deleted_at' | 'delete_at'>, at: Date): boolean {
  return row.status === 'active' && row.deleted_at === null && !isDeletionDue(row, at)
}
