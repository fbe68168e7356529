import type { Bound } from '../../facade/bind-context.ts'
import { activeOrganization, organizationFromRequest, setActive } from './active.ts'
import { organizationAudit } from './audit.ts'
import type { OrgsContext } from './context.ts'
import { acceptInvitation, invite, listInvitations, previewInvitation, resendInvitation, revokeInvitation } from './invitations.ts'
import { createOrganization, deleteOrganization, getOrganization, getOrganizationBySlug, listOrganizations, lookupOrganization, updateOrganization } from './manage.ts'
import { leaveOrganization, listMembers, removeMember, setMemberRole, transferOwnership } from './members.ts'
import { createOrganizationToken } from './org-tokens.ts'
import { backfillPersonal } from './personal.ts'
import { addDomain, listDomains, removeDomain, verifyDomain } from './domains.ts'

/** The roles this instance knows, highest rank first (for forms: what a member may grant is what ranks at most theirs). */
async function roles(ctx: OrgsContext): Promise<Array<{ name: string; label: string; rank: number; permissions: string[] }>> {
  return Object.entries(ctx.orgs.roles)
    .map(([name, r]) => ({ name, label: r.label, rank: r.rank, permissions: [...r.permissions] }))
    .sort((a, b) => b.rank - a.rank || a.name.localeCompare(b.name))
}

/** The domain functions behind `sigra.orgs`, each taking the organizations context first. */
export const ORG_FUNCTIONS = {
  create: createOrganization,
  get: getOrganization,
  getBySlug: getOrganizationBySlug,
  list: listOrganizations,
  lookup: lookupOrganization,
  update: updateOrganization,
  delete: deleteOrganization,
  members: listMembers,
  setRole: setMemberRole,
  removeMember,
  leave: leaveOrganization,
  transferOwnership,
  invite,
  invitations: listInvitations,
  revokeInvitation,
  resendInvitation,
  previewInvitation,
  acceptInvitation,
  setActive,
  active: activeOrganization,
  fromRequest: organizationFromRequest,
  audit: organizationAudit,
  backfillPersonal,
  createApiToken: createOrganizationToken,
  domains: listDomains,
  addDomain,
  verifyDomain,
  removeDomain,
  roles,
}

/** `sigra.orgs`. */
export type OrgsApi = Bound<OrgsContext, typeof ORG_FUNCTIONS>
