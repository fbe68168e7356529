import type { UserRow, UserStatus } from '../kernel/db/tables/users.table.ts'

/** A user as Sigra hands it out: never the password hash, never a token. */
export interface User {
  id: string
  email: string
  pendingEmail: string | null
  username: string | null
  /** False for OAuth-only accounts that have not set a password. */
  hasPassword: boolean
  confirmedAt: Date | null
  mustChangePassword: boolean
  status: UserStatus
  /** Bumped on every credential change; derived credentials carry it. */
  epoch: number
  lastLoginAt: Date | null
  deletionRequestedAt: Date | null
  deleteAt: Date | null
  deletedAt: Date | null
  customFields: Record<string, unknown>
  createdAt: Date
  updatedAt: Date
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    pendingEmail: row.pending_email,
    username: row.username,
    hasPassword: row.hashed_password !== null,
    confirmedAt: row.confirmed_at,
    mustChangePassword: row.must_change_password,
    status: row.status,
    epoch: row.epoch,
    lastLoginAt: row.last_login_at,
    deletionRequestedAt: row.deletion_requested_at,
    deleteAt: row.delete_at,
    deletedAt: row.deleted_at,
    customFields: row.custom_fields ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
