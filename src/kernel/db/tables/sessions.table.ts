import type { Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { Timestamp } from './users.table.ts'

export interface SessionsTable {
  /** Public half of the session token; the secret half is stored only as a SHA-256 digest. */
  id: Generated<string>
  user_id: string
  secret_digest: Uint8Array
  created_at: Timestamp
  last_active_at: Timestamp
  /** Absolute expiry (24 h, or 60 days for remember-me). Idle expiry is derived from last_active_at. */
  expires_at: Timestamp
  remember_me: Generated<boolean>
  sudo_at: Timestamp | null
  /** Sign-in steps still to pass, in order (empty: signed in). See sessions/sign-in-steps.ts. */
  pending_steps: Generated<string[]>
  /** How this session authenticated (RFC 8176 method references: pwd, otp, hwk, …). */
  amr: Generated<string[]>
  ip: string | null
  user_agent: string | null
  device_label: string | null
  impersonator_id: string | null
  /** The operator's own session an impersonation started from (handed back, renewed, when it ends). */
  impersonator_session_id: Generated<string | null>
  active_organization_id: string | null
}

export type SessionRow = Selectable<SessionsTable>
export type NewSessionRow = Insertable<SessionsTable>
export type SessionRowUpdate = Updateable<SessionsTable>
