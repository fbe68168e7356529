import type { MfaState, SessionRow } from '../kernel/db/tables/sessions.table.ts'

/** A session as Sigra hands it out: the secret half of the token is never part of it. */
export interface Session {
  id: string
  userId: string
  createdAt: Date
  lastActiveAt: Date
  /** Absolute end of the session. */
  expiresAt: Date
  /** When inactivity would end it (null for remember-me sessions, which have no idle limit). */
  idleExpiresAt: Date | null
  rememberMe: boolean
  sudoAt: Date | null
  mfaState: MfaState
  ip: string | null
  userAgent: string | null
  deviceLabel: string | null
  impersonatorId: string | null
  activeOrganizationId: string | null
}

export function toSession(row: SessionRow, idleTimeout: number): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    expiresAt: row.expires_at,
    idleExpiresAt: row.remember_me ? null : new Date(row.last_active_at.getTime() + idleTimeout * 1000),
    rememberMe: row.remember_me,
    sudoAt: row.sudo_at,
    mfaState: row.mfa_state,
    ip: row.ip,
    userAgent: row.user_agent,
    deviceLabel: row.device_label,
    impersonatorId: row.impersonator_id,
    activeOrganizationId: row.active_organization_id,
  }
}
