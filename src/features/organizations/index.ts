/**
 * `sigra/organizations`: organizations with memberships, ranked roles, invitations bound to a
 * confirmed address, the session's active organization, tenant isolation helpers, pages and a JSON
 * API. See docs/organizations.md.
 *
 * @example
 * import { organizations, requireOrg, inOrganization } from 'sigra/organizations'
 * const sigra = await createSigra({ ..., features: [organizations()] })
 */
export { organizations, ORGANIZATION_AUDIT_ACTIONS } from './organizations.ts'
export { requireOrg, organizationRoute, type OrganizationLocals } from './guard.ts'
export { inOrganization, organizationIdOf, type OrganizationRef } from './tenant.ts'
export { canonicalRole, ORG_PERMISSIONS } from './roles.ts'
export { canonicalSlug, slugFromName, RESERVED_SLUGS } from './slug.ts'
export { passedSecondFactor, type ActiveOrganization, type OrganizationRequest } from './active.ts'
export type { OrgsApi } from './api.ts'
export type { Invitation, InvitationStatus, Member, Membership, Organization } from './organization.ts'
export type { InvitationPreview } from './invitations.ts'
export type { OrganizationDomain } from './domains.ts'
export type { OrganizationHooks, OrganizationsOptions, OrgRoleDefinition } from './options.ts'
import './augment.ts'
