import type { Generated, Insertable, Selectable } from 'kysely'
import type { Timestamp } from './users.table.ts'

export type TokenContext = 'confirm' | 'reset_password' | 'change_email'

export interface UserTokensTable {
  id: Generated<string>
  user_id: string
  /** SHA-256 of the token string exactly as it travels in the link. */
  digest: Uint8Array
  context: TokenContext
  /** The address the token was mailed to: the token is valid only while it still matches. */
  sent_to: string
  created_at: Timestamp
  expires_at: Timestamp
  used_at: Timestamp | null
}

export type UserTokenRow = Selectable<UserTokensTable>
export type NewUserTokenRow = Insertable<UserTokensTable>
