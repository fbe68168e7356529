import type { InvitationRow, MembershipRow, OrganizationRow } from './tables.ts'

/** An organization as Sigra hands it out. */
export interface Organization {
  id: string
  name: string
  slug: string
  /** A personal organization: its account's own, with no other members. */
  personal: boolean
  /** Members must have passed a second factor in the session to act in it. */
  requireMfa: boolean
  /** Accounts with a confirmed address on a verified domain join as members. */
  autoJoin: boolean
  createdAt: Date
  updatedAt: Date
}

export interface Membership {
  organizationId: string
  userId: string
  /** Canonical role name: `owner`, `admin`, `member` or the host's. */
  role: string
  createdAt: Date
}

/** A member as the organization's members see it. */
export interface Member extends Membership {
  email: string
  username: string | null
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired'

/** An invitation (never its token). */
export interface Invitation {
  id: string
  organizationId: string
  email: string
  role: string
  invitedBy: string | null
  createdAt: Date
  sentAt: Date
  expiresAt: Date
  status: InvitationStatus
}

export function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    personal: row.personal_owner_id !== null,
    requireMfa: row.require_mfa,
    autoJoin: row.auto_join,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export function toMembership(row: MembershipRow): Membership {
  return { organizationId: row.organization_id, userId: row.user_id, role: row.role, createdAt: row.created_at }
}

export function toInvitation(row: InvitationRow, at: Date): Invitation {
  const status: InvitationStatus = row.accepted_at ? 'accepted' : row.revoked_at ? 'revoked' : row.expires_at.getTime() <= at.getTime() ? 'expired' : 'pending'
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    expiresAt: row.expires_at,
    status,
  }
}
