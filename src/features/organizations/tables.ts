import type { Generated } from 'kysely'

/** The organizations feature's tables (migration `organizations/0001_create_organizations`). */
export interface OrganizationTables {
  organizations: {
    id: Generated<string>
    name: string
    /** Canonical: lower-case ASCII letters, digits, inner hyphens; unique. */
    slug: string
    /** Set on a personal organization: the account it belongs to (one each). */
    personal_owner_id: string | null
    /** Members must have passed a second factor in the session to use it as their active organization. */
    require_mfa: Generated<boolean>
    /** Accounts whose confirmed address is on one of its verified domains join as members. */
    auto_join: Generated<boolean>
    created_by: string | null
    created_at: Date
    updated_at: Date
  }
  organization_memberships: {
    organization_id: string
    user_id: string
    /** Canonical role name (checked: lower-case, trimmed). */
    role: string
    created_at: Date
    updated_at: Date
  }
  organization_invitations: {
    id: Generated<string>
    organization_id: string
    /** The invited address, normalised; only an account whose confirmed address it is may accept. */
    email: string
    role: string
    /** SHA-256 of the emailed token: the token itself is never stored. */
    token_digest: Uint8Array
    invited_by: string | null
    created_at: Date
    /** When the current link was mailed (a resend mails a new link). */
    sent_at: Date
    expires_at: Date
    accepted_at: Date | null
    accepted_by: string | null
    revoked_at: Date | null
    revoked_by: string | null
  }
  organization_domains: {
    organization_id: string
    domain: string
    /** The value a TXT record at `_sigra-verification.<domain>` must hold. */
    verification_token: string
    verified_at: Date | null
    created_at: Date
  }
  /** The organization each account last chose (its next sign-in starts there, while still a member). */
  organization_last_active: {
    user_id: string
    organization_id: string
    chosen_at: Date
  }
  /** API tokens (the api-tokens feature's) bound to one organization. */
  organization_api_tokens: {
    api_token_id: string
    organization_id: string
    user_id: string
  }
}

export type OrganizationRow = {
  id: string
  name: string
  slug: string
  personal_owner_id: string | null
  require_mfa: boolean
  auto_join: boolean
  created_by: string | null
  created_at: Date
  updated_at: Date
}
export type MembershipRow = OrganizationTables['organization_memberships']
export type InvitationRow = Omit<OrganizationTables['organization_invitations'], 'id'> & { id: string }
