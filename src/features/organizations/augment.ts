/**
 * What the organizations feature adds to core's open types: its audit actions, its lifecycle
 * events, its mail template, and its part of a request principal. Imported by the feature, so a
 * host importing 'sigra/organizations' sees them.
 */
import type { Membership, Organization } from './organization.ts'

declare module '../../kernel/audit/audit-actions.ts' {
  interface FeatureAuditActions {
    'organization.create': true
    'organization.update': true
    'organization.delete': true
    'organization.member_add': true
    'organization.member_remove': true
    'organization.member_leave': true
    'organization.role_change': true
    'organization.ownership_transfer': true
    'organization.invitation_create': true
    'organization.invitation_resend': true
    'organization.invitation_revoke': true
    'organization.invitation_accept': true
    'organization.switch': true
    'organization.domain_add': true
    'organization.domain_verify': true
    'organization.domain_remove': true
    'organization.token_create': true
  }
}

declare module '../../kernel/events.ts' {
  interface LifecycleEventMap {
    organizationCreated: { organization: Organization; userId: string }
    /** `via`: how the member came: the creator, an accepted invitation, auto-join by domain, a personal organization. */
    organizationMemberAdded: { organization: Organization; userId: string; role: string; via: 'created' | 'invitation' | 'auto_join' | 'personal' }
    /** `reason`: removed by another member, left, or the account was deleted. */
    organizationMemberRemoved: { organization: Organization; userId: string; role: string; reason: 'removed' | 'left' | 'account_deleted' }
    organizationRoleChanged: { organization: Organization; userId: string; from: string; to: string; actorId: string }
    /** Before the rows go (same transaction): memberships, invitations and organization-bound tokens go with it. */
    organizationDeleted: { organization: Organization; actorId: string | null }
  }
}

declare module '../../kernel/mail/templates.ts' {
  interface MailTemplates {
    /** To the invited address: who invites, to what, with which role; the link works once. */
    organizationInvitation(data: TemplateContext & { organizationName: string; inviterEmail: string | null; role: string; url: string; expiresInDays: number }): MailContent
  }
}

declare module '../../sessions/principal.ts' {
  interface PrincipalExtras {
    /**
     * The organization the request acts in (organizations feature): the session's active one, or the
     * one an organization-bound API token belongs to; null when none, or when its policy (MFA) is not
     * met. Always backed by a live membership.
     */
    organization?: Organization | null
    /** The caller's membership in `organization` (role, permissions), or null. */
    membership?: (Membership & { permissions: string[] }) | null
  }
}

export {}
