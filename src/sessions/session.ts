import type { SessionRow } from '../kernel/db/tables/sessions.table.ts'

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
  /**
   * Sign-in steps this session must still pass, first one first (a second factor, a forced password
   * change). Always empty on what `sessions.validate` returns: a session with a pending step is not
   * signed in for anything but that step.
   */
  pendingSteps: string[]
  /** How the session authenticated, as RFC 8176 method references (`pwd`, `otp`, `hwk`, …). */
  amr: string[]
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
    pendingSteps: row.pending_steps,
    amr: row.amr,
    ip: row.ip,
    userAgent: row.user_agent,
    deviceLabel: row.device_label,
    impersonatorId: row.impersonator_id,
    activeOrganizationId: row.active_organization_id,
  }
}
