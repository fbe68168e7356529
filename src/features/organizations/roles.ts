/**
 * Organization roles: Owner > Admin > Member, plus the host's, each with a rank and permissions.
 * One rule reads them (`authorise`): nobody acts on a member of equal or higher rank, and nobody
 * grants a role above their own.
 */

/** What the built-in operations need. Owners hold every permission; Admins all but deleting the organization. */
export const ORG_PERMISSIONS = {
  /** Rename, change the slug, set policies, verify domains. */
  update: 'org:update',
  /** Delete the organization (owners only). */
  delete: 'org:delete',
  /** Invite, resend and revoke invitations. */
  invite: 'members:invite',
  /** Change roles and remove members (within the rank rule). */
  manage: 'members:manage',
  /** The organization's audit log. */
  audit: 'audit:read',
} as const

/** Every permission: what Owners hold. */
export const ALL = '*'

export const BUILT_IN_ORG_ROLES = {
  owner: { label: 'Owner', rank: 300, permissions: [ALL] },
  admin: { label: 'Admin', rank: 200, permissions: [ORG_PERMISSIONS.update, ORG_PERMISSIONS.invite, ORG_PERMISSIONS.manage, ORG_PERMISSIONS.audit] },
  member: { label: 'Member', rank: 100, permissions: [] as string[] },
} as const

/**
 * A role name as every check sees it: NFKC, trimmed, lower case. `" owner"`, `"OWNER"` and
 * `"Ｏｗｎｅｒ"` are all Owner, so a crafted name can never pass for another role or slip past a
 * rank check; anything else that is not a known role is refused by the caller.
 */
export function canonicalRole(name: unknown): string | null {
  if (typeof name !== 'string' || name.length > 64) return null
  const canonical = name.normalize('NFKC').trim().toLowerCase()
  return canonical === '' ? null : canonical
}

export function holds(permissions: ReadonlySet<string>, permission: string): boolean {
  return permissions.has(ALL) || permissions.has(permission)
}
