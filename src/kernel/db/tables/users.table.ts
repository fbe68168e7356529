import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Timestamps are written from the injected clock, read back as Date. */
export type Timestamp = ColumnType<Date, Date, Date>

/** `suspended` and `banned` are set by an operator (the admin feature); only `active` signs in. */
export type UserStatus = 'active' | 'disabled' | 'suspended' | 'banned' | 'deleted'

export interface UsersTable {
  id: Generated<string>
  email: string
  /** An email change waiting for confirmation; reserved (nobody else can claim it) until it expires. */
  pending_email: string | null
  pending_email_expires_at: Timestamp | null
  username: string | null
  /** Null for accounts that only sign in through an OAuth provider. */
  hashed_password: string | null
  password_changed_at: Timestamp | null
  confirmed_at: Timestamp | null
  must_change_password: Generated<boolean>
  status: Generated<UserStatus>
  failed_login_attempts: Generated<number>
  /** Set when the failure threshold is reached; the lock ends by itself at this instant. */
  locked_until: Timestamp | null
  last_login_at: Timestamp | null
  /** Bumped on every credential change: derived credentials (JWTs, trust cookies) carry it. */
  epoch: Generated<number>
  deletion_requested_at: Timestamp | null
  delete_at: Timestamp | null
  deleted_at: Timestamp | null
  custom_fields: ColumnType<Record<string, unknown>, string | undefined, string>
  created_at: Timestamp
  updated_at: Timestamp
}

export type UserRow = Selectable<UsersTable>
export type NewUserRow = Insertable<UsersTable>
export type UserRowUpdate = Updateable<UsersTable>
